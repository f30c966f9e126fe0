/**
 * What a OneBot v11 framework receives for every KOOK fixture (test/fixtures/kook/*.json): the shipped
 * mapping table, then the OneBot encoder exactly as the endpoint drives it (karin profile, group form,
 * guild-wide notices waiting for the guild's default channel). One golden per fixture,
 * test/golden/onebot/seed/<fixture>.json (array format); message fixtures also get <fixture>.cq.json
 * (string format) so CQ escaping is reviewed too. The goldens are reviewed outputs: after `vitest -u`,
 * read the diff; test/golden/onebot/seed/README.md explains the non-obvious ones.
 *
 * Each fixture gets a fresh store, so a golden does not depend on which fixtures ran before it.
 */
import { describe, expect, it } from 'vitest'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import type { GuildInfo, Operation, OperationResult, OperationRunner } from '../../src/model/operation.js'
import { encodeEvent, guildOfGuildWideNotice } from '../../src/onebot/encode-event.js'
import { profileFor } from '../../src/onebot/profiles.js'
import type { WireEvent } from '../../src/onebot/types.js'
import { DefaultChannelCache } from '../../src/ops/default-channel-cache.js'
import { openStore } from '../../src/store/open-store.js'
import { kookFixtureFiles, loadKookFixture, MESSAGE_KINDS } from '../kook/wire/kook-fixtures.js'

/** The bot of the constructed fixtures (PERSON events are addressed to it); it authors none of them. */
const BOT_ID = '3541790628'
/** Only for events without a usable msg_timestamp; every fixture has one, so no golden shows it. */
const NOW = Date.UTC(2025, 0, 1)
const INT32_MAX = 2 ** 31 - 1

/**
 * The default text channel KOOK's getGuild would answer. The constructed guild has its #闲聊; the seed
 * guild 60163000000000 gets the `default_channel_id` of the seed's updated_guild example; placeholder
 * guilds (`xxx`, `xxxxx`) have none known, so the encoder's fallback (group_id 0) is reviewed too.
 */
const DEFAULT_CHANNELS: Readonly<Record<string, string>> = {
  '3987615236490215': '4588163096275438',
  '60163000000000': '4881800000000',
}

const guildDirectory: OperationRunner = {
  run<O extends Operation>(op: O): Promise<OperationResult<O>> {
    if (op.op !== 'getGuild') return Promise.reject(new Error(`unexpected operation ${op.op}`))
    const guild: GuildInfo = {
      id: op.guildId,
      name: 'golden',
      ownerId: '1',
      defaultChannelId: DEFAULT_CHANNELS[op.guildId] ?? '',
    }
    return Promise.resolve(guild as OperationResult<O>)
  },
}

const table = loadMappingTable({ now: () => NOW })
const karin = profileFor('karin')
const fixtures = kookFixtureFiles()
const messageFixtures = fixtures.filter((file) => loadKookFixture(file).kind in MESSAGE_KINDS)

/** One fixture through table and encoder, as OneBotEndpoint#onEvent/#emit would send it. */
async function render(file: string, format: 'array' | 'string', botId = BOT_ID): Promise<WireEvent[]> {
  const events = table.map(loadKookFixture(file).frame.d, { selfId: botId })
  const store = openStore({ location: 'memory', bot: 'golden' })
  const channels = new DefaultChannelCache(guildDirectory, { now: () => NOW })
  // The endpoint numbers the bot before any event, so the bot's number never depends on the events.
  const selfId = store.numberFor('user', botId)
  const out: WireEvent[] = []
  try {
    for (const event of events) {
      const guildId = guildOfGuildWideNotice(event)
      if (guildId !== undefined && !channels.has(guildId)) await channels.load(guildId)
      const wire = encodeEvent(event, {
        store,
        selfId,
        format,
        channelAs: 'group',
        extensionSegments: karin.extensionSegments,
        defaultChannelOf: (id) => channels.get(id),
      })
      if (wire !== undefined) out.push(wire)
    }
  } finally {
    store.close()
  }
  return out
}

function golden(events: WireEvent[]): string {
  return `${JSON.stringify(events, null, 2)}\n`
}

// --- ids a framework reads as numbers (karin.md §5, onebot-v11.md §A2) ---

/** Top-level fields every framework types as integers. 0 means "KOOK did not say" (documented). */
const ID_FIELDS = [
  'self_id',
  'user_id',
  'group_id',
  'guild_id',
  'channel_id',
  'operator_id',
  'sender_id',
  'target_id',
] as const
const UUID_LIKE = /^[0-9a-fx]{8}-[0-9a-fx]{4}-/i

function describeValue(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value)
  return typeof value === 'string' && UUID_LIKE.test(value) ? `${shown} (a UUID)` : shown
}

function safeId(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

/** A number written as a string in segment data / CQ params: digits only, in range. */
function digitId(value: string | undefined, max = Number.MAX_SAFE_INTEGER): boolean {
  return value !== undefined && /^[1-9]\d*$/.test(value) && Number(value) <= max
}

function cqProblems(cq: string, where: string): string[] {
  const problems: string[] = []
  for (const m of cq.matchAll(/\[CQ:at,qq=([^,\]]*)/g)) {
    if (m[1] !== 'all' && !digitId(m[1])) problems.push(`${where}: at qq=${describeValue(m[1])}`)
  }
  for (const m of cq.matchAll(/\[CQ:reply,id=([^,\]]*)/g)) {
    if (!digitId(m[1], INT32_MAX)) problems.push(`${where}: reply id=${describeValue(m[1])}`)
  }
  return problems
}

function idProblems(wire: WireEvent): string[] {
  const event = wire as unknown as Record<string, unknown>
  const problems: string[] = []
  for (const key of ID_FIELDS) {
    if (key in event && !safeId(event[key], key === 'self_id' ? 1 : 0)) {
      problems.push(`${key} = ${describeValue(event[key])}`)
    }
  }
  if ('message_id' in event && !safeId(event['message_id'], 1, INT32_MAX)) {
    problems.push(`message_id = ${describeValue(event['message_id'])}`)
  }
  const sender = event['sender'] as Record<string, unknown> | undefined
  if (sender !== undefined && !safeId(sender['user_id'], 1)) {
    problems.push(`sender.user_id = ${describeValue(sender['user_id'])}`)
  }
  const message = event['message']
  if (Array.isArray(message)) {
    message.forEach((segment: { type: string; data: Record<string, string> }, i) => {
      const { qq, id } = segment.data
      if (segment.type === 'at' && qq !== 'all' && !digitId(qq)) {
        problems.push(`message[${i}] at.qq = ${describeValue(qq)}`)
      }
      if (segment.type === 'reply' && !digitId(id, INT32_MAX)) {
        problems.push(`message[${i}] reply.id = ${describeValue(id)}`)
      }
    })
  } else if (typeof message === 'string') problems.push(...cqProblems(message, 'message'))
  if (typeof event['raw_message'] === 'string')
    problems.push(...cqProblems(event['raw_message'], 'raw_message'))
  return problems
}

describe('OneBot v11 goldens of the KOOK fixtures (karin profile, group form)', () => {
  it('has fixtures, message ones among them', () => {
    expect(fixtures.length).toBeGreaterThan(0)
    expect(messageFixtures.length).toBeGreaterThan(0)
  })

  it.each(fixtures)('%s (array format)', async (file) => {
    await expect(golden(await render(file, 'array'))).toMatchFileSnapshot(`../golden/onebot/seed/${file}`)
  })

  it.each(messageFixtures)('%s (string format, CQ codes)', async (file) => {
    const cqFile = file.replace(/\.json$/, '.cq.json')
    await expect(golden(await render(file, 'string'))).toMatchFileSnapshot(`../golden/onebot/seed/${cqFile}`)
  })

  it.each(fixtures)('%s: every id a framework reads as a number is one (int32 message ids)', async (file) => {
    const wire = [...(await render(file, 'array')), ...(await render(file, 'string'))]
    expect(wire.flatMap((event, i) => idProblems(event).map((p) => `event ${i}: ${p}`))).toEqual([])
  })

  it('has an id check that catches UUIDs, large numbers and out-of-range message ids', () => {
    const uuid = '0aa83a55-da6a-42bc-a626-6cd044245726'
    const bad = {
      self_id: 3541790628,
      user_id: uuid,
      group_id: 2 ** 53 + 2,
      message_id: 2 ** 31,
      sender: { user_id: 0 },
      message: [
        { type: 'at', data: { qq: uuid } },
        { type: 'reply', data: { id: uuid } },
      ],
      raw_message: `[CQ:reply,id=${uuid}]`,
    } as unknown as WireEvent
    expect(idProblems(bad)).toEqual([
      `user_id = "${uuid}" (a UUID)`,
      'group_id = 9007199254740994',
      'message_id = 2147483648',
      'sender.user_id = 0',
      `message[0] at.qq = "${uuid}" (a UUID)`,
      `message[1] reply.id = "${uuid}" (a UUID)`,
      `raw_message: reply id="${uuid}" (a UUID)`,
    ])
  })

  it('sends nothing for the bot’s own message (Karin would answer it and loop, karin.md §3)', async () => {
    // The same reminder, now as if this bridge's bot (its author) had sent it.
    const author = String(loadKookFixture('GROUP.kmarkdown-bot.json').frame.d['author_id'])
    expect(await render('GROUP.kmarkdown-bot.json', 'array', author)).toEqual([])
    expect(await render('GROUP.kmarkdown-bot.json', 'array')).toHaveLength(1)
  })
})
