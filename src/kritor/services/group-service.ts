/**
 * kritor.group.GroupService. A group is a KOOK text channel in `group` scene mode and a guild in
 * `guild` mode (group-resolver.ts); members, kicks and nicknames are guild-wide on KOOK, so member
 * RPCs act on the group's guild.
 *
 * - GetGroupList: every text channel of every guild ("guild / channel" names), or every guild;
 * - GetGroupInfo / GetGroupMemberInfo / GetGroupMemberList; KickMember (KOOK guild/kickout);
 *   ModifyMemberCard (KOOK guild nickname: an empty card clears it).
 * Everything QQ-specific (whole-group ban, titles, honors, admins, poke) answers UNIMPLEMENTED.
 */
import type { kritor } from '../../../gen/kritor/1.0.3/kritor.js'
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import type { GuildInfo } from '../../model/operation.js'
import { requireId } from '../decode-contact.js'
import { encodeChannelGroup, encodeGroupMember, encodeGuildGroup } from '../encode-info.js'
import { idOfU64 } from '../kritor-ids.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.group.GroupService']

type U64 = number | { toString(): string }

/** The oneof `target` of member requests: target_uid, else target_uin. */
function targetOf(request: { target_uid: string | null; target_uin: U64 | null }): string {
  if (request.target_uid !== null && request.target_uid !== '') {
    return requireId(request.target_uid, 'target_uid', 'user id')
  }
  return requireId(idOfU64(request.target_uin), 'target_uid or target_uin', 'user id')
}

export function groupService(deps: ServiceDeps): ServiceImpl<Service> {
  const { groups, ops } = deps
  const groupIdOf = (value: U64) =>
    requireId(idOfU64(value), 'group_id', deps.sceneMode === 'guild' ? 'guild id' : 'channel id')

  const groupInfo = async (groupId: string): Promise<kritor.group.IGroupInfo> => {
    if (deps.sceneMode === 'guild')
      return encodeGuildGroup(await ops.run({ op: 'getGuild', guildId: groupId }))
    const channel = await ops.run({ op: 'getChannel', channelId: groupId })
    groups.learn(channel.id, channel.guildId)
    const guild = await ops.run({ op: 'getGuild', guildId: channel.guildId })
    return encodeChannelGroup(channel, guild)
  }

  const groupList = async (): Promise<kritor.group.IGroupInfo[]> => {
    const guilds = await ops.run({ op: 'listGuilds' })
    if (deps.sceneMode === 'guild') return guilds.map(encodeGuildGroup)
    const perGuild = await Promise.all(
      guilds.map(async (guild: GuildInfo) => {
        const channels = await ops.run({ op: 'listChannels', guildId: guild.id })
        // Text channels only: a voice channel or a category cannot receive messages.
        return channels
          .filter((channel) => channel.kind === 1)
          .map((channel) => {
            groups.learn(channel.id, guild.id)
            return encodeChannelGroup(channel, guild)
          })
      }),
    )
    return perGuild.flat()
  }

  return {
    GetGroupList: async () => ({ groups_info: await groupList() }),
    GetGroupInfo: async (request) => ({ group_info: await groupInfo(groupIdOf(request.group_id)) }),
    GetGroupMemberInfo: async (request) => {
      const guildId = await groups.guildOf(groupIdOf(request.group_id))
      const member = await ops.run({ op: 'getMember', guildId, userId: targetOf(request) })
      return { group_member_info: encodeGroupMember(member) }
    },
    GetGroupMemberList: async (request) => {
      const guildId = await groups.guildOf(groupIdOf(request.group_id))
      const members = await ops.run({ op: 'listMembers', guildId })
      return { group_members_info: members.map(encodeGroupMember) }
    },
    KickMember: async (request) => {
      const userId = targetOf(request)
      const guildId = await groups.guildOf(groupIdOf(request.group_id))
      await ops.run({ op: 'kick', guildId, userId })
      return {}
    },
    ModifyMemberCard: async (request) => {
      const userId = targetOf(request)
      const guildId = await groups.guildOf(groupIdOf(request.group_id))
      await ops.run({ op: 'setNickname', guildId, userId, nickname: request.card })
      return {}
    },
    BanMember: unimplemented('KOOK has no text mute; its voice mutes are not served yet'),
    PokeMember: unimplemented('KOOK has no poke'),
    LeaveGroup: unimplemented('leaving would leave the whole KOOK guild; not served'),
    ModifyGroupName: unimplemented('renaming channels is not served yet'),
    ModifyGroupRemark: unimplemented('KOOK has no group remarks'),
    SetGroupAdmin: unimplemented('KOOK admins are roles; role management is not served'),
    SetGroupUniqueTitle: unimplemented('KOOK has no member titles'),
    SetGroupWholeBan: unimplemented('KOOK has no whole-group mute'),
    GetProhibitedUserList: unimplemented('KOOK has no text mute list'),
    GetRemainCountAtAll: unimplemented('KOOK has no @all quota'),
    GetNotJoinedGroupInfo: unimplemented('a KOOK bot cannot look at guilds it is not in'),
    GetGroupHonor: unimplemented('KOOK has no group honors'),
    UploadGroupFile: unimplemented('send a FILE element with SendMessage instead'),
  }
}
