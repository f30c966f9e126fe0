/**
 * Validates one KOOK event (`d` of an s=0 frame) and says what it is, without ever throwing.
 *
 * Hot path (performance.md: ~20k+ events/s). So:
 * - the envelope and the discriminating fields (`channel_type`, `type`, `extra.type`) are checked by
 *   hand, with no allocation on success;
 * - then exactly one schema runs: the message extra, or the body row chosen by `extra.type` from the
 *   bodies table (resolved into a Map once, at module load), never a union of every event;
 * - and it runs as its fast check first (fast-schema.ts: compiled from the same zod schema at module
 *   load, zod's exact output without zod's per-field allocations or its first-use code generation),
 *   zod itself only when the fast check is unsure, so every refusal still carries zod's issues;
 * - the event object itself is never copied. Downstream keeps `d` as the raw event, so normalisation
 *   happens in place: the validated sub-object (message `extra`, system `extra.body`, an item `content`)
 *   is swapped for the copy zod produced (same fields, KOOK's inconsistencies ironed out: ids as
 *   strings, 0/1 as booleans, `[]` attachments as null), and numeric `target_id`/`author_id`, a
 *   decimal-string `msg_timestamp` and a null `nonce` are fixed on `d`. Nothing is written to `d` unless
 *   the whole event is valid, so a refused event stays exactly as KOOK sent it.
 */
import type { z } from 'zod'
import type { Metrics } from '../../util/metrics.js'
import { compileFastCheck, type FastCheck, UNSURE } from './fast-schema.js'
import {
  KOOK_SYSTEM_EVENT_TYPE,
  type KookChallengeEvent,
  type KookEventScope,
  type KookMessageEvent,
  type KookSystemEvent,
} from './kook-event.js'
import { kookItemContentSchema } from './kook-item-content.js'
import { kookMessageExtraSchema } from './kook-message-extra.js'
import {
  type KookScopedBodies,
  type KookScopedSystemEventName,
  type KookSystemBody,
  type KookSystemEventName,
  kookSystemBodies,
  kookSystemEventAliases,
} from './kook-system-bodies.js'

export interface KookMessageParsed {
  ok: true
  kind: 'message'
  /** `d` itself, validated and normalised in place. */
  event: KookMessageEvent
}

interface KnownSystemParsed<N extends KookSystemEventName, E> {
  ok: true
  kind: 'system'
  /** `extra.type` with aliases normalised (`deleted_emoji` → `removed_emoji`). */
  name: N
  /** `extra.type` exactly as KOOK sent it. */
  rawName: string
  unknown: false
  /** `d` itself, validated and normalised in place. */
  event: E
}

/** Scoped rows (PERSON vs GROUP `updated_guild`) narrow on `event.channel_type`. */
type KookKnownSystemParsed = {
  [N in KookSystemEventName]: KnownSystemParsed<
    N,
    N extends KookScopedSystemEventName
      ?
          | KookSystemEvent<KookSystemBody<N, 'PERSON'>, 'PERSON'>
          | KookSystemEvent<KookSystemBody<N, 'GROUP'>, 'GROUP' | 'BROADCAST'>
      : KookSystemEvent<KookSystemBody<N>>
  >
}[KookSystemEventName]

/** A system event kookbridge has no row for: a valid envelope, body kept raw and unchecked. */
export interface KookUnknownSystemParsed {
  ok: true
  kind: 'system'
  name: string
  rawName: string
  unknown: true
  event: KookSystemEvent<unknown>
}

export type KookSystemParsed = KookKnownSystemParsed | KookUnknownSystemParsed

export interface KookChallengeParsed {
  ok: true
  kind: 'challenge'
  challenge: string
  verifyToken?: string
  event: KookChallengeEvent
}

/** Where validation stopped: before the kind was known, or inside a message / system / challenge. */
export type KookEventStage = 'envelope' | 'message' | 'system' | 'challenge'

export interface KookEventFailure {
  ok: false
  stage: KookEventStage
  /** Path of the first offending field inside `d`, e.g. `extra.author.id`, `extra.body[0].id`. */
  field: string
  /** Precise and loggable: which event, which id, which field, what was wrong. */
  reason: string
  /** `msg_id` of the event, when it had a string one. */
  msgId?: string
  /** System event name (normalised), when known. */
  name?: string
  /** The input, untouched. */
  raw: unknown
}

export type ParsedKookEvent = KookMessageParsed | KookSystemParsed | KookChallengeParsed | KookEventFailure

type JsonObject = Record<string, unknown>

const DECIMAL = /^-?\d+$/

interface BodyEntry {
  readonly name: KookSystemEventName
  readonly group: z.ZodType
  readonly person: z.ZodType
  /** Fast checks of `group` / `person`; undefined for a schema fast-schema does not mirror (refinements). */
  readonly fastGroup: FastCheck | undefined
  readonly fastPerson: FastCheck | undefined
}

/** Zod's result, from the fast check when it is sure (no zod call, no allocation but the output). */
type Checked = { success: true; data: unknown } | { success: false; error: z.ZodError }

function check(fast: FastCheck | undefined, schema: z.ZodType, value: unknown): Checked {
  if (fast !== undefined) {
    const data = fast(value)
    if (data !== UNSURE) return { success: true, data }
  }
  return schema.safeParse(value)
}

const fastMessageExtra = compileFastCheck(kookMessageExtraSchema)
const fastItemContent = compileFastCheck(kookItemContentSchema)

function isScoped(row: z.ZodType | KookScopedBodies): row is KookScopedBodies {
  return 'PERSON' in row && 'GROUP' in row
}

/**
 * `extra.type` (including aliases) → body schemas, resolved once. A Map, not an object lookup, so an
 * event named "constructor" or "__proto__" cannot reach Object.prototype.
 */
const BODY_ENTRIES: ReadonlyMap<string, BodyEntry> = (() => {
  const entries = new Map<string, BodyEntry>()
  for (const [name, row] of Object.entries(kookSystemBodies) as [
    KookSystemEventName,
    z.ZodType | KookScopedBodies,
  ][]) {
    const group = isScoped(row) ? row.GROUP : row
    const person = isScoped(row) ? row.PERSON : row
    const fastGroup = compileFastCheck(group)
    const fastPerson = person === group ? fastGroup : compileFastCheck(person)
    entries.set(name, { name, group, person, fastGroup, fastPerson })
  }
  for (const [alias, name] of Object.entries(kookSystemEventAliases)) {
    const entry = entries.get(name)
    if (entry !== undefined) entries.set(alias, entry)
  }
  return entries
})()

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value)
  return typeof value
}

function isId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
}

/** Same leniency as `kookMillis`: a number, or a decimal string (read as a number on success). */
function isMillis(value: unknown): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && DECIMAL.test(value)
}

/** Parses one event; see the module comment. Never throws. Counts refused and unknown events. */
export function parseKookEvent(data: unknown, metrics?: Metrics): ParsedKookEvent {
  let result: ParsedKookEvent
  try {
    result = parse(data)
  } catch (cause) {
    // Nothing above should throw on JSON input; this guards the promise made to the ingress.
    result = {
      ok: false,
      stage: 'envelope',
      field: '',
      reason: `KOOK event could not be validated: ${cause instanceof Error ? cause.message : String(cause)}`,
      raw: data,
    }
  }
  if (metrics !== undefined) count(result, metrics)
  return result
}

function count(result: ParsedKookEvent, metrics: Metrics): void {
  if (!result.ok) {
    metrics.inc(
      'kook_events_invalid_total',
      { stage: result.stage, name: result.name ?? '' },
      1,
      'KOOK events refused by the wire model (kept raw)',
    )
  } else if (result.kind === 'system' && result.unknown) {
    metrics.inc(
      'kook_system_events_unknown_total',
      // KOOK names are short identifiers; the cap keeps a hostile name from bloating the series key.
      { name: result.name.slice(0, 64) },
      1,
      'KOOK system events with no body schema (passed through raw)',
    )
  }
}

function parse(data: unknown): ParsedKookEvent {
  if (!isObject(data)) {
    return fail(data, 'envelope', '', undefined, `KOOK event is not an object: got ${describe(data)}`)
  }
  const d = data
  const scope = d['channel_type']
  if (scope === 'WEBHOOK_CHALLENGE') return parseChallenge(d)

  const msgId = typeof d['msg_id'] === 'string' ? (d['msg_id'] as string) : undefined
  const problem = envelopeProblem(d, scope)
  if (problem !== undefined) {
    return fail(d, 'envelope', problem.field, msgId, `KOOK event ${msgId ?? '(no msg_id)'}: ${problem.text}`)
  }
  const extra = d['extra'] as JsonObject
  return d['type'] === KOOK_SYSTEM_EVENT_TYPE
    ? parseSystem(d, extra, scope as KookEventScope, msgId as string)
    : parseMessage(d, extra, msgId as string)
}

interface Problem {
  field: string
  text: string
}

function envelopeProblem(d: JsonObject, scope: unknown): Problem | undefined {
  if (scope !== 'GROUP' && scope !== 'PERSON' && scope !== 'BROADCAST') {
    return {
      field: 'channel_type',
      text: `channel_type: expected GROUP, PERSON, BROADCAST or WEBHOOK_CHALLENGE, got ${describe(scope)}`,
    }
  }
  const type = d['type']
  if (!Number.isSafeInteger(type)) {
    return { field: 'type', text: `type: expected an integer message type, got ${describe(type)}` }
  }
  if (typeof d['msg_id'] !== 'string') {
    return { field: 'msg_id', text: `msg_id: expected a string, got ${describe(d['msg_id'])}` }
  }
  if (!isId(d['target_id'])) {
    return { field: 'target_id', text: `target_id: expected an id, got ${describe(d['target_id'])}` }
  }
  if (!isId(d['author_id'])) {
    return { field: 'author_id', text: `author_id: expected an id, got ${describe(d['author_id'])}` }
  }
  if (!isMillis(d['msg_timestamp'])) {
    return {
      field: 'msg_timestamp',
      text: `msg_timestamp: expected a millisecond timestamp, got ${describe(d['msg_timestamp'])}`,
    }
  }
  const nonce = d['nonce']
  if (nonce !== undefined && nonce !== null && typeof nonce !== 'string') {
    return { field: 'nonce', text: `nonce: expected a string, got ${describe(nonce)}` }
  }
  const verifyToken = d['verify_token']
  if (verifyToken !== undefined && typeof verifyToken !== 'string') {
    return { field: 'verify_token', text: `verify_token: expected a string, got ${describe(verifyToken)}` }
  }
  if (!isObject(d['extra'])) {
    return { field: 'extra', text: `extra: expected an object, got ${describe(d['extra'])}` }
  }
  return undefined
}

/** Applied only once the whole event is valid: the refused ones stay exactly as KOOK sent them. */
function normaliseEnvelope(d: JsonObject): void {
  if (typeof d['target_id'] === 'number') d['target_id'] = String(d['target_id'])
  if (typeof d['author_id'] === 'number') d['author_id'] = String(d['author_id'])
  if (typeof d['msg_timestamp'] === 'string') d['msg_timestamp'] = Number(d['msg_timestamp'])
  if (d['nonce'] === null) d['nonce'] = ''
}

function parseMessage(d: JsonObject, extra: JsonObject, msgId: string): ParsedKookEvent {
  const label = `KOOK message ${msgId} (type ${d['type']})`
  const content = d['content']
  let item: unknown
  if (isObject(content)) {
    // Type 12 (item) content may be an object rather than a string (kook.md §3).
    const checked = check(fastItemContent, kookItemContentSchema, content)
    if (!checked.success) return failIssues(d, 'message', 'content', checked.error, msgId, label)
    item = checked.data
  } else if (typeof content !== 'string') {
    return fail(
      d,
      'message',
      'content',
      msgId,
      `${label}: content: expected a string (or an item object), got ${describe(content)}`,
    )
  }
  const checked = check(fastMessageExtra, kookMessageExtraSchema, extra)
  if (!checked.success) return failIssues(d, 'message', 'extra', checked.error, msgId, label)
  d['extra'] = checked.data
  if (item !== undefined) d['content'] = item
  normaliseEnvelope(d)
  return { ok: true, kind: 'message', event: d as KookMessageEvent }
}

function parseSystem(
  d: JsonObject,
  extra: JsonObject,
  scope: KookEventScope,
  msgId: string,
): ParsedKookEvent {
  const rawName = extra['type']
  if (typeof rawName !== 'string') {
    return fail(
      d,
      'system',
      'extra.type',
      msgId,
      `KOOK system event ${msgId}: extra.type: expected the event name (a string), got ${describe(rawName)}`,
    )
  }
  const entry = BODY_ENTRIES.get(rawName)
  if (entry === undefined) {
    // A valid envelope with a name we have no row for: not an error (architecture.md), kept raw.
    normaliseEnvelope(d)
    return {
      ok: true,
      kind: 'system',
      name: rawName,
      rawName,
      unknown: true,
      event: d as KookSystemEvent<unknown>,
    }
  }
  const checked =
    scope === 'PERSON'
      ? check(entry.fastPerson, entry.person, extra['body'])
      : check(entry.fastGroup, entry.group, extra['body'])
  if (!checked.success) {
    const label = `KOOK system event "${rawName}" ${msgId}`
    return failIssues(d, 'system', 'extra.body', checked.error, msgId, label, entry.name)
  }
  extra['body'] = checked.data
  normaliseEnvelope(d)
  return {
    ok: true,
    kind: 'system',
    name: entry.name,
    rawName,
    unknown: false,
    event: d,
  } as KookKnownSystemParsed
}

function parseChallenge(d: JsonObject): ParsedKookEvent {
  const challenge = d['challenge']
  if (typeof challenge !== 'string') {
    return fail(
      d,
      'challenge',
      'challenge',
      undefined,
      `KOOK webhook challenge: challenge: expected a string, got ${describe(challenge)}`,
    )
  }
  const verifyToken = d['verify_token']
  if (verifyToken !== undefined && typeof verifyToken !== 'string') {
    return fail(
      d,
      'challenge',
      'verify_token',
      undefined,
      `KOOK webhook challenge: verify_token: expected a string, got ${describe(verifyToken)}`,
    )
  }
  const event = d as KookChallengeEvent
  return typeof verifyToken === 'string'
    ? { ok: true, kind: 'challenge', challenge, verifyToken, event }
    : { ok: true, kind: 'challenge', challenge, event }
}

function fail(
  raw: unknown,
  stage: KookEventStage,
  field: string,
  msgId: string | undefined,
  reason: string,
  name?: string,
): KookEventFailure {
  const failure: KookEventFailure = { ok: false, stage, field, reason, raw }
  if (msgId !== undefined) failure.msgId = msgId
  if (name !== undefined) failure.name = name
  return failure
}

/** At most this many zod issues are spelt out in a reason; the rest are counted. */
const MAX_ISSUES = 3

function failIssues(
  d: JsonObject,
  stage: KookEventStage,
  base: string,
  error: z.ZodError,
  msgId: string,
  label: string,
  name?: string,
): KookEventFailure {
  const issues = error.issues
  const parts: string[] = []
  for (const issue of issues.slice(0, MAX_ISSUES))
    parts.push(`${joinPath(base, issue.path)}: ${issue.message}`)
  if (issues.length > MAX_ISSUES) parts.push(`and ${issues.length - MAX_ISSUES} more`)
  const first = issues[0]
  const field = first === undefined ? base : joinPath(base, first.path)
  return fail(d, stage, field, msgId, `${label}: ${parts.join('; ')}`, name)
}

function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`
  return out
}

/**
 * Warm-up at module load: one event of each frequent shape through the fast path, so the first real
 * events do not pay V8's lazy compilation of the parser and of the generated checks. Measured with
 * bench/kook-wire-bench.ts (fresh process, median of 5): without it the first text event took
 * ~0.57 ms and events 2–10 ~13 µs each; the warm-up itself costs about as much once, at start.
 * The samples are valid by construction; a refusal here would only mean a slower first event.
 */
function warmUp(): void {
  const author = { id: '2418239356', username: 'warm', identify_num: '0001', roles: [1], bot: false }
  const envelope = { target_id: '1', author_id: '2418239356', msg_timestamp: 1, nonce: '' }
  const events: JsonObject[] = [
    {
      ...envelope,
      channel_type: 'GROUP',
      type: 9,
      msg_id: 'warm-1',
      content: '(met)1(met) hi',
      extra: {
        type: 9,
        guild_id: '1',
        channel_name: 'c',
        channel_type: 1,
        mention: ['1'],
        mention_all: false,
        mention_roles: [],
        mention_here: false,
        nav_channels: [],
        code: '',
        author,
        kmarkdown: {
          raw_content: '@a hi',
          mention_part: [{ id: '1', username: 'a' }],
          mention_role_part: [],
        },
        quote: { id: 'q', rong_id: 'q', type: 1, content: 'x', create_at: 1, author },
        attachments: [],
      },
    },
    {
      ...envelope,
      channel_type: 'PERSON',
      type: 1,
      msg_id: 'warm-2',
      content: 'hi',
      extra: { type: 1, code: 'c', author },
    },
    {
      ...envelope,
      channel_type: 'GROUP',
      type: 255,
      msg_id: 'warm-3',
      content: '[系统消息]',
      extra: {
        type: 'added_reaction',
        body: { msg_id: 'm', user_id: '1', channel_id: '1', emoji: { id: '[#128077;]', name: '[#128077;]' } },
      },
    },
  ]
  for (const event of events) parse(event)
}
warmUp()
