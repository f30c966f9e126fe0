import { describe, expect, it } from 'vitest'
import { BIG_CHANNEL_ID, BOT_ID, GUILD_ID } from '../support/bridge-events.js'
import { startEndpoint } from '../support/endpoint-harness.js'

describe('GuildService', () => {
  it('answers GetBotInfo with the bot id as tiny_id', async () => {
    const { client, ops } = await startEndpoint()
    ops.handlers.getSelf = () => ({
      id: BOT_ID,
      name: 'bridge-bot',
      bot: true,
      avatar: 'https://img.kookapp.cn/a.png',
    })
    const { response } = await client.unary('kritor.guild.GuildService/GetBotInfo', {})
    expect(response).toEqual({
      nickname: 'bridge-bot',
      tiny_id: BOT_ID,
      avatar: 'https://img.kookapp.cn/a.png',
    })
  })

  it('lists a guild’s channels with exact uint64 ids', async () => {
    const { client, ops } = await startEndpoint()
    ops.handlers.listChannels = (op) => [
      { id: BIG_CHANNEL_ID, guildId: op.guildId, name: 'general', kind: 1 },
    ]
    const { response } = await client.unary('kritor.guild.GuildService/GetGuildChannelList', {
      guild_id: GUILD_ID,
    })
    expect(ops.ops('listChannels')).toEqual([{ op: 'listChannels', guildId: GUILD_ID }])
    expect(response['channels_info']).toEqual([
      expect.objectContaining({ channel_id: BIG_CHANNEL_ID, guild_id: GUILD_ID, channel_name: 'general' }),
    ])
  })

  it('sends SendChannelMessage (nonebot’s GUILD reply path) as plain text to the channel', async () => {
    const { client, ops } = await startEndpoint()
    ops.handlers.sendMessage = () => ({ messageIds: ['m-1'], time: 1_735_716_090_123 })
    const { response } = await client.unary('kritor.guild.GuildService/SendChannelMessage', {
      guild_id: GUILD_ID,
      channel_id: BIG_CHANNEL_ID,
      message: '*not bold*',
    })
    expect(response).toEqual({ message_id: 'm-1', message_time: '1735716090' })
    expect(ops.ops('sendMessage')).toEqual([
      {
        op: 'sendMessage',
        target: { scene: 'channel', channelId: BIG_CHANNEL_ID },
        elements: [{ type: 'text', text: '*not bold*' }],
      },
    ])
  })
})
