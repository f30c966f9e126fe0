/**
 * The named functions a mapping row may call: the only behaviour the table has that is code. Each entry
 * declares its parameters and result kind so a row is checked at load time (unknown function, wrong
 * arity, an `elements` field fed a plain path…), never at the first event.
 *
 * Every function is pure, never throws, and treats KOOK input as untrusted (`unknown`). Functions marked
 * `env` also receive the mapping context and a problem counter as their first two arguments.
 * mappings/README.md documents each one; a test keeps that list complete.
 */
import { parseAttachment } from '../content/parse-attachment.js'
import { parseCard } from '../content/parse-card.js'
import { type KmarkdownParts, parseKmarkdown } from '../content/parse-kmarkdown.js'
import { parseLegacyText } from '../content/parse-legacy-text.js'
import { textOfElements } from '../content/text-of-elements.js'
import type { Sender } from '../model/bridge-event.js'
import type { Element } from '../model/element.js'
import { toList, toNum, toStr } from './coerce-value.js'
import type { MappingContext } from './mapping-context.js'

/** What an expression produces, statically. `any` is raw KOOK data (a path): coerced per field kind. */
export type ValueKind =
  | 'any'
  | 'string'
  | 'number'
  | 'boolean'
  | 'elements'
  | 'sender'
  | 'emoji'
  | 'object'
  | 'list'

/** Counts a content problem (e.g. `card_invalid_json`) without interrupting the mapping. */
export type ProblemCounter = (problem: string) => void

export interface MappingFunction {
  summary: string
  params: ReadonlyArray<{ name: string; kind: ValueKind }>
  /** The last parameter may repeat (zero or more times). */
  variadic?: true
  returns: ValueKind
  /** Receives `(context, count, ...args)`. */
  env?: true
  /** Never returns undefined (lets the compiler skip the "required field missing" check). */
  total?: true
  impl: (...args: never[]) => unknown
}

type Rec = Record<string, unknown>

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function partsOf(v: unknown): KmarkdownParts | undefined {
  return isRec(v) ? (v as KmarkdownParts) : undefined
}

/** Read-only stand-in for a missing author: saves an allocation per event (never written to). */
const NO_AUTHOR: Rec = Object.freeze({})

/**
 * The role ids of `extra.author.roles` as numbers. KOOK sends an array of integers: it is copied in one
 * go (an exact-size copy, instead of a list grown push by push); anything else goes through toNum.
 */
function roleList(raw: unknown): number[] {
  if (!Array.isArray(raw)) return []
  let plain = true
  for (let k = 0; k < raw.length; k++) {
    const r: unknown = raw[k]
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      plain = false
      break
    }
  }
  if (plain) return (raw as number[]).slice()
  const roles: number[] = []
  for (let k = 0; k < raw.length; k++) {
    const n = toNum(raw[k])
    if (n !== undefined) roles.push(n)
  }
  return roles
}

function buildSender(context: MappingContext, author: unknown, authorId: unknown, guildId: unknown): Sender {
  const a = isRec(author) ? author : NO_AUTHOR
  const id = toStr(a['id']) ?? toStr(authorId) ?? ''
  const roles = roleList(a['roles'])
  const guild = toStr(guildId)
  const inGuild = guild !== undefined && guild !== ''
  const name = toStr(a['username']) ?? ''
  // KOOK's `nickname` is the guild nickname; a DM has no guild, so no nickname (OneBot `card`).
  const nickname = inGuild ? (toStr(a['nickname']) ?? '') : ''
  const bot = a['bot'] === true
  // The event carries no owner/admin facts (kook.md §9): ask the context, else 'member'. A DM has no
  // guild role at all: 'unknown'.
  const role = inGuild ? (context.roleOf?.(guild, id, roles) ?? 'member') : 'unknown'
  const avatar = toStr(a['avatar'])
  // One literal per shape (avatar last, where adding it would put it) instead of adding `avatar`
  // afterwards: no map transition and no out-of-object property store per event.
  return avatar ? { id, name, nickname, bot, roles, role, avatar } : { id, name, nickname, bot, roles, role }
}

function looksLikeCardJson(s: string): boolean {
  const t = s.trimStart()
  if (!t.startsWith('[') && !t.startsWith('{')) return false
  try {
    const v: unknown = JSON.parse(s)
    const first: unknown = Array.isArray(v) ? v[0] : v
    return isRec(first) && first['type'] === 'card'
  } catch {
    return false
  }
}

/**
 * KOOK may send type-12 content as an object `{type:"item", data:{user_id, target_id, item_id}}` (kook.md
 * §3), e.g. a "poke" (拍一拍): the author used item `item_id` on `target_id`. The item's name and
 * description come with the message in `extra.kmarkdown.item_part`.
 */
function itemElements(content: unknown, parts: KmarkdownParts | undefined): Element[] {
  if (typeof content === 'string') return parseKmarkdown(content, parts)
  const raw = toStr(parts?.raw_content)
  if (raw) return [{ type: 'text', text: raw }]
  const data = isRec(content) && isRec(content['data']) ? content['data'] : {}
  const itemId = toStr(data['item_id'])
  let label: string | undefined
  const items = isRec(parts) ? (parts as Rec)['item_part'] : undefined
  if (Array.isArray(items)) {
    for (const it of items) {
      if (isRec(it) && itemId !== undefined && toStr(it['id']) === itemId) {
        label = toStr(it['desc']) || toStr(it['name'])
        break
      }
    }
  }
  const text = label ?? (itemId === undefined ? '[item]' : `[item ${itemId}]`)
  const target = toStr(data['target_id'])
  return target
    ? [
        { type: 'text', text: `${text} ` },
        { type: 'mention', kind: 'user', id: target },
      ]
    : [{ type: 'text', text }]
}

const any = (name: string) => ({ name, kind: 'any' as const })

export const functionRegistry = {
  str: {
    summary: 'The value as a string: strings as they are, numbers in decimal; anything else is nothing.',
    params: [any('value')],
    returns: 'string',
    impl: (v: unknown) => toStr(v),
  },
  num: {
    summary: 'The value as a number: numbers, numeric strings; anything else is nothing.',
    params: [any('value')],
    returns: 'number',
    impl: (v: unknown) => toNum(v),
  },
  nonEmpty: {
    summary: 'The value as a string, but nothing for "" (KOOK writes "" for absent nonce, code, target_id).',
    params: [any('value')],
    returns: 'string',
    impl: (v: unknown) => {
      const s = toStr(v)
      return s === '' ? undefined : s
    },
  },
  ms: {
    summary: 'A KOOK timestamp in milliseconds (number or numeric string).',
    params: [any('value')],
    returns: 'number',
    impl: (v: unknown) => toNum(v),
  },
  secondsToMs: {
    summary: 'A timestamp in seconds, converted to milliseconds.',
    params: [any('value')],
    returns: 'number',
    impl: (v: unknown) => {
      const n = toNum(v)
      return n === undefined ? undefined : n * 1000
    },
  },
  eq: {
    summary: 'True when both values are equal (ids compared as strings, so 123 equals "123").',
    params: [any('a'), any('b')],
    returns: 'boolean',
    total: true,
    impl: (a: unknown, b: unknown) => {
      if (a === b) return true
      const sa = toStr(a)
      return sa !== undefined && sa === toStr(b)
    },
  },
  join: {
    summary: 'The values as strings, concatenated; missing values are skipped.',
    params: [any('part')],
    variadic: true,
    returns: 'string',
    total: true,
    impl: (...parts: unknown[]) => {
      let out = ''
      for (const p of parts) out += toStr(p) ?? ''
      return out
    },
  },
  list: {
    summary: 'An array as it is, a single value as a one-element array, nothing as [].',
    params: [any('value')],
    returns: 'list',
    total: true,
    impl: (v: unknown) => toList(v),
  },
  idList: {
    summary: 'An array of ids as strings (old events sent mention ids as numbers).',
    params: [any('value')],
    returns: 'list',
    total: true,
    impl: (v: unknown) => {
      const out: string[] = []
      for (const item of toList(v)) {
        const s = toStr(item)
        if (s !== undefined) out.push(s)
      }
      return out
    },
  },
  scene: {
    summary: 'A KOOK channel_type string as a scene: GROUP → channel, PERSON → direct.',
    params: [any('channelType')],
    returns: 'string',
    impl: (v: unknown) => (v === 'GROUP' ? 'channel' : v === 'PERSON' ? 'direct' : undefined),
  },
  muteKind: {
    summary: 'A KOOK guild-mute type (1 or "1" mic, 2 or "2" headset) as mic / headset.',
    params: [any('type')],
    returns: 'string',
    impl: (v: unknown) => {
      const s = toStr(v)
      return s === '1' ? 'mic' : s === '2' ? 'headset' : undefined
    },
  },
  sender: {
    summary:
      'The sender from extra.author, the author id and the guild id; the role comes from the context roleOf (default member; unknown in DMs).',
    params: [any('author'), any('authorId'), any('guildId')],
    returns: 'sender',
    total: true,
    env: true,
    impl: (
      context: MappingContext,
      _count: ProblemCounter,
      author: unknown,
      authorId: unknown,
      guildId: unknown,
    ) => buildSender(context, author, authorId, guildId),
  },
  kmarkdown: {
    summary: 'Elements of KMarkdown content; mention names come from extra.kmarkdown parts.',
    params: [any('content'), any('parts')],
    returns: 'elements',
    total: true,
    impl: (content: unknown, parts: unknown) => parseKmarkdown(toStr(content) ?? '', partsOf(parts)),
  },
  legacyText: {
    summary: 'Elements of legacy type-1 text (@name#id, @role:id;, #channel:id;, @全体成员, [:name:id]).',
    params: [any('content'), any('mentionIds')],
    returns: 'elements',
    total: true,
    impl: (content: unknown, mention: unknown) =>
      parseLegacyText(
        toStr(content) ?? '',
        Array.isArray(mention) ? (functionRegistry.idList.impl(mention) as string[]) : undefined,
      ),
  },
  attachment: {
    summary: 'The media element of a type 2/3/4/8 message from its type, content URL and extra.attachments.',
    params: [any('type'), any('content'), any('attachments')],
    returns: 'elements',
    total: true,
    impl: (type: unknown, content: unknown, attachments: unknown) =>
      parseAttachment(type, content, attachments),
  },
  card: {
    summary:
      'The card element of type-10 content followed by the text, media and buttons recovered from it; mention names from parts.',
    params: [any('content'), any('parts')],
    returns: 'elements',
    total: true,
    env: true,
    impl: (_context: MappingContext, count: ProblemCounter, content: unknown, parts: unknown) =>
      parseCard(toStr(content) ?? '', count, partsOf(parts)),
  },
  autoContent: {
    summary:
      'Elements of content whose type is not given (message edits): card JSON if it is one, else KMarkdown.',
    params: [any('content'), any('parts')],
    returns: 'elements',
    total: true,
    env: true,
    impl: (_context: MappingContext, count: ProblemCounter, content: unknown, parts: unknown): Element[] => {
      const s = toStr(content) ?? ''
      return looksLikeCardJson(s) ? parseCard(s, count, partsOf(parts)) : parseKmarkdown(s, partsOf(parts))
    },
  },
  item: {
    summary:
      'Elements of a type-12 item message: KMarkdown when content is text; for {type:"item", data} the item\'s description from parts.item_part, then a mention of data.target_id.',
    params: [any('content'), any('parts')],
    returns: 'elements',
    total: true,
    impl: (content: unknown, parts: unknown): Element[] => itemElements(content, partsOf(parts)),
  },
  withReply: {
    summary: 'The elements with a reply in front when a quote is present (quoted id: rong_id, else id).',
    params: [any('quote'), { name: 'elements', kind: 'elements' }],
    returns: 'elements',
    total: true,
    impl: (quote: unknown, elements: Element[]): Element[] => {
      if (!isRec(quote)) return elements
      // satori and lonelyevil read `rong_id` as the quoted message id; `id` is the fallback (kook.md §3).
      const id = toStr(quote['rong_id']) || toStr(quote['id'])
      if (id) {
        // Shifted up by hand: Array.prototype.unshift leaves optimised code for a C++ builtin, which
        // cost more than the whole move for these short lists (bench/mapping-bench.ts).
        let k = elements.length
        if (k > 0) {
          elements.push(elements[k - 1] as Element)
          while (--k > 0) elements[k] = elements[k - 1] as Element
        }
        elements[0] = { type: 'reply', messageId: id }
      }
      return elements
    },
  },
  textOf: {
    summary: 'The plain text of elements (mentions as @name).',
    params: [{ name: 'elements', kind: 'elements' }],
    returns: 'string',
    total: true,
    impl: (elements: Element[]) => textOfElements(elements),
  },
} as const satisfies Record<string, MappingFunction>

export type FunctionName = keyof typeof functionRegistry

export function lookupFunction(name: string): MappingFunction | undefined {
  return Object.hasOwn(functionRegistry, name)
    ? (functionRegistry as Record<string, MappingFunction>)[name]
    : undefined
}
