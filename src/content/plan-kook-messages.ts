/**
 * Element[] → the KOOK messages that carry them (message/create or direct-message/create bodies).
 *
 * Rules, in order:
 * - a `reply` element becomes the `quote` parameter of the first message (KOOK quotes per message);
 * - a `card` element (raw card JSON) is sent as it is, as its own type-10 message;
 * - between cards, inline content (text, mentions, emoji, raw KMarkdown) alone → one type-9 KMarkdown
 *   message. Type 9 is explicit for DMs too: direct-message/create defaults to type 1, which shows tags raw
 *   (kook.md §8.8);
 * - a lone image (nothing else but whitespace) → type 2 with the image URL;
 * - anything with files, audio, video, buttons or images mixed with text → one type-10 card (theme
 *   `invisible`, so it reads like a message), modules in element order: text → kmarkdown `section`,
 *   consecutive images → `container` (≤ 9), file/audio/video → their modules, buttons → `action-group`
 *   (≤ 4 each). A card holds ≤ 50 modules; more spill into further messages.
 *
 * Media URLs must already be KOOK-hosted here: `renderKookMessages` uploads first, then plans.
 * Pure and synchronous.
 */

import type { Scene } from '../model/bridge-event.js'
import type { Button, Element, MediaElement } from '../model/element.js'
import { renderInline } from './render-kmarkdown.js'

/** KOOK message types a send may use: 1 text, 2 image, 3 video, 4 file, 8 audio, 9 KMarkdown, 10 card. */
export type KookSendType = 1 | 2 | 3 | 4 | 8 | 9 | 10

/** One KOOK message to create: the `type`, `content` and `quote` parameters of message/create. */
export interface KookSend {
  type: KookSendType
  content: string
  /** msg_id of the quoted message. */
  quote?: string
}

export interface PlanOptions {
  /**
   * Where the message goes. Channel and direct messages are planned alike today (type always explicit);
   * the scene is part of the contract so DM-specific rules have a place to live.
   */
  scene: Scene
}

const MAX_MODULES_PER_CARD = 50
const MAX_IMAGES_PER_CONTAINER = 9
const MAX_BUTTONS_PER_GROUP = 4
/** KOOK limits a kmarkdown element in a card to 5000 characters. */
const MAX_SECTION_CHARS = 5000

type CardModule = Record<string, unknown>

function isInline(el: Element): boolean {
  return el.type === 'text' || el.type === 'mention' || el.type === 'emoji' || el.type === 'kmarkdown'
}

function mediaTitle(el: MediaElement): string {
  if (el.name) return el.name
  const path = el.url.split(/[?#]/, 1)[0] ?? ''
  return decodeURIComponentSafe(path.slice(path.lastIndexOf('/') + 1)) || el.type
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function buttonModule(buttons: readonly Button[]): CardModule {
  return {
    type: 'action-group',
    elements: buttons.map((b) => ({
      type: 'button',
      theme: b.theme ?? 'primary',
      value: b.value,
      click: b.action === 'link' ? 'link' : 'return-val',
      text: { type: 'plain-text', content: b.text },
    })),
  }
}

/** Builds the modules of one chunk (no card elements inside), in element order. */
function cardModules(chunk: readonly Element[]): CardModule[] {
  const modules: CardModule[] = []
  let text = ''
  let images: Array<{ type: 'image'; src: string }> = []
  const flushText = () => {
    if (text.trim() !== '') {
      for (let i = 0; i < text.length; i += MAX_SECTION_CHARS)
        modules.push({
          type: 'section',
          text: { type: 'kmarkdown', content: text.slice(i, i + MAX_SECTION_CHARS) },
        })
    }
    text = ''
  }
  const flushImages = () => {
    for (let i = 0; i < images.length; i += MAX_IMAGES_PER_CONTAINER)
      modules.push({ type: 'container', elements: images.slice(i, i + MAX_IMAGES_PER_CONTAINER) })
    images = []
  }
  for (const el of chunk) {
    if (el.type === 'image') {
      flushText()
      images.push({ type: 'image', src: el.url })
      continue
    }
    if (isInline(el)) {
      flushImages()
      text += renderInline(el) ?? ''
      continue
    }
    flushText()
    flushImages()
    if (el.type === 'file' || el.type === 'audio' || el.type === 'video') {
      modules.push({ type: el.type, title: mediaTitle(el), src: el.url })
    } else if (el.type === 'buttons') {
      for (let i = 0; i < el.buttons.length; i += MAX_BUTTONS_PER_GROUP)
        modules.push(buttonModule(el.buttons.slice(i, i + MAX_BUTTONS_PER_GROUP)))
    }
  }
  flushText()
  flushImages()
  return modules
}

function planChunk(chunk: readonly Element[], sends: KookSend[]): void {
  let needsCard = false
  let images = 0
  let inlineText = ''
  for (const el of chunk) {
    if (isInline(el)) inlineText += renderInline(el) ?? ''
    else if (el.type === 'image') images++
    else if (el.type === 'file' || el.type === 'audio' || el.type === 'video' || el.type === 'buttons')
      needsCard = true
  }
  const hasText = inlineText.trim() !== ''
  if (!needsCard && images === 0) {
    if (hasText) sends.push({ type: 9, content: inlineText })
    return
  }
  if (!needsCard && images === 1 && !hasText) {
    const image = chunk.find((el) => el.type === 'image')
    if (image?.type === 'image') sends.push({ type: 2, content: image.url })
    return
  }
  const modules = cardModules(chunk)
  for (let i = 0; i < modules.length; i += MAX_MODULES_PER_CARD) {
    const card = [
      { type: 'card', theme: 'invisible', size: 'lg', modules: modules.slice(i, i + MAX_MODULES_PER_CARD) },
    ]
    sends.push({ type: 10, content: JSON.stringify(card) })
  }
}

export function planKookMessages(elements: readonly Element[], _options: PlanOptions): KookSend[] {
  const sends: KookSend[] = []
  let quote: string | undefined
  let chunk: Element[] = []
  for (const el of elements) {
    if (el.type === 'reply') {
      quote ??= el.messageId
    } else if (el.type === 'card') {
      planChunk(chunk, sends)
      chunk = []
      sends.push({ type: 10, content: el.json })
    } else chunk.push(el)
  }
  planChunk(chunk, sends)
  const first = sends[0]
  if (quote !== undefined && first !== undefined) first.quote = quote
  return sends
}
