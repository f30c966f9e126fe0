/**
 * The `data` of the KOOK API responses our operations read (kook.md §5, kaiheila/api-docs docs/zh-cn/http).
 * Wire types only: no logic. Field names stay as KOOK spells them; ids stay strings (kook.md §7).
 * Optional fields are ones the docs or SDKs show absent on some answers; only rely on documented ones.
 */
import type { KookRoute } from './endpoints.js'

/** A user as KOOK returns it from user/view, member lists and message authors. */
export interface KookUser {
  id: string
  username: string
  /** The 4 digits of `username#identify_num`: a display handle, not an id. */
  identify_num: string
  online: boolean
  /** 0 and 1 are normal, 10 is banned. */
  status: number
  avatar: string
  vip_avatar?: string
  bot: boolean
  is_vip?: boolean
  mobile_verified?: boolean
  /** The guild nickname (only with `guild_id`, or in a guild context). */
  nickname?: string
  /** Role ids in the guild: integers, unlike every other id. */
  roles?: number[]
  /** ms epoch; only with `guild_id`. */
  joined_at?: number
  /** ms epoch; only with `guild_id`. */
  active_time?: number
  banner?: string
  is_master?: boolean
  tag_info?: { color: string; text: string }
}

/** user/me: the bot itself. */
export interface KookSelfUser extends KookUser {
  client_id?: string
  mobile_prefix?: string
  mobile?: string
  invited_count?: number
  bot_status?: number
}

/** message/create and direct-message/create. */
export interface KookSendResult {
  msg_id: string
  /** ms epoch, server time. */
  msg_timestamp: number
  /** Echo of the `nonce` param: the gateway echo of our own message carries it too (kook.md §8.1). */
  nonce: string
}

export interface KookAttachment {
  type: 'image' | 'video' | 'file' | 'audio' | (string & {})
  url: string
  name?: string
  file_type?: string
  size?: number
  duration?: number
  width?: number
  height?: number
}

export interface KookReaction {
  /** Unicode emoji come as `[#<codepoint>;]`; guild emoji as `guildId/code`. */
  emoji: { id: string; name: string }
  count: number
  me: boolean
}

export interface KookQuote {
  id: string
  /** Some answers name the quoted message by `rong_id` instead of `id` (kook.md §3): read `rong_id ?? id`. */
  rong_id?: string
  type: number
  content: string
  create_at: number
  author: KookUser
}

export interface KookMentionInfo {
  mention_part: Array<{ id: string; username: string; full_name: string; avatar: string }>
  mention_role_part: Array<{ role_id: number; name: string; color: number; position: number }>
}

/** Fields shared by channel and direct messages from the view/list endpoints. */
interface KookMessageBase {
  id: string
  type: number
  content: string
  embeds: unknown[]
  /** `null` or, in DM answers, `false` when there is none (kook.md §8.11). */
  attachments: KookAttachment | null | false
  create_at: number
  /** 0 when never edited. */
  updated_at: number
  reactions: KookReaction[]
  quote: KookQuote | null
}

/** message/view, message/list items. */
export interface KookChannelMessage extends KookMessageBase {
  author: KookUser
  /** User ids; some answers carry them as numbers (kook.md §8.11): normalise with `String()`. */
  mention: Array<string | number>
  mention_all: boolean
  mention_roles: number[]
  mention_here: boolean
  mention_info: KookMentionInfo
  channel_id?: string
}

/** direct-message/view, direct-message/list items. */
export interface KookDirectMessage extends KookMessageBase {
  author_id: string
  read_status?: boolean
  mention_info?: KookMentionInfo | null
}

/** The meta block of paged answers (kook.md §5: page is 1-based, page_size ≤ 50). */
export interface KookPageMeta {
  page: number
  page_total: number
  page_size: number
  total: number
}

export interface KookPage<T> {
  items: T[]
  meta: KookPageMeta
  sort?: unknown
}

/** guild/list items. */
export interface KookGuild {
  id: string
  name: string
  topic: string
  /** The owner. */
  user_id: string
  is_master?: boolean
  /** Empty string when never set. */
  icon: string
  notify_type: number
  region: string
  enable_open: boolean
  open_id: string
  /** `"0"` when the guild has no text channel. */
  default_channel_id: string
  /** `"0"` when unset. */
  welcome_channel_id: string
}

export interface KookRole {
  role_id: number
  name: string
  color: number
  position: number
  hoist: number
  mentionable: number
  permissions: number
}

/** channel/list items: a summary, not the full channel. */
export interface KookChannelSummary {
  id: string
  /** The docs call the creator `master_id`; older answers and SDKs `user_id`. */
  master_id?: string
  user_id?: string
  /** Empty string at the top level. */
  parent_id: string
  name: string
  /** 0 category, 1 text, 2 voice (4 thread [K]). */
  type: number
  level: number
  limit_amount: number
  /** A boolean here, but an int in channel events (kook.md §8.11). */
  is_category: boolean
}

/** channel/view. */
export interface KookChannel extends KookChannelSummary {
  guild_id: string
  topic: string
  slow_mode: number
  voice_quality?: number
  server_url?: string
  has_password?: boolean
  permission_sync?: number
  permission_overwrites?: Array<{ role_id: number; allow: number; deny: number }>
  permission_users?: Array<{ user: KookUser; allow: number; deny: number }>
  children?: string[]
}

/** guild/view: the guild with its roles and channels. */
export interface KookGuildDetail extends KookGuild {
  features?: string[]
  boost_num?: number
  level?: number
  roles: KookRole[]
  channels: KookChannel[]
}

/** guild/user-list: a page of members plus counts. */
export interface KookGuildMemberPage extends KookPage<KookUser> {
  user_count: number
  online_count: number
  offline_count: number
}

/** user-chat/list items: one DM session. */
export interface KookUserChat {
  /** The chat_code: 32 lowercase hex, per user pair. */
  code: string
  last_read_time: number
  latest_msg_time: number
  unread_count: number
  target_info: { id: string; username: string; online: boolean; avatar: string }
}

/** user-chat/view and user-chat/create. */
export interface KookUserChatDetail extends KookUserChat {
  is_friend: boolean
  is_blocked: boolean
  is_target_blocked: boolean
}

/**
 * Checks at compile time that every key is a route of the endpoint table (an unknown key must be
 * `never`), so a typo here fails the build instead of silently typing nothing.
 */
type ResponseTable<T extends Record<Exclude<keyof T, KookRoute>, never>> = T

/** The `data` type of each route our operations read; `ResponseOf` gives `unknown` for the others. */
export type KookApiResponses = ResponseTable<{
  'gateway/index': { url: string }
  'user/me': KookSelfUser
  'user/view': KookUser
  'message/create': KookSendResult
  'direct-message/create': KookSendResult
  'message/view': KookChannelMessage
  'message/list': { items: KookChannelMessage[] }
  'direct-message/view': KookDirectMessage
  'direct-message/list': { items: KookDirectMessage[] }
  'guild/list': KookPage<KookGuild>
  'guild/view': KookGuildDetail
  'guild/user-list': KookGuildMemberPage
  'guild-role/list': KookPage<KookRole>
  'channel/list': KookPage<KookChannelSummary>
  'channel/view': KookChannel
  'user-chat/list': KookPage<KookUserChat>
  'user-chat/view': KookUserChatDetail
  'user-chat/create': KookUserChatDetail
  'asset/create': { url: string }
}>

/** What `KookApi.call(route)` resolves to. */
export type ResponseOf<R extends KookRoute> = R extends keyof KookApiResponses ? KookApiResponses[R] : unknown

/** What `KookApi.paginate(route)` yields: the item type of a paged route, `unknown` otherwise. */
export type PageItemOf<R extends KookRoute> = ResponseOf<R> extends { items: Array<infer T> } ? T : unknown
