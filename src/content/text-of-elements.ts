/**
 * The plain text of elements, as a human would read it: mentions as `@name`, channels as `#name`, media
 * and cards as nothing. Used where KOOK gives no `raw_content` (legacy type 1, media messages).
 */
import type { Element } from '../model/element.js'

export function textOfElements(elements: readonly Element[]): string {
  let out = ''
  for (const el of elements) {
    switch (el.type) {
      case 'text':
        out += el.text
        break
      case 'mention':
        if (el.kind === 'all') out += '@全体成员'
        else if (el.kind === 'here') out += '@在线成员'
        else out += `${el.kind === 'channel' ? '#' : '@'}${el.name ?? el.id ?? ''}`
        break
      case 'emoji':
        out += el.kind === 'unicode' ? el.id : `[${el.name ?? el.id}]`
        break
      case 'kmarkdown':
        out += el.content
        break
      default:
        break
    }
  }
  return out
}
