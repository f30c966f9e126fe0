/**
 * BridgeEvent: what happened on KOOK, in protocol-neutral terms. Produced by the compiled mapping table
 * (`mapping/`), consumed by the protocol encoders (`kritor/`, `onebot/`). Names no protocol.
 *
 * Conventions:
 * - every id is a string, exactly as KOOK wrote it (KOOK ids exceed 2^53 and message ids are UUIDs);
 * - `time` is milliseconds since the epoch (KOOK's unit); encoders convert;
 * - `raw` is the KOOK event (`d` of the frame) the BridgeEvent came from: the same object, with only
 *   the shape fixes of `parseKookEvent` applied (ids as strings, KOOK's 0/1 flags as booleans);
 * - `rowId` names the mapping row that produced it, for `explain` and debugging.
 */
import type { Element } from './element.js'

/** The KOOK event the BridgeEvent came from (the `d` object of an s=0 frame). Kept opaque here. */
export type RawKookEvent = Readonly<Record<string, unknown>>

export type Scene = 'channel' | 'direct'

/** owner: guild owner; admin: holds a role with the administrator bit; member: anyone else. */
export type MemberRole = 'owner' | 'admin' | 'member' | 'unknown'

export interface Sender {
  id: string
  /** KOOK username (global display name). */
  name: string
  /** Guild nickname (OneBot `card`); empty when none or in DMs. */
  nickname: string
  avatar?: string
  bot: boolean
  /** KOOK role ids of the author in this guild. */
  roles: number[]
  role: MemberRole
}

interface EventBase {
  /** KOOK `msg_id` of the event (for system events an event id, not a message id). */
  eventId: string
  time: number
  rowId: string
  raw: RawKookEvent
}

export interface MessageEvent extends EventBase {
  type: 'message'
  scene: Scene
  messageId: string
  /** KOOK message type: 1 text, 2 image, 3 video, 4 file, 8 audio, 9 KMarkdown, 10 card, 12 item. */
  kookType: number
  /** channel scene */
  guildId?: string
  channelId?: string
  channelName?: string
  /** direct scene: the other party (the author) and the DM chat code */
  chatCode?: string
  sender: Sender
  elements: Element[]
  /** KOOK's `raw_content` when present, otherwise the text of the elements. */
  plainText: string
  /** The `nonce` of the send that produced this message, if any (correlates the bot's echoes). */
  nonce?: string
  /** True when the author is the bot itself. */
  self: boolean
}

/** A message was recalled. KOOK does not say who recalled a channel message (no operator). */
export interface RecallNotice extends EventBase {
  type: 'notice.recall'
  scene: Scene
  messageId: string
  guildId?: string
  channelId?: string
  chatCode?: string
  /** Author of the recalled message, when known (DM events carry it; the message index may know). */
  userId?: string
  operatorId?: string
}

export interface MemberIncreaseNotice extends EventBase {
  type: 'notice.member_increase'
  guildId: string
  userId: string
}

/** leave: left by themselves; kick: removed or blacklisted by someone; kick_me: the bot itself left/was removed. */
export interface MemberDecreaseNotice extends EventBase {
  type: 'notice.member_decrease'
  guildId: string
  userId: string
  reason: 'leave' | 'kick' | 'kick_me'
  operatorId?: string
}

/** KOOK has voice mutes only (mic / headset); text mute does not exist. */
export interface MemberBanNotice extends EventBase {
  type: 'notice.member_ban'
  guildId: string
  userId: string
  banned: boolean
  muteKind: 'mic' | 'headset'
  operatorId?: string
}

export interface MemberCardNotice extends EventBase {
  type: 'notice.member_card'
  guildId: string
  userId: string
  card: string
}

/** KOOK pin/unpin: the nearest thing to QQ "essence". */
export interface PinNotice extends EventBase {
  type: 'notice.pin'
  pinned: boolean
  messageId: string
  channelId: string
  guildId?: string
  operatorId: string
}

export interface ReactionNotice extends EventBase {
  type: 'notice.reaction'
  added: boolean
  scene: Scene
  messageId: string
  userId: string
  guildId?: string
  channelId?: string
  chatCode?: string
  /** `id` is the unicode emoji itself or KOOK's `guildId/code`. */
  emoji: { id: string; name: string }
}

/** A DM peer's profile changed (KOOK `user_updated`): the friend-like DM session event. */
export interface UserUpdatedNotice extends EventBase {
  type: 'notice.user_updated'
  userId: string
  name: string
  avatar?: string
}

export type NoticeEvent =
  | RecallNotice
  | MemberIncreaseNotice
  | MemberDecreaseNotice
  | MemberBanNotice
  | MemberCardNotice
  | PinNotice
  | ReactionNotice
  | UserUpdatedNotice

/** KOOK has no request events today; the kind exists so protocols can be complete. */
export interface RequestEvent extends EventBase {
  type: 'request'
  requestKind: 'friend' | 'guild_invite'
  requestId: string
  userId: string
  guildId?: string
  comment?: string
}

/**
 * Something neither kritor nor OneBot models: voice join/leave, button clicks, message edits,
 * guild/channel/role/emoji changes, live status, unmatched events. `name` is namespaced (`kook.*`).
 */
export interface ExtensionEvent extends EventBase {
  type: 'extension'
  name: string
  scene?: Scene
  guildId?: string
  channelId?: string
  /** direct scene: the DM chat code (KOOK `chat_code`), e.g. for private message edits. */
  chatCode?: string
  userId?: string
  messageId?: string
  data: Record<string, unknown>
}

export type BridgeEvent = MessageEvent | NoticeEvent | RequestEvent | ExtensionEvent
export type BridgeEventType = BridgeEvent['type']
