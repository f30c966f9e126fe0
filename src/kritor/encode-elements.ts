/**
 * Model Elements → kritor 1.0.3 `common.Element`s (kritor.md §6 "Inbound").
 *
 * Every element sets `type` and its data member together: consumers switch on `type`, and TEXT is 0,
 * which koishi also assumes when `type` is missing (kritor.md §7 "Zero values").
 *
 * - text → TEXT; @user → AT {uid, uin: the same id}; @all / @here → AT {uid: "all"} (kritor has one
 *   "everyone"); @role / #channel → TEXT "@name" / "#name" (kritor has no such mentions);
 * - reply → REPLY {message_id: the KOOK msg_id};
 * - image / video / audio → IMAGE / VIDEO / VOICE with `file_url`; file → FILE {name, size, url};
 * - unicode emoji → TEXT of the emoji itself; guild emoji → TEXT `[:name:guildId/code]`, KOOK's own
 *   plain-text form (FACE needs QQ face numbers, which KOOK emoji do not have);
 * - KMarkdown kept raw → MARKDOWN; card → JSON with KOOK's card JSON; buttons → KEYBOARD (link
 *   buttons are action type 0 "jump", return-value buttons type 1 "callback" carrying the value).
 */
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import type { Button, Element } from '../model/element.js'
import { u64Of } from './kritor-ids.js'

type IElement = kritor.common.IElement
const T = kritor.common.Element.ElementType

export interface EncodeElementsContext {
  /** Told about an id that cannot be a uint64 (written as 0). */
  onInvalidId?: ((id: string) => void) | undefined
}

function text(value: string): IElement {
  return { type: T.TEXT, text: { text: value } }
}

function keyboard(buttons: readonly Button[]): IElement {
  return {
    type: T.KEYBOARD,
    keyboard: {
      rows: [
        {
          buttons: buttons.map((button, index) => ({
            id: String(index + 1),
            render_data: {
              label: button.text,
              visited_label: button.text,
              style: button.theme === 'secondary' ? 0 : 1,
            },
            action: {
              type: button.action === 'link' ? 0 : 1,
              // Type 2 = everyone may press it (KOOK has no per-button permissions).
              permission: { type: 2 },
              unsupported_tips: button.text,
              data: button.value,
            },
          })),
        },
      ],
    },
  }
}

export function encodeElement(element: Element, ctx: EncodeElementsContext): IElement {
  switch (element.type) {
    case 'text':
      return text(element.text)
    case 'mention':
      switch (element.kind) {
        case 'user': {
          const id = element.id ?? ''
          return { type: T.AT, at: { uid: id, uin: u64Of(id, ctx.onInvalidId) } }
        }
        case 'all':
        case 'here':
          return { type: T.AT, at: { uid: 'all' } }
        case 'role':
          return text(`@${element.name ?? element.id ?? ''}`)
        case 'channel':
          return text(`#${element.name ?? element.id ?? ''}`)
      }
      break
    case 'reply':
      return { type: T.REPLY, reply: { message_id: element.messageId } }
    case 'image':
      return { type: T.IMAGE, image: { file_url: element.url } }
    case 'video':
      return { type: T.VIDEO, video: { file_url: element.url } }
    case 'audio':
      return { type: T.VOICE, voice: { file_url: element.url } }
    case 'file': {
      const file: kritor.common.IFileElement = { url: element.url }
      if (element.name !== undefined) file.name = element.name
      if (element.size !== undefined) file.size = element.size
      return { type: T.FILE, file }
    }
    case 'emoji':
      return text(element.kind === 'unicode' ? element.id : `[:${element.name ?? ''}:${element.id}]`)
    case 'kmarkdown':
      return { type: T.MARKDOWN, markdown: { markdown: element.content } }
    case 'card':
      return { type: T.JSON, json: { json: element.json } }
    case 'buttons':
      return keyboard(element.buttons)
  }
  // Unreachable for well-typed input; an unknown element from a newer model still shows as text.
  return text('')
}

/**
 * Elements of a message; `fallbackText` fills a message that would otherwise have none. Adjacent texts
 * (e.g. around a role mention written as "@name") merge into one TEXT, so command matching sees the
 * sentence as the user wrote it.
 */
export function encodeElements(
  elements: readonly Element[],
  fallbackText: string,
  ctx: EncodeElementsContext,
): IElement[] {
  const out: IElement[] = []
  for (const element of elements) {
    const encoded = encodeElement(element, ctx)
    const last = out[out.length - 1]
    if (encoded.type === T.TEXT && last?.type === T.TEXT && last.text && encoded.text) {
      last.text = { text: `${last.text.text ?? ''}${encoded.text.text ?? ''}` }
      continue
    }
    out.push(encoded)
  }
  // Never zero elements: frameworks index elements[0] (kritor.md §6 "Never emit zero elements").
  if (out.length === 0) out.push(text(fallbackText))
  return out
}
