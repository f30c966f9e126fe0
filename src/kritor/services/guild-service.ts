/**
 * kritor.guild.GuildService. Ids are uint64 here; KOOK guild and channel ids fit, and are read back as
 * decimal strings. SendChannelMessage is nonebot's reply path for GUILD-scene messages: `message` is
 * plain text (kritor.md §2), sent as a text element (escaped for KMarkdown by the renderer).
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { requireId } from '../decode-contact.js'
import { encodeChannelInfo, encodeGuildInfo } from '../encode-info.js'
import { idOfU64, u64Of } from '../kritor-ids.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.guild.GuildService']

export function guildService(deps: ServiceDeps): ServiceImpl<Service> {
  const { ops } = deps
  return {
    GetBotInfo: async () => {
      const self = await ops.run({ op: 'getSelf' })
      return {
        nickname: deps.bot.nickname || deps.bot.name,
        tiny_id: u64Of(deps.bot.id, deps.onInvalidId),
        avatar: self.avatar ?? '',
      }
    },
    GetChannelList: async () => ({
      get_guild_list: (await ops.run({ op: 'listGuilds' })).map(encodeGuildInfo),
    }),
    GetGuildChannelList: async (request) => {
      const guildId = requireId(idOfU64(request.guild_id), 'guild_id', 'guild id')
      const channels = await ops.run({ op: 'listChannels', guildId })
      return { channels_info: channels.map(encodeChannelInfo) }
    },
    SendChannelMessage: async (request) => {
      const channelId = requireId(idOfU64(request.channel_id), 'channel_id', 'channel id')
      const result = await ops.run({
        op: 'sendMessage',
        target: { scene: 'channel', channelId },
        elements: [{ type: 'text', text: request.message }],
      })
      return { message_id: result.messageIds[0] ?? '', message_time: Math.floor(result.time / 1000) }
    },
    GetGuildMetaByGuest: unimplemented('a KOOK bot cannot look at guilds it is not in'),
    GetGuildMemberList: unimplemented('use GroupService.GetGroupMemberList'),
    GetGuildMember: unimplemented('use GroupService.GetGroupMemberInfo'),
    GetGuildFeedList: unimplemented('KOOK has no guild feeds'),
    GetGuildRoleList: unimplemented('role management is not served yet'),
    DeleteGuildRole: unimplemented('role management is not served yet'),
    SetGuildMemberRole: unimplemented('role management is not served yet'),
    UpdateGuildRole: unimplemented('role management is not served yet'),
    CreateGuildRole: unimplemented('role management is not served yet'),
  }
}
