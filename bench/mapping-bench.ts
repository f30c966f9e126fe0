/**
 * Mapping benchmark (first section of `npm run bench`): the compiled mapping table against a
 * hand-written translation of the same KOOK events, in the same process, interleaved round by round.
 *
 * Events: a channel KMarkdown message with a user mention, a role mention and a quote; joined_guild;
 * added_reaction. The hand-written translation produces exactly the BridgeEvents the table produces
 * (checked before timing) with the same content codecs, so the difference is the table machinery:
 * dispatch index, compiled field code, coercions.
 *
 * Method: warm-up, then ROUNDS rounds; in each, every variant maps every event ITERATIONS times (the
 * order of the two variants alternates between rounds). Figures are medians over rounds; the ratio is
 * the median of the per-round ratios, robust on a noisy shared VM.
 *
 * Run alone: `npx tsx bench/mapping-bench.ts`.
 */

import { pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { parseKmarkdown } from '../src/content/parse-kmarkdown.js'
import { loadMappingTable } from '../src/mapping/load-mapping-table.js'
import type { MappingContext } from '../src/mapping/mapping-context.js'
import type { BridgeEvent, RawKookEvent, Sender } from '../src/model/bridge-event.js'
import type { Element } from '../src/model/element.js'
import { type BenchRow, renderBenchTable } from './bench-row.js'

const SECTION = 'mapping'
const ROUNDS = 9
const ITERATIONS = 50_000
const WARMUP = 100_000

const author = {
  id: '2418239356',
  username: 'Bob',
  identify_num: '0042',
  online: true,
  os: 'iOS',
  status: 1,
  avatar: 'https://img.kookapp.cn/avatars/2024-11/241823Qx8Rk2.png?x-oss-process=style/icon',
  vip_avatar: 'https://img.kookapp.cn/avatars/2024-11/241823Qx8Rk2.png?x-oss-process=style/icon',
  banner: '',
  nickname: 'Bob',
  roles: [2581],
  is_vip: false,
  bot: false,
  tag_info: null,
}

const textMessage: RawKookEvent = {
  channel_type: 'GROUP',
  type: 9,
  target_id: '4588163096275438',
  author_id: '2418239356',
  content: '(met)1875604312(met) 收到，(rol)2581(rol) 八点见',
  msg_id: '6bde4567-d96b-4b6b-a004-508233f26fdf',
  msg_timestamp: 1735716085977,
  nonce: '',
  extra: {
    type: 9,
    guild_id: '3987615236490215',
    channel_name: '闲聊',
    channel_type: 1,
    mention: ['1875604312'],
    mention_all: false,
    mention_roles: [2581],
    mention_here: false,
    nav_channels: [],
    code: '',
    kmarkdown: {
      raw_content: '@爱丽丝 收到，@管理员 八点见',
      mention_part: [{ id: '1875604312', username: '爱丽丝', full_name: '爱丽丝#2718', avatar: '' }],
      mention_role_part: [
        { role_id: 2581, name: '管理员', color: 0, position: 1, hoist: 1, mentionable: 1, permissions: 1 },
      ],
      channel_part: [],
      item_part: [],
    },
    quote: {
      id: 'b0599681-bd48-45b5-9924-c68ef847ed18',
      rong_id: 'fcf3d4f5-f033-4ed4-87af-3425b64de85e',
      type: 9,
      content: '明天几点集合？',
      create_at: 1735715724740,
      author,
    },
    author,
  },
}

const joinedGuild: RawKookEvent = {
  channel_type: 'GROUP',
  type: 255,
  target_id: '60163000000000',
  author_id: '1',
  content: '[系统消息]',
  extra: { type: 'joined_guild', body: { user_id: '3891000000', joined_at: 1612774315000 } },
  msg_id: 'bcc9abbd-0000-61c6a976be5d',
  msg_timestamp: 1612774315732,
  nonce: '',
  verify_token: 'xxx',
}

const addedReaction: RawKookEvent = {
  channel_type: 'GROUP',
  type: 255,
  target_id: '60163800000000',
  author_id: '1',
  content: '[系统消息]',
  extra: {
    type: 'added_reaction',
    body: {
      channel_id: '5823400000000',
      emoji: { id: '[#128226;]', name: '[#128226;]' },
      user_id: '2418000000',
      msg_id: '59def270-0000-0000-0000-8db935e054a1',
    },
  },
  msg_id: 'abd87680-0000-0000-0000-a56107a48e12',
  msg_timestamp: 1612703779612,
  nonce: '',
  verify_token: 'xxxx',
}

// ── the hand-written translation: what a careful engineer would write for these three kinds ──────

type Rec = Record<string, unknown>
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' ? (v as Rec) : {})
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined

function handSender(context: MappingContext, a: Rec, authorId: unknown, guildId: string | undefined): Sender {
  const id = str(a['id']) ?? str(authorId) ?? ''
  const roles: number[] = []
  const raw = a['roles']
  if (Array.isArray(raw)) for (const r of raw) if (typeof r === 'number') roles.push(r)
  const inGuild = guildId !== undefined && guildId !== ''
  const sender: Sender = {
    id,
    name: str(a['username']) ?? '',
    nickname: inGuild ? (str(a['nickname']) ?? '') : '',
    bot: a['bot'] === true,
    roles,
    role: inGuild ? (context.roleOf?.(guildId, id, roles) ?? 'member') : 'unknown',
  }
  const avatar = str(a['avatar'])
  if (avatar) sender.avatar = avatar
  return sender
}

function handMessage(d: RawKookEvent, context: MappingContext, extra: Rec): BridgeEvent {
  const guildId = str(extra['guild_id'])
  const kmd = rec(extra['kmarkdown'])
  const elements: Element[] = parseKmarkdown(str(d['content']) ?? '', kmd)
  const quote = extra['quote']
  if (quote !== null && typeof quote === 'object') {
    const q = quote as Rec
    const id = str(q['rong_id']) || str(q['id'])
    if (id) elements.unshift({ type: 'reply', messageId: id })
  }
  const raw = str(kmd['raw_content'])
  const e: BridgeEvent = {
    type: 'message',
    eventId: str(d['msg_id']) ?? '',
    time: d['msg_timestamp'] as number,
    rowId: 'message.channel.kmarkdown',
    scene: 'channel',
    messageId: str(d['msg_id']) ?? '',
    kookType: 9,
    sender: handSender(context, rec(extra['author']), d['author_id'], guildId),
    elements,
    plainText: raw ? raw : '',
    self: d['author_id'] === context.selfId,
    raw: d,
  }
  if (guildId !== undefined) e.guildId = guildId
  const channelId = str(d['target_id'])
  if (channelId !== undefined) e.channelId = channelId
  const channelName = str(extra['channel_name'])
  if (channelName !== undefined) e.channelName = channelName
  const nonce = str(d['nonce'])
  if (nonce) e.nonce = nonce
  return e
}

function handTranslate(d: RawKookEvent, context: MappingContext): BridgeEvent[] {
  const extra = rec(d['extra'])
  if (d['channel_type'] === 'GROUP' && d['type'] === 9) return [handMessage(d, context, extra)]
  if (d['type'] !== 255) return []
  const body = rec(extra['body'])
  switch (extra['type']) {
    case 'joined_guild':
      return [
        {
          type: 'notice.member_increase',
          eventId: str(d['msg_id']) ?? '',
          time: d['msg_timestamp'] as number,
          rowId: 'notice.member_increase',
          guildId: str(d['target_id']) ?? '',
          userId: str(body['user_id'] ?? body['id']) ?? '',
          raw: d,
        },
      ]
    case 'added_reaction': {
      const emoji = rec(body['emoji'])
      const e: BridgeEvent = {
        type: 'notice.reaction',
        eventId: str(d['msg_id']) ?? '',
        time: d['msg_timestamp'] as number,
        rowId: 'notice.reaction.channel',
        added: true,
        scene: 'channel',
        messageId: str(body['msg_id']) ?? '',
        userId: str(body['user_id']) ?? '',
        emoji: { id: str(emoji['id']) ?? '', name: str(emoji['name']) ?? str(emoji['id']) ?? '' },
        raw: d,
      }
      const guildId = str(d['target_id'])
      if (guildId !== undefined) e.guildId = guildId
      const channelId = str(body['channel_id'])
      if (channelId !== undefined) e.channelId = channelId
      return [e]
    }
    default:
      return []
  }
}

// ── timing ─────────────────────────────────────────────────────────────────────────────────────

type Mapper = (d: RawKookEvent) => BridgeEvent[]
let sink = 0

function nsPerOp(map: Mapper, d: RawKookEvent, iterations: number): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) sink += map(d).length
  return Number(process.hrtime.bigint() - start) / iterations
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

export async function runMappingBench(): Promise<BenchRow[]> {
  const table = loadMappingTable()
  const context: MappingContext = { selfId: '3541790628' }
  const compiled: Mapper = (d) => table.map(d, context)
  const hand: Mapper = (d) => handTranslate(d, context)
  const events = [
    { name: 'text message (2 mentions + quote)', d: textMessage },
    { name: 'joined_guild', d: joinedGuild },
    { name: 'added_reaction', d: addedReaction },
  ]
  // Same output, or the comparison means nothing.
  for (const { name, d } of events) {
    if (!isDeepStrictEqual(compiled(d), hand(d)))
      throw new Error(`hand-written translation differs for ${name}`)
  }
  for (const { d } of events) {
    nsPerOp(compiled, d, WARMUP)
    nsPerOp(hand, d, WARMUP)
  }
  const samples = events.map(() => ({ compiled: [] as number[], hand: [] as number[] }))
  const ratios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    let compiledSum = 0
    let handSum = 0
    events.forEach(({ d }, i) => {
      const s = samples[i]
      if (s === undefined) return
      const order = round % 2 === 0 ? ['compiled', 'hand'] : ['hand', 'compiled']
      for (const variant of order) {
        const ns = nsPerOp(variant === 'compiled' ? compiled : hand, d, ITERATIONS)
        if (variant === 'compiled') {
          s.compiled.push(ns)
          compiledSum += ns
        } else {
          s.hand.push(ns)
          handSum += ns
        }
      }
    })
    ratios.push(compiledSum / handSum)
  }
  const rows: BenchRow[] = []
  events.forEach(({ name }, i) => {
    const s = samples[i]
    if (s === undefined) return
    rows.push({
      section: SECTION,
      name: `${name}: compiled table`,
      value: median(s.compiled),
      unit: 'ns/event',
    })
    rows.push({ section: SECTION, name: `${name}: hand-written`, value: median(s.hand), unit: 'ns/event' })
  })
  const ratio = median(ratios)
  rows.push({
    section: SECTION,
    name: 'compiled ÷ hand-written (3-event mix)',
    value: ratio,
    unit: '×',
    target: '≤ 1.3×',
    pass: ratio <= 1.3,
  })
  const textNs = median(samples[0]?.compiled ?? [])
  const perSecond = 1e9 / textNs
  rows.push({
    section: SECTION,
    name: 'text messages through the compiled table',
    value: perSecond,
    unit: 'events/s',
    target: '≥ 2,000,000/s',
    pass: perSecond >= 2_000_000,
  })
  if (sink === -1) rows.push({ section: SECTION, name: 'sink', value: sink, unit: '' })
  return rows
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runMappingBench()
  process.stdout.write(`${renderBenchTable(rows)}\n`)
}
