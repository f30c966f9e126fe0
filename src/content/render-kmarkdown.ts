/**
 * Element[] → KMarkdown (KOOK message type 9, and kmarkdown sections of cards).
 *
 * Escaping: a backslash goes before exactly the characters KOOK's KMarkdown can read as syntax — the
 * "safe union" of kook.md §6: `\ * ~ ` ( ) [ ] > - :`. Escaping anything else makes the KOOK client show a
 * literal backslash (satori#51: `\_`), so `_` and `#` are never escaped. `parseKmarkdown` reads the
 * output back to the same elements (property-tested).
 *
 * Elements KMarkdown cannot carry (reply, media, buttons, cards) are skipped here: `planKookMessages`
 * routes them (quote parameter, type 2, cards).
 */
import type { Element, EmojiElement } from '../model/element.js'

const ESCAPE_RE = /[\\*~`()[\]>\-:]/g
const NEEDS_ESCAPE_RE = /[\\*~`()[\]>\-:]/

export function escapeKmarkdown(text: string): string {
  return NEEDS_ESCAPE_RE.test(text) ? text.replace(ESCAPE_RE, '\\$&') : text
}

/** Characters that would end or break a `(tag)…(tag)[…]` construct are removed from tag contents. */
const TAG_UNSAFE_RE = /[\s()[\]\\]/g

function tagSafe(value: string): string {
  return value.replace(TAG_UNSAFE_RE, '')
}

function renderEmoji(el: EmojiElement): string {
  if (el.kind === 'unicode') return escapeKmarkdown(el.id)
  // KOOK needs a display name between the tags; fall back to the code part of `guildId/code`.
  const id = tagSafe(el.id)
  const name = (el.name ?? '').replace(/[\r\n()\\]/g, '') || id.slice(id.lastIndexOf('/') + 1) || 'emoji'
  return `(emj)${name}(emj)[${id}]`
}

/** Renders one inline element; returns undefined for elements KMarkdown cannot carry. */
export function renderInline(el: Element): string | undefined {
  switch (el.type) {
    case 'text':
      return escapeKmarkdown(el.text)
    case 'mention':
      switch (el.kind) {
        case 'all':
          return '(met)all(met)'
        case 'here':
          return '(met)here(met)'
        case 'user':
          return el.id === undefined ? escapeKmarkdown(`@${el.name ?? ''}`) : `(met)${tagSafe(el.id)}(met)`
        case 'role':
          return el.id === undefined ? escapeKmarkdown(`@${el.name ?? ''}`) : `(rol)${tagSafe(el.id)}(rol)`
        case 'channel':
          return el.id === undefined ? escapeKmarkdown(`#${el.name ?? ''}`) : `(chn)${tagSafe(el.id)}(chn)`
      }
      return undefined
    case 'emoji':
      return renderEmoji(el)
    case 'kmarkdown':
      return el.content
    default:
      return undefined
  }
}

export function renderKmarkdown(elements: readonly Element[]): string {
  let out = ''
  for (const el of elements) {
    const s = renderInline(el)
    if (s !== undefined) out += s
  }
  return out
}
