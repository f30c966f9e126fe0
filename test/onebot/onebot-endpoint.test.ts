import { describe, expect, it, vi } from 'vitest'
import { BIG_CHANNEL_ID, channelMessage, GUILD_ID, notices } from './support/bridge-events.js'
import { startEndpoint } from './support/endpoint-harness.js'
import { FakeFramework } from './support/fake-framework.js'

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })

async function withUpstream(config: Parameters<typeof startEndpoint>[0] = {}) {
  const framework = await FakeFramework.start()
  const harness = await startEndpoint({ profile: 'nonebot', reverseWs: [{ url: framework.url }], ...config })
  await waitFor(() => expect(framework.connections[0]?.frames.length).toBeGreaterThan(0))
  return { ...harness, framework, connection: framework.connections[0]! }
}

describe('OneBotEndpoint', () => {
  it('round-trips a 17-digit channel: event group_id → send_group_msg → delete_msg recalls every part', async () => {
    const { connection, publish, ops } = await withUpstream()
    ops.handlers.sendMessage = () => ({ messageIds: ['p-1', 'p-2'], time: 1 })
    ops.handlers.recall = () => undefined
    publish(channelMessage([{ type: 'text', text: '#ping' }]))
    await waitFor(() => expect(connection.messages()).toHaveLength(1))
    const event = connection.messages()[0] as { group_id: number }
    expect(Number.isSafeInteger(event.group_id)).toBe(true)
    const sent = await connection.call('send_group_msg', {
      group_id: event.group_id,
      message: [{ type: 'text', data: { text: 'pong' } }],
    })
    expect(ops.ops('sendMessage')[0]?.target).toEqual({ scene: 'channel', channelId: BIG_CHANNEL_ID })
    const messageId = (sent['data'] as { message_id: number }).message_id
    expect(await connection.call('delete_msg', { message_id: messageId })).toMatchObject({ status: 'ok' })
    expect(ops.ops('recall')).toEqual([{ op: 'recall', messageIds: ['p-1', 'p-2'] }])
  })

  it('never feeds the bot’s own messages back', async () => {
    const { connection, publish } = await withUpstream()
    publish(channelMessage([{ type: 'text', text: 'mine' }], { self: true }))
    publish(channelMessage([{ type: 'text', text: 'theirs' }], { messageId: 'other-message' }))
    await waitFor(() => expect(connection.messages()).toHaveLength(1))
    expect(connection.messages()[0]).toMatchObject({ raw_message: 'theirs' })
  })

  it('keeps order when a guild-wide notice waits for the guild’s default channel', async () => {
    const { connection, publish, ops } = await withUpstream()
    ops.handlers.getGuild = async (op) => {
      await new Promise((r) => setTimeout(r, 50))
      return { id: op.guildId, name: 'Guild', ownerId: '1', defaultChannelId: '1234567890123' }
    }
    publish(notices.memberIncrease)
    publish(channelMessage([{ type: 'text', text: 'after' }]))
    await waitFor(() => expect(connection.events().length).toBeGreaterThanOrEqual(3))
    const [, increase, message] = connection.events()
    expect(increase).toMatchObject({
      notice_type: 'group_increase',
      group_id: 1234567890123,
      guild_id: Number(GUILD_ID),
    })
    expect(message).toMatchObject({ post_type: 'message', raw_message: 'after' })
    expect(ops.ops('getGuild')).toHaveLength(1)
    publish(notices.memberCard)
    await waitFor(() => expect(connection.events()).toHaveLength(4))
    expect(ops.ops('getGuild')).toHaveLength(1)
  })

  it('sends heartbeats with status and interval to live connections', async () => {
    const { connection } = await withUpstream({ heartbeatIntervalMs: 30 })
    await waitFor(() =>
      expect(
        connection.events().filter((e) => e['meta_event_type'] === 'heartbeat').length,
      ).toBeGreaterThanOrEqual(2),
    )
    const beat = connection.events().find((e) => e['meta_event_type'] === 'heartbeat')
    expect(beat).toMatchObject({ status: { online: true, good: true }, interval: 30 })
    expect(beat).not.toHaveProperty('echo')
  })

  it('closes its connections on stop and stops dialing', async () => {
    const { connection, endpoint, framework } = await withUpstream()
    const closed = new Promise<number>((resolve) => connection.ws.once('close', (code) => resolve(code)))
    await endpoint.stop()
    expect(await closed).toBe(1000)
    await new Promise((r) => setTimeout(r, 100))
    expect(framework.connections).toHaveLength(1)
  })
})
