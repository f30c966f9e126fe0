import { describe, expect, it } from 'vitest'
import { explainRenderers, ONEBOT_NOT_SENT } from '../../src/cli/explain-renderers.js'
import { runExplain } from '../../src/cli/mappings-command.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'
import { KOOK_FIXTURE_DIR } from '../kook/wire/kook-fixtures.js'

const ONEBOT = 'OneBot v11 (profile karin, message format array)'

function explain(fixture: string): { status: number; out: string; err: string } {
  const out: string[] = []
  const err: string[] = []
  const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }
  const status = runExplain(`${KOOK_FIXTURE_DIR}${fixture}`, io, explainRenderers({ selfId: '3541790628' }))
  return { status, out: out.join(''), err: err.join('') }
}

/** The JSON a renderer printed under its name (pretty-printed, so it ends at the first `}` in column 0). */
function printedBy(name: string, out: string): unknown {
  const start = out.indexOf(`${name}:\n`)
  expect(start).toBeGreaterThanOrEqual(0)
  const body = out.slice(start + name.length + 2)
  return JSON.parse(body.slice(0, body.indexOf('\n}\n') + 2))
}

describe('explainRenderers', () => {
  it('shows the matched row and the OneBot group message a channel message becomes', () => {
    const { status, out, err } = explain('GROUP.kmarkdown-mentions.json')
    expect(err).toBe('')
    expect(status).toBe(0)
    expect(out).toMatch(
      /^row: message\.channel\.kmarkdown \(mappings\/messages\.yaml:\d+\) — emits message$/m,
    )
    expect(out).toContain('"message_type": "group"')
    expect(printedBy(ONEBOT, out)).toMatchObject({
      self_id: 3541790628,
      post_type: 'message',
      message_type: 'group',
      sub_type: 'normal',
      message_id: 1,
      group_id: 4588163096275438,
      user_id: 2418239356,
      message: [
        { type: 'at', data: { qq: '1875604312', name: '爱丽丝' } },
        { type: 'text', data: { text: ' 请看 @管理员 在 #公告 的公告~' } },
      ],
      sender: { user_id: 2418239356 },
    })
  })

  it('renders a guild-wide notice without a known default channel as group 0', () => {
    const { status, out } = explain('GROUP.add_guild_mute.json')
    expect(status).toBe(0)
    expect(printedBy(ONEBOT, out)).toMatchObject({
      notice_type: 'group_ban',
      group_id: 0,
      guild_id: 3987615236490215,
    })
  })

  it('says so when nothing is sent (the bot’s own message)', () => {
    const [onebot] = explainRenderers()
    const own: BridgeEvent = {
      type: 'message',
      eventId: 'e1',
      time: 1_735_716_147_214,
      rowId: 'message.channel.kmarkdown',
      scene: 'channel',
      messageId: '0aa83a55-da6a-42bc-a626-6cd044245726',
      kookType: 9,
      sender: { id: '3541790628', name: 'bot', nickname: '', bot: true, roles: [], role: 'member' },
      elements: [{ type: 'text', text: 'hi' }],
      plainText: 'hi',
      self: true,
      guildId: '3987615236490215',
      channelId: '4588163096275438',
      raw: {},
    }
    expect(onebot?.(own)).toEqual({ name: ONEBOT, output: ONEBOT_NOT_SENT })
  })
})
