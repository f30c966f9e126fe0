/**
 * Operation results (users, members, guilds, channels, stored messages) → OneBot action `data` shapes
 * (onebot-v11.md §A7). Ids become the same numbers events carry; fields OneBot requires but KOOK does
 * not have get neutral values (`sex: unknown`, `age: 0`, `level: ''`).
 */
import type { MemberRole, MessageEvent } from '../model/bridge-event.js'
import type { ChannelInfo, DirectSessionInfo, GuildInfo, MemberInfo, UserInfo } from '../model/operation.js'
import type { BridgeStore, MessageRecord } from '../store/bridge-store.js'
import { encodeCq } from './cq-code.js'
import { encodeSegments } from './segments.js'
import type { SenderRole } from './types.js'

const seconds = (ms: number | undefined) => (ms === undefined ? 0 : Math.floor(ms / 1000))

function role(value: MemberRole): SenderRole {
  return value === 'unknown' ? 'member' : value
}

/** A text channel as a group: "guild / channel" so a group list tells channels of different guilds apart. */
export function encodeGroupInfo(store: BridgeStore, channel: ChannelInfo, guild: GuildInfo | undefined) {
  return {
    group_id: store.numberFor('channel', channel.id),
    group_name: guild ? `${guild.name} / ${channel.name}` : channel.name,
    member_count: guild?.memberCount ?? 0,
    max_member_count: 0,
  }
}

export function encodeMember(store: BridgeStore, groupId: number, member: MemberInfo) {
  return {
    group_id: groupId,
    user_id: store.numberFor('user', member.id),
    nickname: member.name,
    card: member.nickname,
    sex: 'unknown',
    age: 0,
    area: '',
    join_time: seconds(member.joinedAt),
    last_sent_time: seconds(member.activeAt),
    level: '',
    role: role(member.role),
    unfriendly: false,
    title: '',
    title_expire_time: 0,
    card_changeable: true,
  }
}

export function encodeStranger(store: BridgeStore, user: UserInfo) {
  return { user_id: store.numberFor('user', user.id), nickname: user.name, sex: 'unknown', age: 0 }
}

export function encodeFriend(store: BridgeStore, session: DirectSessionInfo) {
  return { user_id: store.numberFor('user', session.user.id), nickname: session.user.name, remark: '' }
}

export function encodeGuild(store: BridgeStore, guild: GuildInfo) {
  return {
    guild_id: String(store.numberFor('guild', guild.id)),
    guild_name: guild.name,
    guild_display_id: String(store.numberFor('guild', guild.id)),
  }
}

export function encodeChannel(store: BridgeStore, channel: ChannelInfo) {
  return {
    owner_guild_id: String(store.numberFor('guild', channel.guildId)),
    channel_id: String(store.numberFor('channel', channel.id)),
    // gocq channel types: 1 text, 2 voice (KOOK uses the same numbers for these two).
    channel_type: channel.kind,
    channel_name: channel.name,
  }
}

export interface EncodeStoredMessageContext {
  store: BridgeStore
  extensionSegments: boolean
  format: 'array' | 'string'
}

/** `get_msg` data: the message as the event carried it, plus gocq's `group_id` / `raw_message`. */
export function encodeStoredMessage(
  ctx: EncodeStoredMessageContext,
  record: MessageRecord,
  message: MessageEvent,
) {
  const { store } = ctx
  const segments = encodeSegments(message.elements, {
    store,
    extensionSegments: ctx.extensionSegments,
    place: {
      scene: record.scene,
      guildId: record.guildId,
      channelId: record.channelId,
      chatCode: record.chatCode,
    },
  })
  const raw = encodeCq(segments)
  const userId = store.numberFor('user', message.sender.id)
  const base = {
    time: seconds(message.time),
    message_id: record.number,
    real_id: record.number,
    message_seq: record.number,
    user_id: userId,
    message: ctx.format === 'string' ? raw : segments,
    raw_message: raw,
  }
  if (record.scene === 'direct') {
    return {
      ...base,
      message_type: 'private',
      sender: { user_id: userId, nickname: message.sender.name, sex: 'unknown', age: 0 },
    }
  }
  return {
    ...base,
    message_type: 'group',
    group_id: store.numberFor('channel', record.channelId ?? message.channelId ?? ''),
    sender: {
      user_id: userId,
      nickname: message.sender.name,
      card: message.sender.nickname,
      sex: 'unknown',
      age: 0,
      role: role(message.sender.role),
    },
  }
}
