import { describe, expect, it } from 'vitest'
import type { BridgeEvent } from '../../src/model/bridge-event.js'
import type { Element } from '../../src/model/element.js'
import { type EncodeEventContext, encodeEvent } from '../../src/onebot/encode-event.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import {
  allEvents,
  BIG_CHANNEL_ID,
  BOT_ID,
  CHAT_CODE,
  channelMessage,
  GUILD_ID,
  MSG_ID,
  notices,
  QUOTED_MSG_ID,
  richElements,
  USER_ID,
} from './support/bridge-events.js'

const DEFAULT_CHANNEL = '1234567890123'

function setup(overrides: Partial<EncodeEventContext> = {}) {
  const store = new MemoryStore()
  const ctx: EncodeEventContext = {
    store,
    selfId: store.numberFor('user', BOT_ID),
    format: 'array',
    channelAs: 'group',
    extensionSegments: false,
    defaultChannelOf: (guildId) => (guildId === GUILD_ID ? DEFAULT_CHANNEL : undefined),
    ...overrides,
  }
  return { store, ctx, encode: (event: BridgeEvent): unknown => encodeEvent(event, ctx) }
}

/** Every field a OneBot consumer reads as a number. */
const NUMERIC_FIELDS = new Set([
  'self_id',
  'user_id',
  'group_id',
  'guild_id',
  'channel_id',
  'operator_id',
  'message_id',
  'sender_id',
  'target_id',
  'time',
  'font',
])

function numericFieldProblems(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => numericFieldProblems(v, `${path}[${i}]`))
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, v]) => {
    const here = path ? `${path}.${key}` : key
    // `data` of KOOK-only notices is KOOK's own payload, not OneBot fields.
    if (key === 'data') return []
    const own = NUMERIC_FIELDS.has(key) && !Number.isSafeInteger(v) ? [`${here} = ${JSON.stringify(v)}`] : []
    return [...own, ...numericFieldProblems(v, here)]
  })
}

describe('encodeEvent: one golden per BridgeEvent variant', () => {
  for (const [name, event] of Object.entries(allEvents)) {
    it(`encodes ${name}`, async () => {
      const { encode } = setup()
      const wire = encode(event)
      expect(wire).toBeDefined()
      await expect(`${JSON.stringify(wire, null, 2)}\n`).toMatchFileSnapshot(`../golden/onebot/${name}.json`)
    })
  }

  it('encodes the go-cqhttp guild form when the profile asks', async () => {
    const { encode } = setup({ channelAs: 'guild', extensionSegments: true })
    const message = encode(channelMessage(richElements))
    await expect(`${JSON.stringify(message, null, 2)}\n`).toMatchFileSnapshot(
      '../golden/onebot/guild-message.json',
    )
    const recall = encode(notices.channelRecall)
    await expect(`${JSON.stringify(recall, null, 2)}\n`).toMatchFileSnapshot(
      '../golden/onebot/guild-channel-recall.json',
    )
  })
})

describe('encodeEvent: ids', () => {
  it('shows a 17-digit channel id as one safe-integer alias, and never a UUID or raw big id', () => {
    const { encode, store } = setup()
    const alias = store.numberFor('channel', BIG_CHANNEL_ID)
    expect(Number.isSafeInteger(alias)).toBe(true)
    expect(store.idFor('channel', alias)).toBe(BIG_CHANNEL_ID)
    for (const [name, event] of Object.entries(allEvents)) {
      const wire = encode(event)
      expect(numericFieldProblems(wire), name).toEqual([])
      const json = JSON.stringify(wire)
      expect(json, name).not.toContain(BIG_CHANNEL_ID)
      if (event.type !== 'extension') expect(json, name).not.toContain(MSG_ID)
    }
    const group = encode(channelMessage([{ type: 'text', text: 'x' }]))
    expect(group).toMatchObject({ group_id: alias })
    expect(encode(notices.channelReaction)).toMatchObject({ group_id: alias })
    expect(encode(notices.pin)).toMatchObject({ group_id: alias })
  })

  it('gives a message one int32 id, the same in the event, a recall and a reaction', () => {
    const { encode, store } = setup()
    const message = encode(channelMessage([{ type: 'text', text: 'hi' }])) as { message_id: number }
    expect(message.message_id).toBeGreaterThan(0)
    expect(message.message_id).toBeLessThanOrEqual(2 ** 31 - 1)
    expect(encode(notices.channelRecall)).toMatchObject({
      message_id: message.message_id,
      user_id: 2418200000,
    })
    expect(encode(notices.channelReaction)).toMatchObject({ message_id: message.message_id })
    expect(store.getMessageByNumber(message.message_id)?.msgId).toBe(MSG_ID)
  })

  it('uses the same number for a user in user_id, sender.user_id and at.qq, and self_id = get_login_info', () => {
    const { encode, ctx } = setup()
    const wire = encode(
      channelMessage([{ type: 'mention', kind: 'user', id: USER_ID }], {
        sender: { ...richSender(), id: USER_ID },
      }),
    ) as {
      user_id: number
      self_id: number
      sender: { user_id: number }
      message: Array<{ data: { qq: string } }>
    }
    expect(wire.user_id).toBe(Number(USER_ID))
    expect(wire.sender.user_id).toBe(wire.user_id)
    expect(wire.message[0]?.data.qq).toBe(String(wire.user_id))
    expect(wire.self_id).toBe(ctx.selfId)
  })

  it('allocates a message_id for a quoted message it has not seen, so get_msg can find it later', () => {
    const { encode, store } = setup()
    const wire = encode(channelMessage(richElements)) as {
      message: Array<{ type: string; data: { id?: string } }>
    }
    const reply = wire.message.find((s) => s.type === 'reply')
    const record = store.getMessageByNumber(Number(reply?.data.id))
    expect(record).toMatchObject({ msgId: QUOTED_MSG_ID, channelId: BIG_CHANNEL_ID, scene: 'channel' })
  })
})

function richSender() {
  return { id: USER_ID, name: 'Alice', nickname: '', bot: false, roles: [], role: 'member' as const }
}

describe('encodeEvent: behaviour frameworks depend on', () => {
  it('never emits the bot’s own messages', () => {
    const { encode } = setup()
    expect(encode(channelMessage([{ type: 'text', text: 'echo' }], { self: true }))).toBeUndefined()
  })

  it('writes CQ strings with escaping in string format, and raw_message always', () => {
    const { encode } = setup({ format: 'string' })
    const wire = encode(channelMessage(richElements)) as { message: string; raw_message: string }
    expect(typeof wire.message).toBe('string')
    expect(wire.message).toBe(wire.raw_message)
    expect(wire.message).toContain(' #ping &#91;x&#93; &amp; y, 👍[CQ:at,qq=all]')
    expect(wire.message).toContain(`[CQ:face,id=${GUILD_ID}/abc,name=party]`)
  })

  it('fills the group sender and maps role unknown to member', () => {
    const { encode } = setup()
    const wire = encode(
      channelMessage([{ type: 'text', text: 'x' }], {
        sender: { ...richSender(), role: 'unknown', nickname: 'Card' },
      }),
    )
    expect(wire).toMatchObject({
      message_type: 'group',
      sub_type: 'normal',
      font: 0,
      sender: {
        user_id: Number(USER_ID),
        nickname: 'Alice',
        card: 'Card',
        role: 'member',
        sex: 'unknown',
        age: 0,
      },
    })
  })

  it('degrades KOOK-only content to text for Karin, and keeps it as extension segments otherwise', () => {
    const elements: Element[] = [
      { type: 'mention', kind: 'role', id: '702', name: 'Mods' },
      { type: 'mention', kind: 'channel', id: BIG_CHANNEL_ID, name: 'general' },
      { type: 'mention', kind: 'here' },
      { type: 'kmarkdown', content: '**bold**' },
      { type: 'buttons', buttons: [{ text: 'Go', action: 'link', value: 'https://kookapp.cn' }] },
    ]
    const karin = setup({ extensionSegments: false }).encode(channelMessage([...elements]))
    expect(karin).toMatchObject({
      message: [{ type: 'text', data: { text: '@Mods#general@在线成员**bold**' } }],
    })
    const nonebot = setup({ extensionSegments: true })
    const wire = nonebot.encode(channelMessage([...elements])) as { message: Array<{ type: string }> }
    expect(wire.message.map((s) => s.type)).toEqual([
      'kook_mention',
      'kook_mention',
      'kook_mention',
      'markdown',
      'kook_buttons',
    ])
    expect(wire.message[1]).toEqual({
      type: 'kook_mention',
      data: {
        kind: 'channel',
        id: String(nonebot.store.numberFor('channel', BIG_CHANNEL_ID)),
        name: 'general',
      },
    })
  })

  it('reports a guild-wide notice on the default channel, or group 0 with guild_id when unknown', () => {
    const known = setup().encode(notices.memberIncrease)
    expect(known).toMatchObject({ group_id: Number(DEFAULT_CHANNEL), guild_id: Number(GUILD_ID) })
    const unknown = setup({ defaultChannelOf: () => undefined }).encode(notices.memberIncrease)
    expect(unknown).toMatchObject({ group_id: 0, guild_id: Number(GUILD_ID), notice_type: 'group_increase' })
  })

  it('uses the author as operator of a channel recall, since KOOK names none', () => {
    const { encode } = setup()
    encode(channelMessage([{ type: 'text', text: 'hi' }]))
    expect(encode(notices.channelRecall)).toMatchObject({
      notice_type: 'group_recall',
      user_id: Number(USER_ID),
      operator_id: Number(USER_ID),
    })
  })

  it('sends a DM as private/friend with the chat kept for get_msg', () => {
    const { encode, store } = setup()
    const wire = encode(allEvents['private-message'] as BridgeEvent) as { message_id: number }
    expect(wire).toMatchObject({ message_type: 'private', sub_type: 'friend', user_id: Number(USER_ID) })
    expect(store.getMessageByNumber(wire.message_id)).toMatchObject({ scene: 'direct', chatCode: CHAT_CODE })
  })
})
