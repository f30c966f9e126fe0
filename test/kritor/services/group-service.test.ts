import { status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import type { ChannelInfo, GuildInfo, MemberInfo } from '../../../src/model/operation.js'
import { BIG_CHANNEL_ID, GUILD_ID, USER_ID } from '../support/bridge-events.js'
import { startEndpoint } from '../support/endpoint-harness.js'
import { failure } from '../support/expect-status.js'

const guild: GuildInfo = { id: GUILD_ID, name: 'Guild', ownerId: USER_ID, memberCount: 3 }
const channels: ChannelInfo[] = [
  { id: BIG_CHANNEL_ID, guildId: GUILD_ID, name: 'general', kind: 1 },
  { id: '1111111111111111', guildId: GUILD_ID, name: 'voice', kind: 2 },
]
const member: MemberInfo = {
  id: USER_ID,
  name: 'Alice',
  bot: false,
  guildId: GUILD_ID,
  nickname: 'Ali',
  roles: [],
  role: 'owner',
  joinedAt: 1_700_000_000_999,
  activeAt: 1_700_000_100_000,
}

async function withGuild(sceneMode: 'group' | 'guild' = 'group') {
  const harness = await startEndpoint({ sceneMode })
  const { ops } = harness
  ops.handlers.listGuilds = () => [guild]
  ops.handlers.getGuild = () => guild
  ops.handlers.listChannels = () => channels
  ops.handlers.getChannel = (op) => {
    const channel = channels.find((c) => c.id === op.channelId)
    if (!channel) throw Object.assign(new Error('unknown'), { code: 'NOT_FOUND' })
    return channel
  }
  ops.handlers.getMember = () => member
  ops.handlers.listMembers = () => [member]
  ops.handlers.kick = () => undefined
  ops.handlers.setNickname = () => undefined
  return harness
}

describe('GroupService', () => {
  it('lists text channels as groups ("guild / channel") in group mode, with 17-digit ids exact', async () => {
    const { client } = await withGuild()
    const { response } = await client.unary('kritor.group.GroupService/GetGroupList', {})
    expect(response['groups_info']).toEqual([
      expect.objectContaining({
        group_id: BIG_CHANNEL_ID,
        group_name: 'Guild / general',
        owner: USER_ID,
        member_count: 3,
        group_uin: BIG_CHANNEL_ID,
      }),
    ])
  })

  it('lists guilds as groups in guild mode', async () => {
    const { client } = await withGuild('guild')
    const { response } = await client.unary('kritor.group.GroupService/GetGroupList', {})
    expect(response['groups_info']).toEqual([
      expect.objectContaining({ group_id: GUILD_ID, group_name: 'Guild' }),
    ])
  })

  it('resolves a channel group to its guild for member calls, once', async () => {
    const { client, ops } = await withGuild()
    const info = await client.unary('kritor.group.GroupService/GetGroupMemberInfo', {
      group_id: BIG_CHANNEL_ID,
      target_uin: USER_ID,
    })
    expect(info.response['group_member_info']).toEqual(
      expect.objectContaining({
        uid: USER_ID,
        uin: USER_ID,
        nick: 'Alice',
        card: 'Ali',
        join_time: '1700000000',
        last_active_time: '1700000100',
      }),
    )
    const list = await client.unary('kritor.group.GroupService/GetGroupMemberList', {
      group_id: BIG_CHANNEL_ID,
    })
    expect(list.response['group_members_info']).toHaveLength(1)
    await client.unary('kritor.group.GroupService/KickMember', {
      group_id: BIG_CHANNEL_ID,
      target_uid: USER_ID,
    })
    await client.unary('kritor.group.GroupService/ModifyMemberCard', {
      group_id: BIG_CHANNEL_ID,
      target_uid: USER_ID,
      card: 'Alice!',
    })
    expect(ops.ops('kick')).toEqual([{ op: 'kick', guildId: GUILD_ID, userId: USER_ID }])
    expect(ops.ops('setNickname')).toEqual([
      { op: 'setNickname', guildId: GUILD_ID, userId: USER_ID, nickname: 'Alice!' },
    ])
    expect(ops.ops('getChannel')).toHaveLength(1)
  })

  it('answers group info for a channel', async () => {
    const { client } = await withGuild()
    const { response } = await client.unary('kritor.group.GroupService/GetGroupInfo', {
      group_id: BIG_CHANNEL_ID,
    })
    expect(response['group_info']).toEqual(
      expect.objectContaining({ group_id: BIG_CHANNEL_ID, group_name: 'Guild / general' }),
    )
  })

  it('refuses a member call without a target', async () => {
    const { client, ops } = await withGuild()
    const error = await failure(
      client.unary('kritor.group.GroupService/KickMember', { group_id: BIG_CHANNEL_ID }),
    )
    expect(error.code).toBe(status.INVALID_ARGUMENT)
    expect(error.details).toMatch(/target_uid or target_uin is required/)
    expect(ops.ops('kick')).toEqual([])
  })

  it('says why whole-group ban is unavailable', async () => {
    const { client } = await withGuild()
    const error = await failure(
      client.unary('kritor.group.GroupService/SetGroupWholeBan', { group_id: BIG_CHANNEL_ID }),
    )
    expect(error.code).toBe(status.UNIMPLEMENTED)
    expect(error.details).toMatch(/KOOK has no whole-group mute/)
  })
})
