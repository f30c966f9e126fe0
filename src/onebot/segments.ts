/**
 * Element ↔ OneBot segment.
 *
 * Outbound (`encodeSegments`): only standard segment types unless the profile allows extensions,
 * because Karin turns an unknown type into a text element holding its JSON and then misses commands
 * (karin.md §3). Every id is the number the rest of the endpoint uses (`at.qq` = `user_id`, `reply.id` =
 * `message_id`), written as a string since segment data values are strings (onebot-v11.md §A5).
 *
 * Inbound (`decodeSegment`): one segment → elements, synchronously. Media keep their source in `url`
 * (`http(s)://`, `base64://`, `file://`); `decode-message.ts` reads them. Problems are BAD_PARAMS
 * errors naming the segment index and the field.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Button, Element, MentionElement } from '../model/element.js'
import type { BridgeStore } from '../store/bridge-store.js'
import { idDigits, kookIdFor } from './kook-id-for.js'
import { type MessagePlace, messageNumberFor } from './message-number.js'
import type { InboundSegment, Segment } from './types.js'

export interface EncodeSegmentsContext {
  store: BridgeStore
  extensionSegments: boolean
  /** Where the message holding these elements lives: an unknown reply target is assumed to be there. */
  place: MessagePlace
}

/** KOOK's own wording for @在线成员, used when `here` has to become text. */
const HERE_TEXT = '@在线成员'

function text(value: string): Segment {
  return { type: 'text', data: { text: value } }
}

function mentionSegment(el: MentionElement, ctx: EncodeSegmentsContext): Segment | undefined {
  switch (el.kind) {
    case 'user': {
      if (el.id === undefined) return undefined
      const data: Record<string, string> = { qq: String(ctx.store.numberFor('user', el.id)) }
      if (el.name !== undefined) data['name'] = el.name
      return { type: 'at', data }
    }
    case 'all':
      return { type: 'at', data: { qq: 'all' } }
    case 'here':
      return ctx.extensionSegments ? { type: 'kook_mention', data: { kind: 'here' } } : text(HERE_TEXT)
    case 'role':
    case 'channel': {
      if (el.id === undefined) return undefined
      // Channel ids are numbers everywhere else; role ids are small KOOK integers already.
      const id = el.kind === 'channel' ? String(ctx.store.numberFor('channel', el.id)) : el.id
      if (!ctx.extensionSegments) return text(`${el.kind === 'role' ? '@' : '#'}${el.name ?? id}`)
      const data: Record<string, string> = { kind: el.kind, id }
      if (el.name !== undefined) data['name'] = el.name
      return { type: 'kook_mention', data }
    }
  }
}

function media(type: string, url: string, extra: Record<string, string | undefined> = {}): Segment {
  const data: Record<string, string> = { file: url, url }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) data[key] = value
  return { type, data }
}

function encodeOne(el: Element, ctx: EncodeSegmentsContext): Segment | undefined {
  switch (el.type) {
    case 'text':
      return text(el.text)
    case 'mention':
      return mentionSegment(el, ctx)
    case 'reply':
      return { type: 'reply', data: { id: String(messageNumberFor(ctx.store, el.messageId, ctx.place)) } }
    case 'image':
      return media('image', el.url)
    case 'video':
      return media('video', el.url)
    case 'audio':
      return media('record', el.url)
    case 'file':
      return media('file', el.url, {
        name: el.name,
        file_size: el.size === undefined ? undefined : String(el.size),
      })
    case 'emoji':
      // A unicode emoji is just text to every framework; a guild emoji is the nearest thing to a QQ face.
      if (el.kind === 'unicode') return text(el.id)
      return el.name === undefined
        ? { type: 'face', data: { id: el.id } }
        : { type: 'face', data: { id: el.id, name: el.name } }
    case 'kmarkdown':
      return ctx.extensionSegments ? { type: 'markdown', data: { content: el.content } } : text(el.content)
    case 'card':
      // `json` is a standard segment and Karin understands it; the card's readable parts follow as
      // ordinary elements (parse-card.ts), so commands still match.
      return { type: 'json', data: { data: el.json } }
    case 'buttons':
      // Buttons mean nothing to a framework without KOOK support: dropped unless extensions are allowed.
      return ctx.extensionSegments
        ? { type: 'kook_buttons', data: { buttons: JSON.stringify(el.buttons) } }
        : undefined
  }
}

/** Elements → segments; adjacent text is merged. */
export function encodeSegments(elements: readonly Element[], ctx: EncodeSegmentsContext): Segment[] {
  const out: Segment[] = []
  for (const el of elements) {
    const segment = encodeOne(el, ctx)
    if (segment === undefined) continue
    const last = out[out.length - 1]
    if (segment.type === 'text' && last?.type === 'text') {
      last.data['text'] = (last.data['text'] ?? '') + (segment.data['text'] ?? '')
    } else out.push(segment)
  }
  return out.filter((s) => s.type !== 'text' || s.data['text'] !== '')
}

// ---------------------------------------------------------------------------------------------------
// Inbound

export interface DecodeSegmentContext {
  store: BridgeStore
}

function badParams(where: string, problem: string): BridgeError {
  return new BridgeError(ErrorCode.BadParams, `${where}: ${problem}`)
}

/** Segment data values may come as numbers or booleans; objects (forward nodes) are not strings. */
function field(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key]
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

function requireField(data: Record<string, unknown>, key: string, where: string): string {
  const value = field(data, key)
  if (value === undefined || value === '') throw badParams(where, `data.${key} is required`)
  return value
}

function decodeAt(data: Record<string, unknown>, where: string, ctx: DecodeSegmentContext): Element {
  const qq = requireField(data, 'qq', where)
  if (qq === 'all') return { type: 'mention', kind: 'all' }
  const digits = idDigits(qq)
  if (digits === undefined) throw badParams(where, `data.qq must be a user id or "all", got "${qq}"`)
  const mention: MentionElement = { type: 'mention', kind: 'user', id: kookIdFor(ctx.store, 'user', digits) }
  const name = field(data, 'name')
  if (name) mention.name = name
  return mention
}

function decodeReply(data: Record<string, unknown>, where: string, ctx: DecodeSegmentContext): Element {
  const id = requireField(data, 'id', where)
  const digits = idDigits(id)
  if (digits !== undefined) {
    const record = ctx.store.getMessageByNumber(Number(digits))
    if (!record) throw new BridgeError(ErrorCode.NotFound, `${where}: no message with message_id ${id}`)
    return { type: 'reply', messageId: record.msgId }
  }
  // Not a number: a KOOK msg_id given directly (hand-written calls); KOOK itself judges it.
  return { type: 'reply', messageId: ctx.store.getMessage(id)?.msgId ?? id }
}

const MEDIA_TYPES = { image: 'image', record: 'audio', video: 'video', file: 'file' } as const

function decodeMedia(type: keyof typeof MEDIA_TYPES, data: Record<string, unknown>, where: string): Element {
  const file = field(data, 'file')
  const url = field(data, 'url')
  // `file` carries the source when sending; a received segment sent back keeps it in `url` (gocq's
  // `file` is then a cache name we cannot resolve).
  const source = file && /^(https?|base64|file):\/\//i.test(file) ? file : url || file
  if (!source) throw badParams(where, 'data.file is required (http(s)://, base64:// or file://)')
  const element = { type: MEDIA_TYPES[type], url: source } as Element & { name?: string }
  const name = field(data, 'name')
  if (name) element.name = name
  return element
}

function decodeFace(data: Record<string, unknown>, where: string): Element {
  const id = requireField(data, 'id', where)
  const name = field(data, 'name')
  // `guildId/code` is what we emit for KOOK server emoji; a numeric id is a QQ face KOOK cannot show.
  if (id.includes('/'))
    return name ? { type: 'emoji', kind: 'guild', id, name } : { type: 'emoji', kind: 'guild', id }
  if (/^\d+$/.test(id)) return { type: 'text', text: `[face:${id}]` }
  return { type: 'emoji', kind: 'unicode', id }
}

function decodeMarkdown(data: Record<string, unknown>, where: string): Element {
  let content = field(data, 'content') ?? field(data, 'data')
  if (content === undefined) throw badParams(where, 'data.content is required')
  // Gensokyo's form: data = base64://… or a JSON object holding `content`.
  if (content.startsWith('base64://')) content = Buffer.from(content.slice(9), 'base64').toString('utf8')
  else if (content.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(content)
      if (isRecord(parsed) && typeof parsed['content'] === 'string') content = parsed['content']
    } catch {
      // not JSON: the markdown itself
    }
  }
  return { type: 'kmarkdown', content }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCard(value: unknown): boolean {
  return isRecord(value) && value['type'] === 'card' && Array.isArray(value['modules'])
}

/** A `json` segment is a KOOK card when it parses as a card object or a non-empty array of them. */
export function cardJsonOf(json: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return undefined
  }
  if (isCard(parsed)) return JSON.stringify([parsed])
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(isCard)) return JSON.stringify(parsed)
  return undefined
}

const BUTTON_ACTIONS = new Set(['link', 'return'])

function decodeButtons(data: Record<string, unknown>, where: string): Element {
  const raw = requireField(data, 'buttons', where)
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw badParams(where, 'data.buttons must be a JSON array')
  }
  if (!Array.isArray(parsed)) throw badParams(where, 'data.buttons must be a JSON array')
  const buttons: Button[] = parsed.map((item, i) => {
    if (
      !isRecord(item) ||
      typeof item['text'] !== 'string' ||
      typeof item['value'] !== 'string' ||
      !BUTTON_ACTIONS.has(String(item['action']))
    ) {
      throw badParams(where, `data.buttons[${i}] needs text, value and action "link" or "return"`)
    }
    return item as unknown as Button
  })
  return { type: 'buttons', buttons }
}

function decodeKookMention(data: Record<string, unknown>, where: string, ctx: DecodeSegmentContext): Element {
  const kind = field(data, 'kind')
  if (kind === 'here') return { type: 'mention', kind: 'here' }
  if (kind !== 'role' && kind !== 'channel') {
    throw badParams(where, `data.kind must be "role", "channel" or "here", got "${kind ?? ''}"`)
  }
  const id = requireField(data, 'id', where)
  const digits = idDigits(id)
  if (digits === undefined) throw badParams(where, `data.id must be numeric, got "${id}"`)
  return { type: 'mention', kind, id: kind === 'channel' ? kookIdFor(ctx.store, 'channel', digits) : digits }
}

/** Segments that have no KOOK counterpart and are refused with a clear message instead of vanishing. */
const UNSUPPORTED = new Set([
  'rps',
  'dice',
  'shake',
  'poke',
  'anonymous',
  'music',
  'contact',
  'forward',
  'node',
  'redbag',
  'gift',
  'tts',
  'cardimage',
  'mface',
  'miniapp',
])

/**
 * One inbound segment → elements (empty for nothing to send). `index` names the segment in errors.
 */
export function decodeSegment(segment: InboundSegment, index: number, ctx: DecodeSegmentContext): Element[] {
  const where = `message[${index}] (${segment.type})`
  const data = segment.data ?? {}
  switch (segment.type) {
    case 'text': {
      const value = field(data, 'text') ?? ''
      return value === '' ? [] : [{ type: 'text', text: value }]
    }
    case 'at':
      return [decodeAt(data, where, ctx)]
    case 'reply':
      return [decodeReply(data, where, ctx)]
    case 'image':
    case 'record':
    case 'video':
    case 'file':
      return [decodeMedia(segment.type, data, where)]
    case 'face':
      return [decodeFace(data, where)]
    case 'markdown':
      return [decodeMarkdown(data, where)]
    case 'json': {
      const json = requireField(data, 'data', where)
      const card = cardJsonOf(json)
      return [card === undefined ? { type: 'text', text: json } : { type: 'card', json: card }]
    }
    case 'xml':
      return [{ type: 'text', text: requireField(data, 'data', where) }]
    case 'share': {
      const url = requireField(data, 'url', where)
      const title = field(data, 'title')
      return [{ type: 'text', text: title ? `${title}\n${url}` : url }]
    }
    case 'location': {
      const title = field(data, 'title') ?? ''
      const where2 = `${field(data, 'lat') ?? '?'},${field(data, 'lon') ?? '?'}`
      return [{ type: 'text', text: title ? `${title} (${where2})` : where2 }]
    }
    case 'kook_mention':
      return [decodeKookMention(data, where, ctx)]
    case 'kook_buttons':
      return [decodeButtons(data, where)]
    default:
      if (UNSUPPORTED.has(segment.type)) {
        throw new BridgeError(ErrorCode.Unsupported, `${where}: KOOK has no equivalent of "${segment.type}"`)
      }
      throw badParams(where, `unknown segment type "${segment.type}"`)
  }
}
