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
}
export type OperationResult<O extends Operation> = OperationResults[O['op']]

/** Executes operations for one bot. Implemented by `ops/operation-executor.ts`. */
export interface OperationRunner {
  run<O extends Operation>(op: O): Promise<OperationResult<O>>
}

export type { Scene }
