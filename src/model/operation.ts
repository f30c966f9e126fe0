/**
 * Operations: protocol-neutral actions. kritor services and OneBot actions decode into these; `ops/`
 * executes them against the KOOK HTTP API. Names no protocol; every id is a KOOK id string.
 */
import type { MemberRole, MessageEvent, Scene } from './bridge-event.js'
import type { Element } from './element.js'

/** Where a message goes. A `direct` target needs `userId` or `chatCode`. */
export type MessageTarget =
  | {
      scene: 'channel'
      channelId: string /** KOOK temp message shown to one user only */
      tempUserId?: string
    }
  | { scene: 'direct'; userId?: string; chatCode?: string }

export interface SendMessageOp {
  op: 'sendMessage'
  target: MessageTarget
  elements: Element[]
  nonce?: string
}
export interface SendMessageResult {
  /** KOOK msg_ids in send order: one logical send may become several KOOK messages. */
  messageIds: string[]
  time: number
}

export interface RecallOp {
  op: 'recall'
  /** Every KOOK message of the logical message; all of them are deleted. */
  messageIds: string[]
}

export interface GetMessageOp {
  op: 'getMessage'
  messageId: string
}

export interface ReactOp {
  op: 'react'
  messageId: string
  /** Unicode emoji or KOOK `guildId/code`. */
  emoji: string
  add: boolean
}

export interface EditMessageOp {
  op: 'editMessage'
  messageId: string
  elements: Element[]
}

export interface GetSelfOp {
  op: 'getSelf'
}
export interface ListGuildsOp {
  op: 'listGuilds'
}
export interface GetGuildOp {
  op: 'getGuild'
  guildId: string
}
export interface ListChannelsOp {
  op: 'listChannels'
  guildId: string
}
export interface GetChannelOp {
  op: 'getChannel'
  channelId: string
}
export interface ListMembersOp {
  op: 'listMembers'
  guildId: string
}
export interface GetMemberOp {
  op: 'getMember'
  guildId: string
  userId: string
}
export interface GetUserOp {
  op: 'getUser'
  userId: string
}
export interface KickOp {
  op: 'kick'
  guildId: string
  userId: string
}
export interface SetNicknameOp {
  op: 'setNickname'
  guildId: string
  userId: string
  /** Empty clears the nickname. */
  nickname: string
}
export interface LeaveGuildOp {
  op: 'leaveGuild'
  guildId: string
}
export interface ListDirectSessionsOp {
  op: 'listDirectSessions'
}

/** A conversation to read: a channel, or a DM by user or chat code (one of them is needed). */
export type Conversation =
  | { scene: 'channel'; channelId: string }
  | { scene: 'direct'; userId?: string; chatCode?: string }

/**
 * A page of a conversation's history, oldest first (KOOK's cursor-style `message/list` and
 * `direct-message/list`). Every message returned is in the message index afterwards, so its number is
 * the one events used, or a fresh persistent one.
 */
export interface GetHistoryOp {
  op: 'getHistory'
  target: Conversation
  /** KOOK msg_id the page is taken relative to; absent: the newest messages. */
  anchor?: string
  /** Older than, newer than, or centred on the anchor. @defaultValue 'before' */
  direction?: 'before' | 'after' | 'around'
  /**
   * Whether the anchor itself belongs to the page. KOOK leaves it out of `before` and `after` pages
   * (it is in an `around` page anyway); OneBot and kritor history calls count it in.
   */
  includeAnchor?: boolean
  /** How many messages, 1–100 (KOOK's page size cap); larger values are capped. */
  count: number
}

export type Operation =
  | SendMessageOp
  | RecallOp
  | GetMessageOp
  | ReactOp
  | EditMessageOp
  | GetSelfOp
  | ListGuildsOp
  | GetGuildOp
  | ListChannelsOp
  | GetChannelOp
  | ListMembersOp
  | GetMemberOp
  | GetUserOp
  | KickOp
  | SetNicknameOp
  | LeaveGuildOp
  | ListDirectSessionsOp
  | GetHistoryOp

export interface UserInfo {
  id: string
  name: string
  identifyNum?: string
  avatar?: string
  bot: boolean
}
export interface MemberInfo extends UserInfo {
  guildId: string
  nickname: string
  roles: number[]
  role: MemberRole
  joinedAt?: number
  activeAt?: number
}
export interface GuildInfo {
  id: string
  name: string
  ownerId: string
  icon?: string
  memberCount?: number
  defaultChannelId?: string
}
export interface ChannelInfo {
  id: string
  guildId: string
  name: string
  /** 0 category, 1 text, 2 voice */
  kind: number
  parentId?: string
}
export interface DirectSessionInfo {
  chatCode: string
  user: UserInfo
}

/** What each operation returns. */
export interface OperationResults {
  sendMessage: SendMessageResult
  recall: undefined
  getMessage: MessageEvent
  react: undefined
  editMessage: undefined
  getSelf: UserInfo
  listGuilds: GuildInfo[]
  getGuild: GuildInfo
  listChannels: ChannelInfo[]
  getChannel: ChannelInfo
  listMembers: MemberInfo[]
  getMember: MemberInfo
  getUser: UserInfo
  kick: undefined
  setNickname: undefined
  leaveGuild: undefined
  listDirectSessions: DirectSessionInfo[]
  /** Oldest first. */
  getHistory: MessageEvent[]
}
export type OperationResult<O extends Operation> = OperationResults[O['op']]

/** Executes operations for one bot. Implemented by `ops/operation-executor.ts`. */
export interface OperationRunner {
  run<O extends Operation>(op: O): Promise<OperationResult<O>>
}

export type { Scene }
