/**
 * `JSON.parse` that never rounds an id. KOOK ids are decimal strings, but a few answers carry them as
 * bare numbers (`mention` arrays, kook.md §8.11), and channel ids reach 17 digits, past 2^53: plain
 * `JSON.parse` would silently turn `48818200000000001` into `48818200000000000` (kook.md §7). Every
 * integer literal that is not a safe integer is therefore read as its exact decimal string instead.
 * Fractions and exponents are real numbers and stay numbers.
 */
export function parseKookJson(text: string): unknown {
  // Fast path: an unsafe integer has at least 16 digits, so most bodies need no rewriting at all.
  return JSON.parse(/\d{16}/.test(text) ? quoteUnsafeIntegers(text) : text)
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const MINUS = 0x2d

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Wraps each unsafe integer literal outside strings in quotes; everything else is copied unchanged. */
function quoteUnsafeIntegers(text: string): string {
  let out = ''
  let copied = 0
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      // Skip the whole string, escapes included, so digits inside strings are never touched.
      i++
      while (i < text.length && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1
      i++
      continue
    }
    if (c !== MINUS && !isDigit(c)) {
      i++
      continue
    }
    let end = c === MINUS ? i + 1 : i
    while (end < text.length && isDigit(text.charCodeAt(end))) end++
    const next = text[end]
    if (next === '.' || next === 'e' || next === 'E') {
      // A fraction or an exponent: skip the rest of the number as it is.
      while (end < text.length && /[\d.eE+-]/.test(text[end] ?? '')) end++
    } else if (!Number.isSafeInteger(Number(text.slice(i, end)))) {
      out += `${text.slice(copied, i)}"${text.slice(i, end)}"`
      copied = end
    }
    i = end
  }
  return out + text.slice(copied)
}
