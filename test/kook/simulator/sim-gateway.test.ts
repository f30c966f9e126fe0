import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import { RawGatewayClient } from './raw-gateway-client.js'
import { callApi } from './sim-api-call.js'

let sim: KookSimulator
const clients: RawGatewayClient[] = []

beforeEach(async () => {
  sim = await KookSimulator.start()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await sim.close()
})

async function gatewayUrl(compress: 0 | 1 = 0): Promise<string> {
  const answer = await callApi<{ url: string }>(sim, 'gateway/index', { compress })
  expect(answer.status).toBe(200)
  return answer.body.data.url
}

async function connect(url: string): Promise<RawGatewayClient> {
  const client = await RawGatewayClient.connect(url)
  clients.push(client)
  return client
}

async function connectFresh(compress: 0 | 1 = 0): Promise<{ client: RawGatewayClient; sessionId: string }> {
  const client = await connect(await gatewayUrl(compress))
  const hello = await client.next((f) => f.s === 1)
  return { client, sessionId: String(hello.d?.['session_id']) }
}

const ping = (sn: number) => ({ s: 2, sn })

describe('gateway/index and HELLO', () => {
  it('returns a ws:// URL on the same port that already carries compress and a short-lived token', async () => {
    const url = new URL(await gatewayUrl(1))
    expect(url.protocol).toBe('ws:')
    expect(url.port).toBe(String(sim.port))
    expect(url.pathname).toBe('/gateway')
    expect(url.searchParams.get('compress')).toBe('1')
    expect(url.searchParams.get('token')).toMatch(/^[\w-]{16,}$/)
  })

  it('greets with HELLO code 0 and a session id, as text frames with compress=0', async () => {
    const { client, sessionId } = await connectFresh(0)
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(client.frames[0]).toMatchObject({ s: 1, d: { code: 0 }, binary: false })
  })

  it('sends every frame as an independent zlib binary frame with compress=1', async () => {
    const { client } = await connectFresh(1)
    sim.inject({ channel_type: 'GROUP', type: 1, content: 'a' })
    sim.inject({ channel_type: 'GROUP', type: 1, content: 'b' })
    const events = await client.events(2)
    expect(client.frames.every((f) => f.binary)).toBe(true)
    expect(events.map((e) => e.d?.['content'])).toEqual(['a', 'b'])
  })

  it('delivers injected events as {s:0, d, sn} with sn counting from 1 per session', async () => {
    const { client } = await connectFresh()
    expect(sim.inject({ type: 1, content: 'first' })).toBe(1)
    expect(sim.inject({ type: 1, content: 'second' })).toBe(2)
    const [a, b] = await client.events(2)
    expect(a).toMatchObject({ s: 0, sn: 1, d: { content: 'first' } })
    expect(b).toMatchObject({ s: 0, sn: 2, d: { content: 'second' } })
  })

  it('restarts sn at 1 for a fresh (non-resumed) connection', async () => {
    const first = await connectFresh()
    sim.inject({ n: 1 })
    sim.inject({ n: 2 })
    await first.client.events(2)
    await first.client.close()
    const second = await connectFresh()
    expect(second.sessionId).not.toBe(first.sessionId)
    sim.inject({ n: 3 })
    expect((await second.client.events(1))[0]?.sn).toBe(1)
  })

  it('refuses a bad token: gateway/index answers 401, HELLO carries 40101 and the socket closes', async () => {
    const wrong = await callApi(sim, 'gateway/index', {}, { token: 'nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.body.code).toBe(401)

    const url = await gatewayUrl()
    sim.refuseToken(true)
    expect((await callApi(sim, 'gateway/index')).status).toBe(401)
    const client = await connect(url)
    expect(await client.next()).toMatchObject({ s: 1, d: { code: 40101 } })
    await client.closed
  })

  it('answers HELLO 40103 for an unknown or expired URL token', async () => {
    const url = new URL(await gatewayUrl())
    url.searchParams.set('token', 'made-up')
    const client = await connect(url.href)
    expect(await client.next()).toMatchObject({ s: 1, d: { code: 40103 } })

    const stale = await gatewayUrl()
    sim.expireGatewayTokens()
    const late = await connect(stale)
    expect(await late.next()).toMatchObject({ s: 1, d: { code: 40103 } })
  })

  it('can hold HELLO back to exercise a client HELLO timeout', async () => {
    sim.delayHello(150)
    const client = await connect(await gatewayUrl())
    await client.nothing((f) => f.s === 1, 60)
    expect(await client.next((f) => f.s === 1)).toMatchObject({ d: { code: 0 } })
  })
})

describe('heartbeat', () => {
  it('answers PING with PONG and records the pinged sn', async () => {
    const { client, sessionId } = await connectFresh()
    sim.inject({ n: 1 })
    await client.events(1)
    client.send(ping(1))
    expect(await client.next((f) => f.s === 3)).toEqual({ s: 3, binary: false })
    expect(sim.sessions.find((s) => s.id === sessionId)).toMatchObject({ lastPingSn: 1, pings: [1] })
  })

  it('delays or drops pongs on request', async () => {
    const { client } = await connectFresh()
    sim.delayPongs(120)
    const sent = Date.now()
    client.send(ping(0))
    await client.next((f) => f.s === 3)
    expect(Date.now() - sent).toBeGreaterThanOrEqual(100)

    sim.delayPongs(null)
    sim.dropPongs(true)
    client.send(ping(0))
    await client.nothing((f) => f.s === 3, 80)
    sim.dropPongs(false)
    client.send(ping(0))
    await client.next((f) => f.s === 3)
  })

  it('resends the events after the pinged sn when the client reports a gap', async () => {
    const { client } = await connectFresh()
    for (let n = 1; n <= 3; n++) sim.inject({ n })
    await client.events(3)
    client.send(ping(1))
    const resent = await client.events(2)
    expect(resent.map((f) => f.sn)).toEqual([2, 3])
  })

  it('answers a PING with an sn the session never sent with s=5 40108 (a client that kept an old sn)', async () => {
    const { client } = await connectFresh()
    client.send(ping(57))
    expect(await client.next((f) => f.s === 5)).toMatchObject({ d: { code: 40108 } })
    await client.closed
  })

  it('ignores malformed client frames and counts them', async () => {
    const { client } = await connectFresh()
    client.send('not json')
    client.send('[1,2]')
    client.send({ s: 'x' })
    client.send(ping(0))
    await client.next((f) => f.s === 3)
    expect(sim.malformedFrames).toBe(3)
    expect(client.open).toBe(true)
  })
})

describe('resume and reconnect', () => {
  it('replays the events missed while disconnected, then RESUME ACK, and records the resume URL', async () => {
    const { client, sessionId } = await connectFresh(1)
    sim.inject({ n: 1 })
    await client.events(1)
    sim.dropConnections()
    expect((await client.closed).code).toBe(1006)
    expect(sim.inject({ n: 2 })).toBe(2)
    expect(sim.inject({ n: 3 })).toBe(3)

    // Like Kook.Net: a fresh gateway URL plus the resume parameters.
    const resumeUrl = `${await gatewayUrl(1)}&resume=1&sn=1&session_id=${sessionId}`
    const resumed = await connect(resumeUrl)
    const replayed = await resumed.events(2)
    expect(replayed.map((f) => [f.sn, f.d?.['n']])).toEqual([
      [2, 2],
      [3, 3],
    ])
    expect(await resumed.next((f) => f.s === 6)).toMatchObject({ d: { session_id: sessionId } })
    expect(resumed.frames.findIndex((f) => f.s === 6)).toBeGreaterThan(
      resumed.frames.findIndex((f) => f.sn === 3),
    )
    expect(sim.gatewayConnections.at(-1)?.url).toBe(resumeUrl)
    expect(sim.sessions.find((s) => s.id === sessionId)).toMatchObject({ resumes: 1, connected: true })

    sim.inject({ n: 4 })
    expect((await resumed.events(1))[0]?.sn).toBe(4)
  })

  it('accepts the docs spelling sessionId= as well', async () => {
    const { client, sessionId } = await connectFresh()
    await client.close()
    const resumed = await connect(`${await gatewayUrl()}&resume=1&sn=0&sessionId=${sessionId}`)
    expect(await resumed.next((f) => f.s === 6)).toMatchObject({ d: { session_id: sessionId } })
  })

  it('refuses resumes with s=5: 40106 missing params, 40107 expired session, 40108 sn from the future', async () => {
    const { client, sessionId } = await connectFresh()
    await client.close()

    const missing = await connect(`${await gatewayUrl()}&resume=1&session_id=${sessionId}`)
    expect(await missing.next()).toMatchObject({ s: 5, d: { code: 40106 } })

    const future = await connect(`${await gatewayUrl()}&resume=1&sn=9&session_id=${sessionId}`)
    expect(await future.next()).toMatchObject({ s: 5, d: { code: 40108 } })

    const fresh = await connectFresh()
    await fresh.client.close()
    sim.expireSessions()
    const expired = await connect(`${await gatewayUrl()}&resume=1&sn=0&session_id=${fresh.sessionId}`)
    expect(await expired.next()).toMatchObject({ s: 5, d: { code: 40107, err: expect.any(String) } })
    await expired.closed
  })

  it('keeps events for a session without socket only while it lives: an expired session gets none', async () => {
    const { client } = await connectFresh()
    await client.close()
    sim.expireSessions()
    expect(sim.inject({ n: 1 })).toBe(0)
  })

  it('sendReconnect sends s=5 with the code to every socket, closes it and discards the session', async () => {
    const a = await connectFresh()
    const b = await connectFresh(1)
    sim.sendReconnect(40107)
    expect(await a.client.next()).toMatchObject({ s: 5, d: { code: 40107 } })
    expect(await b.client.next()).toMatchObject({ s: 5, d: { code: 40107 } })
    await Promise.all([a.client.closed, b.client.closed])
    const retry = await connect(`${await gatewayUrl()}&resume=1&sn=0&session_id=${a.sessionId}`)
    expect(await retry.next()).toMatchObject({ s: 5, d: { code: 40107 } })
  })
})

describe('delivery faults', () => {
  it('reorderNext sends the next n events in reverse sn order', async () => {
    const { client } = await connectFresh()
    sim.reorderNext(3)
    for (let n = 1; n <= 4; n++) sim.inject({ n })
    const events = await client.events(4)
    expect(events.map((f) => f.sn)).toEqual([3, 2, 1, 4])
  })

  it('duplicateNext sends the next n events twice', async () => {
    const { client } = await connectFresh()
    sim.duplicateNext(1)
    sim.inject({ n: 1 })
    sim.inject({ n: 2 })
    const events = await client.events(3)
    expect(events.map((f) => f.sn)).toEqual([1, 1, 2])
  })

  it('injectFrame passes raw frames through, for malformed-input tests', async () => {
    const { client } = await connectFresh()
    sim.injectFrame({ s: 0, d: { raw: true }, sn: 99 })
    expect(await client.next((f) => f.s === 0)).toMatchObject({ sn: 99, d: { raw: true } })
  })
})

describe('prepared events (load generators)', () => {
  it('sends prepared events in order with the session’s sns, deflated, and keeps them for a resume', async () => {
    const { client, sessionId } = await connectFresh(1)
    sim.inject({ n: 0 })
    const prepared = sim.prepareEvents(
      [1, 2, 3, 4].map((n) => ({
        n,
        msg_id: `prepared-${n}`,
        type: 1,
        channel_type: 'GROUP',
        target_id: '1',
      })),
    )
    sim.injectPrepared(prepared, 3)
    const first = await client.events(4)
    expect(first.map((f) => [f.sn, f.d?.['n']])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ])
    expect(client.frames.every((f) => f.binary)).toBe(true)
    // Filed in the simulator's message store like any injected message.
    expect(sim.allMessages.some((m) => m.msgId === 'prepared-2')).toBe(true)

    sim.dropConnections()
    await client.closed
    sim.injectPrepared(prepared, 10) // the rest: only one left, kept for the resume
    const resumed = await connect(`${await gatewayUrl(1)}&resume=1&sn=2&session_id=${sessionId}`)
    expect((await resumed.events(3)).map((f) => [f.sn, f.d?.['n']])).toEqual([
      [3, 2],
      [4, 3],
      [5, 4],
    ])
  })

  it('refuses to send prepared events once another event took one of their sns', async () => {
    const { client } = await connectFresh()
    const prepared = sim.prepareEvents([{ n: 1 }, { n: 2 }])
    sim.inject({ n: 'other' })
    expect(() => sim.injectPrepared(prepared, 1)).toThrow(/other events took the prepared sns/)
    expect((await client.events(1)).map((f) => f.d?.['n'])).toEqual(['other'])
  })

  it('needs exactly one attached session', () => {
    expect(() => sim.prepareEvents([{ n: 1 }])).toThrow(/exactly one attached session, there are 0/)
  })
})
