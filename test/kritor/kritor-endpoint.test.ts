import { status } from '@grpc/grpc-js'
import { describe, expect, it, vi } from 'vitest'
import {
  BIG_CHANNEL_ID,
  BOT_ID,
  channelMessage,
  friendRequest,
  GUILD_ID,
  MSG_ID,
  notices,
  USER_ID,
  voiceJoined,
} from './support/bridge-events.js'
import { connect, startEndpoint } from './support/endpoint-harness.js'
import type { OpenStream } from './support/kritor-client.js'

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })
const LISTEN = 'kritor.event.EventService/RegisterActiveListener'

async function opened(streams: OpenStream[]): Promise<void> {
  await waitFor(() => expect(streams.every((s) => s.headers !== undefined)).toBe(true))
}

describe('KritorEndpoint', () => {
  it('answers GetCurrentAccount with the KOOK id as uid and uin, and kritor-self-* headers', async () => {
    const { client } = await startEndpoint()
    const { response, headers } = await client.unary('kritor.core.CoreService/GetCurrentAccount')
    expect(response).toEqual({ account_uid: BOT_ID, account_uin: BOT_ID, account_name: 'bridge-bot' })
    expect(headers.get('kritor-self-uid')).toEqual([BOT_ID])
    expect(headers.get('kritor-self-uin')).toEqual([BOT_ID])
    expect(String(headers.get('kritor-self-version')[0])).toMatch(/^kookbridge\//)
    const version = await client.unary('kritor.core.CoreService/GetVersion')
    expect(version.response['app_name']).toBe('kookbridge')
  })

  it('keeps all four streams open (CORE too) and routes each event to its stream only', async () => {
    const { client, hub } = await startEndpoint()
    const [core, message, notice, request] = [
      'EVENT_TYPE_CORE_EVENT',
      'EVENT_TYPE_MESSAGE',
      'EVENT_TYPE_NOTICE',
      'EVENT_TYPE_REQUEST',
    ].map((type) => client.stream(LISTEN, { type })) as [OpenStream, OpenStream, OpenStream, OpenStream]
    await opened([core, message, notice, request])
    expect(core.headers?.get('kritor-self-uid')).toEqual([BOT_ID])
    hub.publish(channelMessage([{ type: 'text', text: 'hello' }]))
    hub.publish(notices.recall)
    hub.publish(friendRequest)
    await waitFor(() => expect(request.received).toHaveLength(1))
    await waitFor(() => expect(message.received).toHaveLength(1))
    await waitFor(() => expect(notice.received).toHaveLength(1))
    expect(message.received[0]).toMatchObject({ type: 'EVENT_TYPE_MESSAGE', event: 'message' })
    expect(notice.received[0]).toMatchObject({ type: 'EVENT_TYPE_NOTICE', event: 'notice' })
    expect(request.received[0]).toMatchObject({ type: 'EVENT_TYPE_REQUEST', event: 'request' })
    // Nothing ended: frameworks drop the bot when any stream ends.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(core.received).toEqual([])
    for (const s of [core, message, notice, request]) expect(s.ended || s.error !== undefined).toBe(false)
  })

  it('broadcasts every event to every live stream of its type, and forgets cancelled ones', async () => {
    const { client, hub, endpoint } = await startEndpoint()
    const second = connect(endpoint)
    const a = client.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' })
    const b = second.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' })
    await opened([a, b])
    hub.publish(channelMessage([{ type: 'text', text: 'one' }]))
    await waitFor(() => expect([a.received.length, b.received.length]).toEqual([1, 1]))
    b.cancel()
    await waitFor(() => expect(endpoint.streamStats().filter((s) => s.kind === 'message')).toHaveLength(1))
    hub.publish(channelMessage([{ type: 'text', text: 'two' }], { messageId: 'second-message' }))
    await waitFor(() => expect(a.received).toHaveLength(2))
    expect(b.received).toHaveLength(1)
  })

  it('encodes a channel message as GROUP with peer = channel, uin = the KOOK id, positive seq', async () => {
    const { client, hub } = await startEndpoint()
    const stream = client.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' })
    await opened([stream])
    hub.publish(channelMessage([{ type: 'text', text: 'hello' }]))
    await waitFor(() => expect(stream.received).toHaveLength(1))
    const body = stream.received[0]?.['message'] as Record<string, unknown>
    expect(body).toMatchObject({
      time: String(Math.floor(1_735_716_085_977 / 1000)),
      message_id: MSG_ID,
      message_seq: '1',
      contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID, sub_peer: GUILD_ID },
      sender: { uid: USER_ID, uin: USER_ID, nick: 'Alice in KOOK', role: 'ADMIN' },
      elements: [{ type: 'TEXT', text: { text: 'hello' } }],
    })
  })

  it('uses GUILD contacts (peer = guild, sub_peer = channel) in guild scene mode', async () => {
    const { client, hub } = await startEndpoint({ sceneMode: 'guild' })
    const stream = client.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' })
    await opened([stream])
    hub.publish(channelMessage([{ type: 'text', text: 'hello' }]))
    await waitFor(() => expect(stream.received).toHaveLength(1))
    expect(stream.received[0]?.['message']).toMatchObject({
      contact: { scene: 'GUILD', peer: GUILD_ID, sub_peer: BIG_CHANNEL_ID },
    })
  })

  it('reports guild-wide notices on the guild’s default channel in group mode, in order', async () => {
    const { client, hub, ops } = await startEndpoint()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    ops.handlers.getGuild = async (op) => {
      await gate
      return { id: op.guildId, name: 'G', ownerId: USER_ID, defaultChannelId: '4588163096275438' }
    }
    const stream = client.stream(LISTEN, { type: 'EVENT_TYPE_NOTICE' })
    await opened([stream])
    hub.publish(notices.increase)
    hub.publish(notices.recall)
    await new Promise((resolve) => setTimeout(resolve, 30))
    // The recall waits behind the join whose group is still being looked up.
    expect(stream.received).toEqual([])
    release()
    await waitFor(() => expect(stream.received).toHaveLength(2))
    expect(stream.received.map((e) => (e['notice'] as { type: string }).type)).toEqual([
      'GROUP_MEMBER_INCREASE',
      'GROUP_RECALL',
    ])
    expect(stream.received[0]?.['notice']).toMatchObject({
      group_member_increase: { group_id: '4588163096275438', target_uid: USER_ID, target_uin: USER_ID },
    })
    expect(ops.ops('getGuild')).toHaveLength(1)
  })

  it('sends KOOK-only events to the extension stream only, filtered by name', async () => {
    const { client, hub } = await startEndpoint()
    const notice = client.stream(LISTEN, { type: 'EVENT_TYPE_NOTICE' })
    const all = client.stream('kookbridge.v1.ExtensionService/RegisterExtensionListener', {})
    const voiceOnly = client.stream('kookbridge.v1.ExtensionService/RegisterExtensionListener', {
      names: ['kook.voice_joined'],
    })
    await opened([notice, all, voiceOnly])
    hub.publish(notices.privateReaction)
    hub.publish(voiceJoined)
    await waitFor(() => expect(all.received).toHaveLength(2))
    await waitFor(() => expect(voiceOnly.received).toHaveLength(1))
    expect(all.received[0]).toMatchObject({
      name: 'private_reaction_removed',
      user_id: USER_ID,
      message_id: MSG_ID,
    })
    expect(voiceOnly.received[0]).toMatchObject({
      name: 'voice_joined',
      time: '1735716085977',
      guild_id: GUILD_ID,
      channel_id: BIG_CHANNEL_ID,
      user_id: USER_ID,
    })
    expect(JSON.parse(String(voiceOnly.received[0]?.['json']))).toEqual({
      user_id: USER_ID,
      channel_id: BIG_CHANNEL_ID,
    })
    expect(notice.received).toEqual([])
  })

  it('answers an unknown event type with INVALID_ARGUMENT', async () => {
    const { client } = await startEndpoint()
    const stream = client.stream(LISTEN, { type: 7 })
    await waitFor(() => expect(stream.error?.code).toBe(status.INVALID_ARGUMENT))
    expect(stream.error?.details).toMatch(/EventType/)
  })

  it('ends every stream when it stops', async () => {
    const { client, endpoint } = await startEndpoint()
    const stream = client.stream(LISTEN, { type: 'EVENT_TYPE_CORE_EVENT' })
    await opened([stream])
    await endpoint.stop()
    await waitFor(() => expect(stream.status?.code).toBe(status.OK))
  })
})
