/**
 * Operation results (guilds, channels, members, users, DM sessions) → kritor 1.0.3 records. Ids are
 * the KOOK ids as uid strings and the same numbers as uint64 (kritor-ids.ts); fields QQ has and KOOK
 * does not (level, age, titles, honors) get neutral zero values, which read as "none".
 */
import type { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import type { ChannelInfo, DirectSessionInfo, GuildInfo, MemberInfo, UserInfo } from '../model/operation.js'
import { u64Of } from './kritor-ids.js'

const seconds = (ms: number | undefined) => (ms === undefined ? 0 : Math.floor(ms / 1000))

/**
 * A text channel as a group (`group` scene mode): "guild / channel", so a group list tells channels of
 * different guilds apart (the OneBot endpoint names them the same way).
 */
export function encodeChannelGroup(
  channel: ChannelInfo,
  guild: GuildInfo | undefined,
): kritor.group.IGroupInfo {
  return {
    group_id: u64Of(channel.id),
    group_name: guild ? `${guild.name} / ${channel.name}` : channel.name,
    group_remark: '',
    owner: guild ? u64Of(guild.ownerId) : 0,
    admins: [],
    max_member_count: 0,
    member_count: guild?.memberCount ?? 0,
    group_uin: u64Of(channel.id),
  }
}

/** A guild as a group (`guild` scene mode). */
export function encodeGuildGroup(guild: GuildInfo): kritor.group.IGroupInfo {
  return {
    group_id: u64Of(guild.id),
    group_name: guild.name,
    group_remark: '',
    owner: u64Of(guild.ownerId),
    admins: [],
    max_member_count: 0,
    member_count: guild.memberCount ?? 0,
    group_uin: u64Of(guild.id),
  }
}

export function encodeGroupMember(member: MemberInfo): kritor.group.IGroupMemberInfo {
  return {
    uid: member.id,
    uin: u64Of(member.id),
    nick: member.name || member.id,
    age: 0,
    unique_title: '',
    unique_title_expire_time: 0,
    card: member.nickname,
    join_time: seconds(member.joinedAt),
    last_active_time: seconds(member.activeAt),
    level: 0,
    shut_up_time: 0,
  }
}

export function encodeFriend(session: DirectSessionInfo): kritor.friend.IFriendInfo {
  return {
    uid: session.user.id,
    uin: u64Of(session.user.id),
    qid: '',
    nick: session.user.name || session.user.id,
    remark: '',
    level: 0,
    age: 0,
    vote_cnt: 0,
    gender: 0,
    // FriendInfo.group_id is an int32 friend-list folder on QQ; KOOK has none.
    group_id: 0,
  }
}

export function encodeProfileCard(user: UserInfo): kritor.friend.IProfileCard {
  return {
    uid: user.id,
    uin: u64Of(user.id),
    qid: user.identifyNum ? `${user.name}#${user.identifyNum}` : '',
    nick: user.name || user.id,
    level: 0,
    login_day: 0,
    vote_cnt: 0,
  }
}

export function encodeGuildInfo(guild: GuildInfo): kritor.guild.IGuildInfo {
  return {
    guild_id: u64Of(guild.id),
    guild_name: guild.name,
    guild_display_id: guild.id,
    profile: '',
    is_enable: true,
    is_banned: false,
    is_frozen: false,
    owner_id: u64Of(guild.ownerId),
    shutup_expire_time: 0,
    allow_search: false,
  }
}

export function encodeChannelInfo(channel: ChannelInfo): kritor.guild.IChannelInfo {
  return {
    channel_id: u64Of(channel.id),
    guild_id: u64Of(channel.guildId),
    channel_name: channel.name,
    category_id: channel.parentId === undefined ? 0 : u64Of(channel.parentId),
  }
}
