/**
 * KOOK card message (type 10, content = JSON string of a card array) → Element[].
 *
 * The result starts with the `card` element itself (the original JSON, so an encoder can pass the card
 * on losslessly, e.g. as a kritor JSON element), followed by what can be recovered from it as ordinary
 * elements: text from header / section / context / paragraph modules (kmarkdown parsed, so mentions
 * survive), images from image-group / container / accessories, file / audio / video modules as media
 * (KOOK clients now send files, and often audio and video, as cards: kook.md §3), and buttons.
 *
 * Never throws. Malformed JSON or an unexpected shape yields just the card element, and the problem is
 * reported through `onProblem` (counted by the mapping table).
 */
import type { Button, ButtonsElement, Element, MediaElement } from '../model/element.js'
import { type KmarkdownParts, parseKmarkdown } from './parse-kmarkdown.js'

export type CardProblem = 'card_invalid_json' | 'card_invalid_shape'

type Rec = Record<string, unknown>

function isRec(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

class CardReader {
  readonly out: Element[] = []

  /** `extra.kmarkdown` of the message: names for mentions inside kmarkdown elements. */
  constructor(readonly parts: KmarkdownParts | undefined) {}

  /** Text-bearing modules are separated by a newline, as the client lays them out on separate lines. */
  #text(elements: Element[]): void {
    if (elements.length === 0) return
    const last = this.out[this.out.length - 1]
    if (last !== undefined && last.type !== 'card') this.out.push({ type: 'text', text: '\n' })
    for (const el of elements) this.out.push(el)
  }

  /** A text element: a bare string (plain-text shorthand), plain-text, kmarkdown or paragraph. */
  textOf(v: unknown): Element[] {
    if (typeof v === 'string') return v === '' ? [] : [{ type: 'text', text: v }]
    if (!isRec(v)) return []
    const content = str(v['content'])
    switch (v['type']) {
      case 'plain-text':
        return content ? [{ type: 'text', text: content }] : []
      case 'kmarkdown':
        return content ? parseKmarkdown(content, this.parts) : []
      case 'paragraph': {
        const fields = Array.isArray(v['fields']) ? v['fields'] : []
        const out: Element[] = []
        for (const field of fields) {
          const part = this.textOf(field)
          if (part.length === 0) continue
          if (out.length > 0) out.push({ type: 'text', text: '\n' })
          out.push(...part)
        }
        return out
      }
      default:
        return []
    }
  }

  image(v: unknown): void {
    if (!isRec(v) || v['type'] !== 'image') return
    const url = str(v['src'])
    if (!url) return
    const alt = str(v['alt'])
    this.out.push(alt ? { type: 'image', url, name: alt } : { type: 'image', url })
  }

  button(v: unknown): Button | undefined {
    if (!isRec(v) || v['type'] !== 'button') return undefined
    const textEls = this.textOf(v['text'])
    const text = textEls.map((e) => (e.type === 'text' ? e.text : '')).join('')
    const button: Button = {
      text,
      action: v['click'] === 'link' ? 'link' : 'return',
      value: str(v['value']) ?? '',
    }
    const theme = v['theme']
    if (
      theme === 'primary' ||
      theme === 'success' ||
      theme === 'danger' ||
      theme === 'warning' ||
      theme === 'info' ||
      theme === 'secondary'
    )
      button.theme = theme
    return button
  }

  buttons(list: unknown[]): void {
    const buttons: Button[] = []
    for (const item of list) {
      const b = this.button(item)
      if (b) buttons.push(b)
    }
    if (buttons.length > 0) {
      const el: ButtonsElement = { type: 'buttons', buttons }
      this.out.push(el)
    }
  }

  media(kind: 'file' | 'audio' | 'video', m: Rec): void {
    const url = str(m['src'])
    if (!url) return
    const name = str(m['title'])
    const size = num(m['size'])
    const el: MediaElement = { type: kind, url }
    if (name) el.name = name
    if (size !== undefined) el.size = size
    this.out.push(el)
  }

  module(m: unknown): void {
    if (!isRec(m)) return
    const elements = Array.isArray(m['elements']) ? m['elements'] : []
    switch (m['type']) {
      case 'header':
      case 'section':
        this.#text(this.textOf(m['text']))
        if (m['type'] === 'section' && isRec(m['accessory'])) {
          if (m['accessory']['type'] === 'button') this.buttons([m['accessory']])
          else this.image(m['accessory'])
        }
        return
      case 'context': {
        const text: Element[] = []
        for (const e of elements) {
          if (isRec(e) && e['type'] === 'image') {
            this.#text(text.splice(0))
            this.image(e)
          } else text.push(...this.textOf(e))
        }
        this.#text(text)
        return
      }
      case 'image-group':
      case 'container':
        for (const e of elements) this.image(e)
        return
      case 'action-group':
        this.buttons(elements)
        return
      case 'file':
      case 'audio':
      case 'video':
        this.media(m['type'], m)
        return
      default:
        // divider, countdown, invite and unknown modules carry nothing an element can hold.
        return
    }
  }
}

function mergeTexts(elements: Element[]): Element[] {
  const out: Element[] = []
  for (const el of elements) {
    const last = out[out.length - 1]
    if (el.type === 'text' && last?.type === 'text')
      out[out.length - 1] = { type: 'text', text: last.text + el.text }
    else out.push(el)
  }
  return out
}

export function parseCard(
  json: string,
  onProblem?: (problem: CardProblem) => void,
  parts?: KmarkdownParts,
): Element[] {
  const card: Element = { type: 'card', json }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    onProblem?.('card_invalid_json')
    return [card]
  }
  // KOOK requires an array of cards; accept a lone card object too, as some senders write one.
  const cards = Array.isArray(value) ? value : isRec(value) ? [value] : undefined
  if (cards === undefined) {
    onProblem?.('card_invalid_shape')
    return [card]
  }
  const reader = new CardReader(parts)
  reader.out.push(card)
  for (const c of cards) {
    if (!isRec(c) || !Array.isArray(c['modules'])) {
      onProblem?.('card_invalid_shape')
      continue
    }
    for (const m of c['modules']) reader.module(m)
  }
  return mergeTexts(reader.out)
}
