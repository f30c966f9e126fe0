/**
 * kritor `common.Element`s of a SendMessage request → model Elements (kritor.md §6 "Outbound").
 *
 * The element's `data` member decides, not `type`: `type` TEXT is 0 and absent on the wire, so a
 * client that forgot it still means what its data says.
 *
 * - TEXT → text (escaped for KMarkdown by the renderer); AT → @user, or @all for uid "all" (uid, else
 *   uin, must be a KOOK user id); REPLY → reply (message_id = a KOOK msg_id);
 * - IMAGE / VIDEO / VOICE: `file` bytes → `data` (kritor clients inline media; the receive limit is
 *   raised for it), `file_url` http(s):// or base64:// → url, `file_path` (absolute) → a file:// url
 *   that the media loader reads only under the configured file roots; `file_name` names a file in a QQ
 *   protocol's own cache, which means nothing here → INVALID_ARGUMENT. FILE (url + name) → file;
 * - MARKDOWN → raw KMarkdown; JSON → a KOOK card when it parses as a card (or array of cards), else
 *   its text; KEYBOARD → buttons (action type 0 → link, 1/2 → return-value with `data`);
 * - FACE → the emoji its face_id stands for (emoji-face-ids.ts), else INVALID_ARGUMENT;
 * - SHARE, LOCATION and custom MUSIC → a text fallback; every other QQ-only kind (POKE, DICE, GIFT,
 *   FORWARD, XML…) → INVALID_ARGUMENT naming the element.
 */
import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Button, Element, MediaElement } from '../model/element.js'
import type { EmojiFaceIds } from './emoji-face-ids.js'
import { idOfU64, isU64 } from './kritor-ids.js'

export interface DecodeElementsContext {
  faceIds: EmojiFaceIds
}

type Media = kritor.common.ImageElement | kritor.common.VideoElement | kritor.common.VoiceElement

function bad(where: string, message: string): BridgeError {
  return new BridgeError(ErrorCode.BadParams, `${where}: ${message}`)
}

function decodeMedia(type: MediaElement['type'], media: Media, where: string): MediaElement {
  switch (media.data) {
    case 'file': {
      const bytes = media.file ?? new Uint8Array()
      if (bytes.byteLength === 0) throw bad(where, 'file is empty')
      return { type, url: '', data: bytes }
    }
    case 'file_url': {
      const url = media.file_url ?? ''
      if (!/^(?:https?|base64|file):\/\//i.test(url)) {
        throw bad(
          where,
          `file_url must be an http(s)://, base64:// or file:// URL, got "${url.slice(0, 64)}"`,
        )
      }
      return { type, url }
    }
    case 'file_path': {
      const path = media.file_path ?? ''
      if (!isAbsolute(path))
        throw bad(where, `file_path must be an absolute path, got "${path.slice(0, 64)}"`)
      // The media loader reads file:// only under the configured file roots.
      return { type, url: pathToFileURL(path).href }
    }
    case 'file_name':
      throw bad(
        where,
        'file_name refers to a file in a QQ protocol cache, which KOOK does not have: send file (bytes), file_path or file_url',
      )
    default:
      throw bad(where, 'one of file, file_path or file_url is required')
  }
}

function isCard(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)['type'] === 'card' &&
    Array.isArray((value as Record<string, unknown>)['modules'])
  )
}

/** JSON that parses as a KOOK card (or a non-empty array of cards) → the card array JSON. */
function cardJsonOf(json: string): string | undefined {
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

function decodeKeyboard(keyboard: kritor.common.KeyboardElement, where: string): Element {
  const buttons: Button[] = []
  for (const row of keyboard.rows) {
    for (const button of row.buttons) {
      const label = button.render_data?.label || button.id
      const data = button.action?.data ?? ''
      if (label === '') throw bad(where, 'every button needs render_data.label')
      const link = (button.action?.type ?? 0) === 0
      if (link && !/^https?:\/\//i.test(data)) {
        throw bad(
          where,
          `button "${label}": a link button (action.type 0) needs an http(s) URL in action.data`,
        )
      }
      buttons.push({
        text: label,
        action: link ? 'link' : 'return',
        value: data,
        theme: button.render_data?.style === 0 ? 'secondary' : 'primary',
      })
    }
  }
  if (buttons.length === 0) throw bad(where, 'a keyboard needs at least one button')
  return { type: 'buttons', buttons }
}

function lines(...parts: Array<string | null | undefined>): string {
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join('\n')
}

function decodeElement(el: kritor.common.Element, index: number, ctx: DecodeElementsContext): Element[] {
  const where = `elements[${index}]${el.data === undefined ? '' : ` (${el.data})`}`
  switch (el.data) {
    case 'text':
      return [{ type: 'text', text: el.text?.text ?? '' }]
    case 'at': {
      const uid = el.at?.uid ?? ''
      if (uid === 'all') return [{ type: 'mention', kind: 'all' }]
      const id = uid !== '' ? uid : idOfU64(el.at?.uin)
      if (!isU64(id) || id === '0') {
        throw bad(where, `uid must be a KOOK user id (decimal) or "all", got "${uid.slice(0, 32)}"`)
      }
      return [{ type: 'mention', kind: 'user', id }]
    }
    case 'reply': {
      const messageId = el.reply?.message_id ?? ''
      if (messageId === '') throw bad(where, 'message_id is required')
      return [{ type: 'reply', messageId }]
    }
    case 'image':
      return [decodeMedia('image', el.image as Media, where)]
    case 'video':
      return [decodeMedia('video', el.video as Media, where)]
    case 'voice':
      return [decodeMedia('audio', el.voice as Media, where)]
    case 'file': {
      const file = el.file
      const url = file?.url ?? ''
      if (!/^(?:https?|base64|file):\/\//i.test(url))
        throw bad(where, 'url must be an http(s)://, base64:// or file:// URL')
      const out: MediaElement = { type: 'file', url }
      if (file?.name) out.name = file.name
      return [out]
    }
    case 'markdown':
      return [{ type: 'kmarkdown', content: el.markdown?.markdown ?? '' }]
    case 'json': {
      const json = el.json?.json ?? ''
      const card = cardJsonOf(json)
      return [card === undefined ? { type: 'text', text: json } : { type: 'card', json: card }]
    }
    case 'keyboard':
      return [decodeKeyboard(el.keyboard as kritor.common.KeyboardElement, where)]
    case 'face': {
      let emoji: string
      try {
        emoji = ctx.faceIds.emojiOf(el.face?.id ?? 0)
      } catch (error) {
        const reason = BridgeError.from(error)
        throw new BridgeError(reason.code, `${where}: ${reason.message}`)
      }
      // Registry numbers stand for guild emoji (`guildId/code`) or multi-code-point sequences.
      return [{ type: 'emoji', kind: /^\d+\/\w+$/.test(emoji) ? 'guild' : 'unicode', id: emoji }]
    }
    case 'share': {
      const share = el.share
      return [{ type: 'text', text: lines(share?.title, share?.content, share?.url) }]
    }
    case 'location': {
      const loc = el.location
      return [{ type: 'text', text: lines(loc?.title, loc?.address, `(${loc?.lat ?? 0}, ${loc?.lon ?? 0})`) }]
    }
    case 'music': {
      const custom = el.music?.custom
      if (el.music?.data !== 'custom' || !custom) {
        throw bad(where, 'only custom music (title, url) can be sent to KOOK, as a link')
      }
      const title = [custom.title, custom.author].filter(Boolean).join(' - ')
      return [{ type: 'text', text: lines(title, custom.url || custom.audio) }]
    }
    case undefined:
      throw bad(where, 'the element has no data member')
    default:
      throw bad(where, `KOOK has no equivalent of ${el.data.toUpperCase()} elements`)
  }
}

/** Decodes a message's elements; throws BAD_PARAMS (or NOT_FOUND for an unknown face_id). */
export function decodeElements(
  elements: readonly kritor.common.Element[],
  ctx: DecodeElementsContext,
): Element[] {
  if (elements.length === 0) throw bad('elements', 'a message needs at least one element')
  const out: Element[] = []
  elements.forEach((el, index) => {
    out.push(...decodeElement(el, index, ctx))
  })
  return out
}
