/**
 * KMarkdown (KOOK message type 9, and the kmarkdown parts of cards) → Element[].
 *
 * What becomes an element: `(met)id(met)` (user, or `all` / `here`), `(rol)id(rol)`, `(chn)id(chn)` and
 * `(emj)name(emj)[guildId/code]`. Everything else stays text: formatting marks (`**`, `~~`, `(ins)`,
 * `(spl)`…) are kept as written, because the canonical model has no formatting elements and a command
 * parser downstream must see what the user typed. Code spans and fenced blocks are kept verbatim
 * (backticks included, no tag or escape processing inside). `[label](http…)` links become text: the URL
 * when the label is the URL (the KOOK client writes pasted links that way), else `label (url)`.
 *
 * Escapes: the KOOK client escapes user input (`\[`, `\]`, `` \` ``, `\-\-`, koishi#1050/#1227), so a
 * backslash before any ASCII punctuation is dropped after tags are recognised (kook.md §6); a backslash
 * before anything else is literal.
 *
 * Never throws. This runs for every chat message, so it jumps between special characters with native
 * indexOf and allocates little beyond the output (`linkEnd` and `tagEnd` are module-level
 * out-parameters, safe because parsing is synchronous); tag contents are bounded (`MAX_TAG_CONTENT`)
 * and the link-closer search is memoised, so hostile input stays linear.
 *
 * Most messages hold no backslash, backtick or `[`: they take `parseTags`, which only looks for `(`
 * and cuts text elements straight out of the input; anything else takes `parseFull`. Measured
 * (bench/mapping-bench.ts, callgrind): an indexOf call on CJK (two-byte) text costs as much as reading
 * four to five characters with charCodeAt, so `parseTags` reads the short gaps between tags by hand
 * and leaves long runs of text to indexOf.
 */
import type { Element, MentionElement } from '../model/element.js'

/** The `extra.kmarkdown` object KOOK sends beside type 9/10 content; used only to name mentions. */
export interface KmarkdownParts {
  raw_content?: unknown
  mention_part?: unknown
  mention_role_part?: unknown
  channel_part?: unknown
}

// The hot paths (tagAt, idTag, parseTags) write these codes as literals: optimised code reloads a
// module-level constant, and checks its type, at every use.
const BACKSLASH = 92
const BACKTICK = 96
const LPAREN = 40
const RPAREN = 41
const LBRACKET = 91
const NEWLINE = 10
const CR = 13

/** Longest id / name accepted between two tags; longer runs are text (bounds the work per opener). */
const MAX_TAG_CONTENT = 64
const MAX_LINK_LABEL = 512
const MAX_LINK_URL = 2048

export function isAsciiPunctuation(code: number): boolean {
  return (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  )
}

type TagKind = 'met' | 'rol' | 'chn' | 'emj'

/** The tag kind opening at `i` (`(met)` …), or undefined. Char codes, not substrings: this is hot. */
function tagAt(text: string, i: number): TagKind | undefined {
  if (text.charCodeAt(i + 4) !== 41 /* ) */) return undefined
  const b = text.charCodeAt(i + 2)
  const c = text.charCodeAt(i + 3)
  switch (text.charCodeAt(i + 1)) {
    case 109 /* m */:
      return b === 101 /* e */ && c === 116 /* t */ ? 'met' : undefined
    case 114 /* r */:
      return b === 111 /* o */ && c === 108 /* l */ ? 'rol' : undefined
    case 99 /* c */:
      return b === 104 /* h */ && c === 110 /* n */ ? 'chn' : undefined
    case 101 /* e */:
      return b === 109 /* m */ && c === 106 /* j */ ? 'emj' : undefined
    default:
      return undefined
  }
}

/** Valid contents: ids have no whitespace, brackets or backslashes; emoji names no line breaks or backslashes. */
const ID_RE = /^[^\s()[\]\\]+$/
const EMOJI_NAME_RE = /^[^\r\n\\]+$/

/**
 * Finds the tag closing the one opened at `open` (the same `(xxx)`): it must be the next `(` (contents
 * cannot hold one) within MAX_TAG_CONTENT characters. Returns the index of the closing `(`, or -1.
 * Native indexOf rather than a character loop: this runs for every mention of every message.
 */
function closeOf(text: string, open: number): number {
  const start = open + 5
  const j = text.indexOf('(', start)
  if (j === -1 || j === start || j - start > MAX_TAG_CONTENT) return -1
  return text.charCodeAt(j + 4) === RPAREN &&
    text.charCodeAt(j + 1) === text.charCodeAt(open + 1) &&
    text.charCodeAt(j + 2) === text.charCodeAt(open + 2) &&
    text.charCodeAt(j + 3) === text.charCodeAt(open + 3)
    ? j
    : -1
}

/** Where the tag recognised by the last successful `idTag` call ends (out-parameter, see the header). */
let tagEnd = 0
/**
 * For a `(rol)` tag read by `idTag`: the id's value when it is a canonical decimal integer of at most
 * 15 digits (exact as a double, no leading zero), else -1 (always -1 for other tags). Lets `roleName`
 * compare the integer role ids of mention_role_part as numbers instead of building a string per part.
 */
let tagNumber = -1

/**
 * A `(met)`/`(rol)`/`(chn)` tag opening at `open` (`kind` from `tagAt`): its mention element, with
 * `tagEnd` set, or undefined when it is not a valid tag. KOOK ids are decimal, so the contents are first
 * scanned as digits up to the next `(`, which settles nearly every tag in one short loop (no regex, no
 * indexOf, no substring before the tag is known to be valid); anything else gets the general rules
 * (`closeOf`, `ID_RE`).
 */
function idTag(text: string, open: number, kind: 'met' | 'rol' | 'chn', parts: KmarkdownParts | undefined) {
  const start = open + 5
  const limit = Math.min(text.length, start + MAX_TAG_CONTENT)
  let k = start
  let value = 0
  // Two copies of the scan: only role ids need their value (see roleName), and accumulating it costs
  // as much again as reading the digit.
  if (kind === 'rol') {
    for (; k < limit; k++) {
      const c = text.charCodeAt(k)
      if (c < 48 || c > 57) break
      value = value * 10 + (c - 48)
    }
  } else {
    for (; k < limit; k++) {
      const c = text.charCodeAt(k)
      if (c < 48 || c > 57) break
    }
  }
  if (k < text.length && text.charCodeAt(k) === 40 /* ( */) {
    // The first `(` after the opener: the closer, or no tag at all (what `closeOf` would decide).
    if (k === start || tagAt(text, k) !== kind) return undefined
    tagEnd = k + 5
    const length = k - start
    tagNumber = kind === 'rol' && length <= 15 && (length === 1 || text.charCodeAt(start) !== 48) ? value : -1
  } else {
    const close = closeOf(text, open)
    if (close === -1) return undefined
    tagNumber = -1
    if (!ID_RE.test(text.slice(start, close))) return undefined
    k = close
    tagEnd = close + 5
  }
  const content = text.slice(start, k)
  if (kind !== 'met') return mention(kind === 'rol' ? 'role' : 'channel', content, parts)
  if (content === 'all') return { type: 'mention', kind: 'all' } satisfies MentionElement
  if (content === 'here') return { type: 'mention', kind: 'here' } satisfies MentionElement
  return mention('user', content, parts)
}

// Separate lookups per part kind: fixed property names keep the property reads monomorphic, and
// indexed loops avoid iterator overhead (this runs for every mention).
type Part = { id?: unknown; role_id?: unknown; username?: unknown; name?: unknown } | null | undefined

function userName(list: unknown, id: string): string | undefined {
  if (!Array.isArray(list)) return undefined
  for (let k = 0; k < list.length; k++) {
    const item = list[k] as Part
    if (item?.id === id) return typeof item.username === 'string' ? item.username : undefined
  }
  return undefined
}

function roleName(list: unknown, id: string): string | undefined {
  if (!Array.isArray(list)) return undefined
  for (let k = 0; k < list.length; k++) {
    const item = list[k] as Part
    const roleId = item?.role_id
    // Role ids are integers in mention_role_part: compared as numbers when the tag's id is a canonical
    // integer (`tagNumber`, same answer as String(roleId) === id), as strings otherwise.
    if (
      typeof roleId === 'number'
        ? tagNumber === -1
          ? String(roleId) === id
          : roleId === tagNumber
        : roleId === id
    )
      return typeof item?.name === 'string' ? item.name : undefined
  }
  return undefined
}

function channelName(list: unknown, id: string): string | undefined {
  if (!Array.isArray(list)) return undefined
  for (let k = 0; k < list.length; k++) {
    const item = list[k] as Part
    if (item?.id === id) return typeof item.name === 'string' ? item.name : undefined
  }
  return undefined
}

function mention(
  kind: 'user' | 'role' | 'channel',
  id: string,
  parts: KmarkdownParts | undefined,
): MentionElement {
  const name =
    parts === undefined
      ? undefined
      : kind === 'user'
        ? userName(parts.mention_part, id)
        : kind === 'role'
          ? roleName(parts.mention_role_part, id)
          : channelName(parts.channel_part, id)
  return name === undefined ? { type: 'mention', kind, id } : { type: 'mention', kind, id, name }
}

/** Drops a backslash before ASCII punctuation; used for link labels. */
function unescapeInline(s: string): string {
  if (s.indexOf('\\') === -1) return s
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === BACKSLASH && i + 1 < s.length && isAsciiPunctuation(s.charCodeAt(i + 1))) {
      out += s[i + 1]
      i++
    } else out += s[i]
  }
  return out
}

/**
 * Tries `[label](http(s)://url)` whose `[` is at `i` and whose `](` is at `close` (found by the caller).
 * Returns the link's text and sets `linkEnd`, or returns undefined.
 */
let linkEnd = 0
function linkText(src: string, i: number, close: number): string | undefined {
  const from = i + 1
  if (close - from > MAX_LINK_LABEL || src.charCodeAt(close - 1) === BACKSLASH) return undefined
  for (let j = from; j < close; j++) {
    const c = src.charCodeAt(j)
    if (c === NEWLINE || c === CR) return undefined
  }
  const urlStart = close + 2
  if (!src.startsWith('http://', urlStart) && !src.startsWith('https://', urlStart)) return undefined
  const urlLimit = Math.min(src.length, urlStart + MAX_LINK_URL)
  let k = urlStart
  while (k < urlLimit && src.charCodeAt(k) !== RPAREN && src.charCodeAt(k) > 32) k++
  if (src.charCodeAt(k) !== RPAREN) return undefined
  const label = unescapeInline(src.slice(from, close))
  const url = src.slice(urlStart, k)
  linkEnd = k + 1
  return label === url || label === '' ? url : `${label} (${url})`
}

/** Whether `[start, close)` is a bracketed emoji id: non-empty, ≤ MAX_TAG_CONTENT, id characters only. */
function isBracketId(text: string, start: number, close: number): boolean {
  return close > start && close - start <= MAX_TAG_CONTENT && ID_RE.test(text.slice(start, close))
}

/** Next index of `ch` at or after `from`, reusing `cached` while it is still ahead (-1: none left). */
function nextOf(text: string, ch: string, cached: number, from: number): number {
  return cached === -1 || cached >= from ? cached : text.indexOf(ch, from)
}

export function parseKmarkdown(text: string, parts?: KmarkdownParts): Element[] {
  if (typeof text !== 'string' || text === '') return []
  const out = parseTags(text, parts)
  return out !== undefined ? out : parseFull(text, text.indexOf('('), parts)
}

/**
 * Plain characters `parseTags` reads one by one before it hands the search to native indexOf. Reading
 * a character costs about a quarter of an indexOf call on two-byte (CJK) text, so the short gaps
 * between tags are cheaper by hand and long runs of text cheaper natively (bench/mapping-bench.ts and
 * micro-timings of both on one-byte and two-byte text).
 */
const HAND_SCAN = 8

/**
 * `parseKmarkdown` for text without backslash, backtick or `[` (undefined when it meets one): no
 * escapes to drop and no links or emoji (an emoji tag needs its `[id]`), so the text between tags is
 * the input as is, cut out with slice(). A backtick inside an id tag's contents is not looked at:
 * `parseFull` does not see it either (it handles the tag first and goes on after it).
 */
function parseTags(text: string, parts: KmarkdownParts | undefined): Element[] | undefined {
  const n = text.length
  // Created up front and appended to with indexed stores: with a lazily created list, or with push(),
  // the optimiser left the appends to the out-of-line push builtin (measured with callgrind). Plain
  // text returns its own one-element literal below.
  const out: Element[] = []
  let start = 0 // beginning of the text not yet emitted
  let i = 0
  // Characters are read by hand in windows of HAND_SCAN; once a window held nothing special, the rest
  // of the text is checked for backslash, backtick and `[` natively (once), and from then on only `(`
  // is searched, with indexOf. The first window is the first character only (a leading mention) unless
  // the whole text fits in one, so longer plain text costs four indexOf calls and one hand read.
  let native = false
  while (i < n) {
    if (native) {
      i = text.indexOf('(', i)
      if (i === -1) break
    } else {
      const stop = Math.min(n, i + (i === 0 && n > HAND_SCAN ? 1 : HAND_SCAN))
      let c = 0
      for (; i < stop; i++) {
        c = text.charCodeAt(i)
        // `(`, backslash, backtick, `[`: all at or below 96, so letters and CJK cost one comparison.
        if (c <= 96 && (c === 40 || c === 92 || c === 96 || c === 91)) break
      }
      if (i === stop) {
        if (i === n) break
        if (text.indexOf('\\', i) !== -1 || text.indexOf('`', i) !== -1 || text.indexOf('[', i) !== -1)
          return undefined
        native = true
        continue
      }
      if (c !== 40 /* ( */) return undefined
    }
    const kind = tagAt(text, i)
    const el = kind === undefined || kind === 'emj' ? undefined : idTag(text, i, kind, parts)
    if (el === undefined) {
      i++
      continue
    }
    if (start < i) out[out.length] = { type: 'text', text: text.slice(start, i) }
    out[out.length] = el
    start = tagEnd
    i = tagEnd
  }
  if (start === 0) return [{ type: 'text', text }] // no tag (a tag always ends after index 0)
  if (start < n) out[out.length] = { type: 'text', text: text.slice(start) }
  return out
}

/**
 * `parseKmarkdown` without the tag-only fast path: the general parser every input could take. Exported
 * so the tests can prove the fast path gives the same elements (test/content/parse-kmarkdown.test.ts).
 */
export function parseKmarkdownGeneral(text: string, parts?: KmarkdownParts): Element[] {
  if (typeof text !== 'string' || text === '') return []
  return parseFull(text, text.indexOf('('), parts)
}

/** `parseKmarkdown` for any text; `nextParen` is the first `(` (-1: none). */
function parseFull(text: string, nextParen: number, parts: KmarkdownParts | undefined): Element[] {
  // Jump from one special character to the next with native indexOf (several times faster than a
  // char-by-char loop here); each character class is scanned once over the whole text.
  let nextBackslash = text.indexOf('\\')
  let nextBacktick = text.indexOf('`')
  let nextBracket = text.indexOf('[')
  const out: Element[] = []
  const n = text.length
  let pending = '' // text already unescaped, waiting to become a text element
  let start = 0 // beginning of the raw text not yet moved into `pending`
  let i = 0
  // Memos of the last `](` (links) and `]` (emoji ids) searches: searched from *From, found at *At
  // (-1: none after). Later searches start later, so hostile input costs one scan, not one per opener.
  let linkFrom = -1
  let linkAt = -1
  let bracketFrom = -1
  let bracketAt = -1
  while (i < n) {
    nextBackslash = nextOf(text, '\\', nextBackslash, i)
    nextBacktick = nextOf(text, '`', nextBacktick, i)
    nextParen = nextOf(text, '(', nextParen, i)
    nextBracket = nextOf(text, '[', nextBracket, i)
    let k = n
    if (nextBackslash !== -1 && nextBackslash < k) k = nextBackslash
    if (nextBacktick !== -1 && nextBacktick < k) k = nextBacktick
    if (nextParen !== -1 && nextParen < k) k = nextParen
    if (nextBracket !== -1 && nextBracket < k) k = nextBracket
    if (k === n) break
    i = k
    const c = text.charCodeAt(i)
    if (c === BACKSLASH) {
      if (i + 1 < n && isAsciiPunctuation(text.charCodeAt(i + 1))) {
        pending += text.slice(start, i)
        start = i + 1 // keep the escaped character, drop the backslash
        i += 2
      } else i++
    } else if (c === BACKTICK) {
      let j = i + 1
      while (j < n && text.charCodeAt(j) === BACKTICK) j++
      const run = j - i
      const close = text.indexOf(run === 1 ? '`' : '`'.repeat(run), j)
      if (close === -1) i = j
      else {
        // A code span / fenced block: verbatim, backticks included.
        i = close + run
        while (i < n && text.charCodeAt(i) === BACKTICK) i++
      }
    } else if (c === LPAREN) {
      const kind = tagAt(text, i)
      let el: Element | undefined
      let end = 0
      if (kind !== undefined && kind !== 'emj') {
        el = idTag(text, i, kind, parts)
        end = tagEnd
      } else if (kind === 'emj') {
        const close = closeOf(text, i)
        if (close === -1) {
          i++
          continue
        }
        const content = text.slice(i + 5, close)
        end = close + 5
        // `(emj)name(emj)[guildId/code]`: the id in brackets is required, the name is display only.
        if (text.charCodeAt(end) !== LBRACKET) {
          i++
          continue
        }
        if (bracketFrom === -1 || end + 1 < bracketFrom || (bracketAt !== -1 && bracketAt < end + 1)) {
          bracketFrom = end + 1
          bracketAt = text.indexOf(']', bracketFrom)
        }
        const idClose = bracketAt
        if (idClose === -1 || !isBracketId(text, end + 1, idClose) || !EMOJI_NAME_RE.test(content)) {
          i++
          continue
        }
        el = { type: 'emoji', kind: 'guild', id: text.slice(end + 1, idClose), name: content }
        end = idClose + 1
      }
      if (el === undefined) {
        i++
        continue
      }
      if (start < i) pending += text.slice(start, i)
      if (pending !== '') {
        out.push({ type: 'text', text: pending })
        pending = ''
      }
      out.push(el)
      i = end
      start = end
    } else {
      // `[`: a link if a `](` follows (memoised search: hostile input stays linear).
      if (linkFrom === -1 || i + 1 < linkFrom || (linkAt !== -1 && linkAt < i + 1)) {
        linkFrom = i + 1
        linkAt = text.indexOf('](', linkFrom)
      }
      const link = linkAt === -1 ? undefined : linkText(text, i, linkAt)
      if (link === undefined) i++
      else {
        pending += text.slice(start, i) + link
        i = linkEnd
        start = i
      }
    }
  }
  if (start < n) pending += start === 0 ? text : text.slice(start)
  if (pending !== '') out.push({ type: 'text', text: pending })
  return out
}
