/**
 * CQ-code strings ↔ segments (onebot-v11.md §A6).
 *
 * `[CQ:type,key=value,…]`; text outside codes escapes `&`, `[`, `]`; parameter values also escape `,`.
 * Decoding reverses that with `&amp;` last, so `&amp;#91;` stays the literal text `&#91;`. `text`
 * segments are bare text, never `[CQ:text]`. A `[CQ:` without a closing `]` is kept as text.
 */
import type { InboundSegment, Segment } from './types.js'

const TEXT_ESCAPE_RE = /[&[\]]/g
const PARAM_ESCAPE_RE = /[&[\],]/g
const ESCAPES: Record<string, string> = { '&': '&amp;', '[': '&#91;', ']': '&#93;', ',': '&#44;' }

export function escapeCqText(text: string): string {
  return text.replace(TEXT_ESCAPE_RE, (c) => ESCAPES[c] ?? c)
}

export function escapeCqParam(value: string): string {
  return value.replace(PARAM_ESCAPE_RE, (c) => ESCAPES[c] ?? c)
}

/** Reverses both escapes; `&amp;` goes last so an escaped entity is not decoded twice. */
export function unescapeCq(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&#91;/g, '[').replace(/&#93;/g, ']').replace(/&#44;/g, ',').replace(/&amp;/g, '&')
}

/** Segments → CQ string (also OneBot's `raw_message`). */
export function encodeCq(segments: readonly Segment[]): string {
  let out = ''
  for (const segment of segments) {
    if (segment.type === 'text') {
      out += escapeCqText(segment.data['text'] ?? '')
      continue
    }
    out += `[CQ:${segment.type}`
    for (const [key, value] of Object.entries(segment.data)) out += `,${key}=${escapeCqParam(value)}`
    out += ']'
  }
  return out
}

/** CQ string → segments. Adjacent text is merged; empty text is dropped. Never throws. */
export function decodeCq(input: string): InboundSegment[] {
  const out: InboundSegment[] = []
  let text = ''
  const flushText = () => {
    if (text !== '') out.push({ type: 'text', data: { text: unescapeCq(text) } })
    text = ''
  }
  let index = 0
  while (index < input.length) {
    const open = input.indexOf('[CQ:', index)
    if (open === -1) break
    const close = input.indexOf(']', open)
    if (close === -1) break
    text += input.slice(index, open)
    const body = input.slice(open + 4, close)
    const parts = body.split(',')
    const type = parts[0] ?? ''
    if (type === '') {
      // `[CQ:]` or `[CQ:,…]` names no segment: keep it as the text it is.
      text += input.slice(open, close + 1)
      index = close + 1
      continue
    }
    flushText()
    const data: Record<string, string> = {}
    for (const param of parts.slice(1)) {
      const eq = param.indexOf('=')
      // Values may themselves contain `=` (base64 padding): only the first one separates.
      if (eq === -1) data[param] = ''
      else data[param.slice(0, eq)] = unescapeCq(param.slice(eq + 1))
    }
    out.push({ type: unescapeCq(type), data })
    index = close + 1
  }
  text += input.slice(index)
  flushText()
  return out
}
