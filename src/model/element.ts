/**
 * One message element. Protocol-neutral: KOOK content (KMarkdown, cards, attachments) is parsed into
 * elements, and elements are rendered back to KOOK by `content/`. Names no protocol.
 *
 * Media elements carry a `url`. Inbound it is always a KOOK-hosted http(s) URL; outbound it may also be
 * `base64://…` or `file://…`, or `data` may hold the bytes (kritor clients inline media), and the
 * sender uploads it first.
 */
export type Element =
  | TextElement
  | MentionElement
  | ReplyElement
  | ImageElement
  | VideoElement
  | AudioElement
  | FileElement
  | EmojiElement
  | KmarkdownElement
  | CardElement
  | ButtonsElement

export interface TextElement {
  type: 'text'
  text: string
}

/** `user`/`role`/`channel` carry an id; `all` (@全体成员) and `here` (@在线成员) do not. */
export interface MentionElement {
  type: 'mention'
  kind: 'user' | 'role' | 'channel' | 'all' | 'here'
  id?: string
  /** Display name when KOOK told us (mention_part, mention_role_part, channel_part). */
  name?: string
}

/** A quote of an earlier message: KOOK `quote` (inbound `rong_id ?? id`, outbound `quote` param). */
export interface ReplyElement {
  type: 'reply'
  messageId: string
}

interface MediaFields {
  url: string
  /** Raw bytes for outbound media that did not come as a URL. */
  data?: Uint8Array
  name?: string
  size?: number
  mime?: string
}

export interface ImageElement extends MediaFields {
  type: 'image'
  width?: number
  height?: number
}

export interface VideoElement extends MediaFields {
  type: 'video'
  duration?: number
}

export interface AudioElement extends MediaFields {
  type: 'audio'
  duration?: number
}

export interface FileElement extends MediaFields {
  type: 'file'
}

/** `unicode`: id is the emoji itself. `guild`: id is KOOK's `guildId/code`, name its short name. */
export interface EmojiElement {
  type: 'emoji'
  kind: 'unicode' | 'guild'
  id: string
  name?: string
}

/** Raw KMarkdown to pass through unchanged (outbound `markdown` segments, or content we cannot split). */
export interface KmarkdownElement {
  type: 'kmarkdown'
  content: string
}

/** A KOOK card message: `json` is the card array as KOOK's JSON string. */
export interface CardElement {
  type: 'card'
  json: string
}

export interface Button {
  text: string
  /** `link`: value is a URL to open. `return`: value comes back in a button-click event. */
  action: 'link' | 'return'
  value: string
  theme?: 'primary' | 'success' | 'danger' | 'warning' | 'info' | 'secondary'
}

export interface ButtonsElement {
  type: 'buttons'
  buttons: Button[]
}

export type ElementType = Element['type']
export type MediaElement = ImageElement | VideoElement | AudioElement | FileElement

export function isMedia(element: Element): element is MediaElement {
  return (
    element.type === 'image' ||
    element.type === 'video' ||
    element.type === 'audio' ||
    element.type === 'file'
  )
}
