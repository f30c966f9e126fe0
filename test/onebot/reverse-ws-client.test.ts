import { describe, expect, it, vi } from 'vitest'
import { channelMessage } from './support/bridge-events.js'
import { startEndpoint } from './support/endpoint-harness.js'
import { FakeFramework, freePort } from './support/fake-framework.js'

const waitFor = <T>(fn: () => T, timeout = 3_000) => vi.waitFor(fn, { timeout, interval: 5 })

/** A channel message whose text says which one it is. */
const message = (n: number) =>
  channelMessage([{ type: 'text', text: `m${n}` }], {
    messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  })

const texts = (events: Array<Record<string, unknown>>) => events.map((e) => e['raw_message'])

describe('reverse WS', () => {
  it('dials with Bearer, X-Self-ID and the Universal role, and sends lifecycle/connect first', async () => {
    const framework = await FakeFramework.start()
    const { endpoint } = await startEndpoint({
      profile: 'nonebot',
      reverseWs: [{ url: framework.url, accessToken: 's3cret' }],
    })
    await waitFor(() => expect(framework.connections[0]?.frames.length).toBeGreaterThan(0))
    const connection = framework.connections[0]!
    expect(connection.headers['authorization']).toBe('Bearer s3cret')
    expect(connection.headers['x-self-id']).toBe(String(endpoint.selfId))
    expect(connection.headers['x-client-role']).toBe('Universal')
    expect(connection.headers['user-agent']).toMatch(/^kookbridge\//)
    // No permessage-deflate offer: on loopback it only adds latency to every event frame.
    expect(connection.headers['sec-websocket-extensions']).toBeUndefined()
    expect(connection.frames[0]?.body).toMatchObject({
      post_type: 'meta_event',
      meta_event_type: 'lifecycle',
      sub_type: 'connect',
      self_id: endpoint.selfId,
    })
    expect(connection.frames[0]?.body).not.toHaveProperty('echo')
  })

  it('holds events until Karin’s handshake is answered plus the settle time, then delivers in order', async () => {
    const framework = await FakeFramework.start({ karin: true })
    const { publish, endpoint } = await startEndpoint({
      profile: 'karin',
      handshakeSettleMs: 60,
      reverseWs: [{ url: framework.url }],
    })
    // Published before the upstream even answers: must wait in the buffer, not be lost.
    publish(message(1))
    publish(message(2))
    await waitFor(() => expect(framework.connections[0]?.handshakeDoneAt).toBeDefined())
    publish(message(3))
    const connection = framework.connections[0]!
    await waitFor(() => expect(connection.messages()).toHaveLength(3))
    expect(texts(connection.messages())).toEqual(['m1', 'm2', 'm3'])
    const login = connection.frames.find((f) => f.body['echo'] === '1')?.body
    expect(login).toMatchObject({ status: 'ok', retcode: 0, data: { user_id: endpoint.selfId } })
    const firstEvent = connection.frames.find((f) => f.body['post_type'] === 'message')!
    const versionReply = connection.frames.find((f) => f.body['echo'] === '2')!
    // No event before the second handshake reply, and not within the settle time after it.
    expect(firstEvent.at - versionReply.at).toBeGreaterThanOrEqual(40)
    expect(connection.frames[0]?.body['meta_event_type']).toBe('lifecycle')
  })

  it('releases held events after the handshake timeout when the framework never calls', async () => {
    const framework = await FakeFramework.start()
    const { publish } = await startEndpoint({
      profile: 'karin',
      handshakeTimeoutMs: 150,
      reverseWs: [{ url: framework.url }],
    })
    publish(message(1))
    await waitFor(() => expect(framework.connections[0]).toBeDefined())
    const connectedAt = performance.now()
    await waitFor(() => expect(framework.connections[0]?.messages()).toHaveLength(1))
    expect(performance.now() - connectedAt).toBeGreaterThanOrEqual(100)
  })

  it('gives each of two upstreams every event exactly once', async () => {
    const a = await FakeFramework.start()
    const b = await FakeFramework.start()
    const { publish } = await startEndpoint({
      profile: 'nonebot',
      reverseWs: [{ url: a.url }, { url: b.url }],
    })
    await waitFor(() => expect(a.connections.length + b.connections.length).toBe(2))
    for (let n = 1; n <= 5; n++) publish(message(n))
    for (const framework of [a, b]) {
      await waitFor(() => expect(framework.connections[0]?.messages()).toHaveLength(5))
    }
    // A little longer: nothing more arrives.
    await new Promise((r) => setTimeout(r, 50))
    for (const framework of [a, b]) {
      expect(texts(framework.connections[0]!.messages())).toEqual(['m1', 'm2', 'm3', 'm4', 'm5'])
    }
  })

  it('buffers events while one upstream is down without blocking the other, and flushes on reconnect', async () => {
    const up = await FakeFramework.start()
    const downPort = await freePort()
    const { publish } = await startEndpoint({
      profile: 'nonebot',
      reverseWs: [
        { url: up.url },
        { url: `ws://127.0.0.1:${downPort}/`, reconnectIntervalMs: 20, maxReconnectIntervalMs: 80 },
      ],
    })
    await waitFor(() => expect(up.connections).toHaveLength(1))
    for (let n = 1; n <= 3; n++) publish(message(n))
    await waitFor(() => expect(up.connections[0]?.messages()).toHaveLength(3))
    const late = await FakeFramework.start({ port: downPort })
    await waitFor(() => expect(late.connections[0]?.messages()).toHaveLength(3))
    expect(texts(late.connections[0]!.messages())).toEqual(['m1', 'm2', 'm3'])
    expect(late.connections[0]?.frames[0]?.body['meta_event_type']).toBe('lifecycle')
  })

  it('keeps only the newest bufferSize events while down, counting the dropped ones', async () => {
    const port = await freePort()
    const { publish, metrics } = await startEndpoint({
      profile: 'nonebot',
      bufferSize: 2,
      reverseWs: [{ url: `ws://127.0.0.1:${port}/`, reconnectIntervalMs: 20, maxReconnectIntervalMs: 80 }],
    })
    for (let n = 1; n <= 5; n++) publish(message(n))
    const framework = await FakeFramework.start({ port })
    await waitFor(() => expect(framework.connections[0]?.messages()).toHaveLength(2))
    expect(texts(framework.connections[0]!.messages())).toEqual(['m4', 'm5'])
    expect(metrics.total('kookbridge_onebot_events_dropped_total')).toBe(3)
  })

  it('reconnects after the framework drops the connection, and redoes the handshake', async () => {
    const framework = await FakeFramework.start({ karin: true })
    const { publish } = await startEndpoint({
      profile: 'karin',
      reverseWs: [{ url: framework.url, reconnectIntervalMs: 20, maxReconnectIntervalMs: 80 }],
    })
    await waitFor(() => expect(framework.connections[0]?.handshakeDoneAt).toBeDefined())
    framework.connections[0]?.ws.terminate()
    publish(message(1))
    await waitFor(() => expect(framework.connections[1]?.messages()).toHaveLength(1))
    expect(framework.connections[1]?.handshakeDoneAt).toBeDefined()
  })
})
