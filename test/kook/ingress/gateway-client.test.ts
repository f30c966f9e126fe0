import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { BridgeError, ErrorCode } from '../../../src/errors/bridge-error.js'
import {
  GatewayClient,
  type GatewayClientOptions,
  type GatewaySessionStore,
  GatewayStatus,
} from '../../../src/kook/ingress/gateway-client.js'
import type { IngressEvent } from '../../../src/kook/ingress/ingress-event.js'
import type { GatewaySession } from '../../../src/store/bridge-store.js'
import { Metrics } from '../../../src/util/metrics.js'
import { type FakeConnection, FakeGateway } from './fake-gateway.js'

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const waitFor = <T>(fn: () => T, timeout = 3_000) => vi.waitFor(fn, { timeout, interval: 5 })

/** Short timings: every test runs in well under a second of wall time. */
const FAST = {
  helloTimeoutMs: 300,
  pingIntervalMs: 60_000,
  pingJitterMs: 0,
  pongTimeoutMs: 80,
  quickPingDelaysMs: [20, 40],
  backoffBaseMs: 10,
  backoffMaxMs: 40,
  reorderTimeoutMs: 100,
  random: () => 0.5,
} satisfies Partial<GatewayClientOptions>

function memoryStore(initial?: GatewaySession): GatewaySessionStore & { value: GatewaySession | undefined } {
  return {
    value: initial,
    load() {
      return this.value
    },
    save(session) {
      this.value = session
    },
  }
}

let gateway: FakeGateway
let clients: GatewayClient[]

beforeEach(async () => {
  gateway = await FakeGateway.start()
  clients = []
})

afterEach(async () => {
  await Promise.all(clients.map((c) => c.stop()))
  await gateway.close()
})

function startClient(options: Partial<GatewayClientOptions> = {}) {
  const events: IngressEvent[] = []
  const metrics = new Metrics()
  const client = new GatewayClient({
    fetchGateway: gateway.fetchGateway,
    sink: (event) => events.push(event),
    metrics,
    compress: false,
    ...FAST,
    ...options,
  })
  clients.push(client)
  client.start()
  return { client, events, metrics, sns: () => events.map((e) => e.sn) }
}

const msg = (n: number) => ({ type: 9, channel_type: 'GROUP', msg_id: `m-${n}`, content: `hello ${n}` })

async function helloed(index: number, sessionId = 'session-1'): Promise<FakeConnection> {
  const conn = await gateway.connection(index)
  conn.hello(sessionId)
  return conn
}

describe('GatewayClient: connection and delivery', () => {
  it.each([false, true])(
    'delivers events in order with compress=%s, as text or zlib binary frames',
    async (compress) => {
      const { client, events } = startClient({ compress })
      const ready = new Promise((resolve) => client.once('ready', resolve))
      const conn = await helloed(0)
      expect(await ready).toEqual({ sessionId: 'session-1', resumed: false })
      expect(conn.query.get('compress')).toBe(compress ? '1' : '0')
      for (let sn = 1; sn <= 5; sn++) conn.event(sn, msg(sn))
      await waitFor(() => expect(events).toHaveLength(5))
      expect(events.map((e) => [e.sn, e.data['msg_id'], e.via])).toEqual(
        [1, 2, 3, 4, 5].map((n) => [n, `m-${n}`, 'ws']),
      )
      expect(client.status).toBe(GatewayStatus.Connected)
    },
  )

  it('reads the legacy "sessionId" HELLO field', async () => {
    const { client } = startClient()
    const conn = await gateway.connection(0)
    conn.send({ s: 1, d: { code: 0, sessionId: 'legacy-id' } })
    await waitFor(() => expect(client.sessionId).toBe('legacy-id'))
  })

  it('puts reordered events back in sn order and drops duplicates by sn and by msg_id', async () => {
    const { events, metrics, sns } = startClient()
    const conn = await helloed(0)
    conn.event(2, msg(2))
    conn.event(3, msg(3))
    conn.event(1, msg(1))
    conn.event(2, msg(2)) // same sn again
    conn.event(4, msg(1)) // KOOK resending event 1 under a new sn
    conn.event(5, msg(5))
    await waitFor(() => expect(sns()).toEqual([1, 2, 3, 5]))
    await wait(30)
    expect(events.map((e) => e.data['msg_id'])).toEqual(['m-1', 'm-2', 'm-3', 'm-5'])
    expect(metrics.value('kook_gateway_duplicates_total', { by: 'sn' })).toBe(1)
    expect(metrics.value('kook_gateway_duplicates_total', { by: 'msg_id' })).toBe(1)
  })

  it('skips a gap that never fills after reorderTimeoutMs, counts it and keeps going', async () => {
    const { client, metrics, sns } = startClient({ reorderTimeoutMs: 80 })
    const gaps: number[] = []
    client.on('gap', (n) => gaps.push(n))
    const conn = await helloed(0)
    conn.event(1, msg(1))
    conn.event(4, msg(4))
    conn.event(5, msg(5))
    await waitFor(() => expect(sns()).toEqual([1]))
    await wait(40)
    expect(sns()).toEqual([1]) // still waiting for 2 and 3
    await waitFor(() => expect(sns()).toEqual([1, 4, 5]))
    expect(gaps).toEqual([2])
    expect(metrics.value('kook_gateway_sn_skipped_total')).toBe(2)
    conn.event(6, msg(6))
    conn.event(3, msg(3)) // too late: already given up
    await waitFor(() => expect(sns()).toEqual([1, 4, 5, 6]))
  })

  it('skips the oldest gap at once when the reorder buffer overflows', async () => {
    const { sns } = startClient({ reorderBuffer: 3, reorderTimeoutMs: 10_000 })
    const conn = await helloed(0)
    for (const sn of [3, 4, 5, 6]) conn.event(sn, msg(sn))
    await waitFor(() => expect(sns()).toEqual([3, 4, 5, 6]))
  })

  it('counts malformed frames (bad zlib, bad JSON, missing s, unknown s) and keeps serving', async () => {
    const { events, metrics } = startClient()
    const conn = await helloed(0)
    conn.event(1, msg(1))
    conn.sendRaw(Buffer.from([0x78, 0x9c, 1, 2, 3, 4]), true)
    conn.sendRaw('{"s":0,"sn":2,', false)
    conn.sendRaw('{"d":{}}', false)
    conn.sendRaw('{"s":42}', false)
    conn.sendRaw('{"s":0,"sn":2}', false) // an event without d
    conn.event(2, msg(2))
    await waitFor(() => expect(events.map((e) => e.sn)).toEqual([1, 2]))
    expect(metrics.value('kook_gateway_frames_malformed_total', { reason: 'inflate' })).toBe(1)
    expect(metrics.value('kook_gateway_frames_malformed_total', { reason: 'json' })).toBe(1)
    expect(metrics.value('kook_gateway_frames_malformed_total', { reason: 'shape' })).toBe(2)
    expect(metrics.value('kook_gateway_frames_malformed_total', { reason: 'signal' })).toBe(1)
    expect(gateway.connections).toHaveLength(1)
  })

  it('keeps serving when the sink throws', async () => {
    let calls = 0
    const { metrics } = startClient({
      sink: () => {
        calls++
        if (calls === 1) throw new Error('consumer bug')
      },
    })
    const conn = await helloed(0)
    conn.event(1, msg(1))
    conn.event(2, msg(2))
    await waitFor(() => expect(calls).toBe(2))
    expect(metrics.value('kook_gateway_sink_errors_total')).toBe(1)
  })
})

describe('GatewayClient: bounded work per event-loop turn', () => {
  /** Counts event-loop turns (one setImmediate per turn) and the frames delivered in each. */
  function turnCounter() {
    const perTurn: number[] = [0]
    let ticker: NodeJS.Immediate | undefined
    const tick = () => {
      perTurn.push(0)
      ticker = setImmediate(tick)
    }
    ticker = setImmediate(tick)
    return {
      perTurn,
      delivered: () => {
        perTurn[perTurn.length - 1] = (perTurn.at(-1) ?? 0) + 1
      },
      stop: () => clearImmediate(ticker),
    }
  }

  it('hands a burst over a few frames per turn, in sn order, none lost', async () => {
    const turns = turnCounter()
    const { client, events, sns } = startClient({
      framesPerTurn: 16,
      sink: (event) => {
        turns.delivered()
        events.push(event)
      },
    })
    const ready = new Promise((resolve) => client.once('ready', resolve))
    const conn = await helloed(0)
    await ready
    const pause = vi.spyOn(WebSocket.prototype, 'pause')
    const resume = vi.spyOn(WebSocket.prototype, 'resume')
    // 2,000 frames written at once reach the client in a few socket reads, each of many frames.
    for (let sn = 1; sn <= 2_000; sn++) conn.event(sn, msg(sn))
    await waitFor(() => expect(events).toHaveLength(2_000), 10_000)
    turns.stop()
    expect(sns()).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1))
    // The endpoints' writes run between turns: never more than a turn's budget in between (the
    // budget is reset in the check phase, so a turn of the counter may straddle two budgets).
    expect(Math.max(...turns.perTurn)).toBeLessThanOrEqual(32)
    // Once maxPendingFrames (default 1,024) wait, the socket is paused, then resumed as they drain.
    expect(pause.mock.calls.length).toBeGreaterThan(0)
    expect(resume.mock.calls.length).toBeGreaterThan(0)
    pause.mockRestore()
    resume.mockRestore()
  })

  it('delivers every frame received before KOOK closes the socket, then resumes after the last', async () => {
    const { client, sns } = startClient({ framesPerTurn: 8 })
    const ready = new Promise((resolve) => client.once('ready', resolve))
    const conn = await helloed(0)
    await ready
    for (let sn = 1; sn <= 300; sn++) conn.event(sn, msg(sn))
    conn.socket.close(4000)
    const resumed = await gateway.connection(1)
    expect(sns()).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(resumed.query.get('sn')).toBe('300')
    expect(client.lastSn).toBe(300)
  })

  it('stop() delivers the frames already received before closing', async () => {
    const { client, sns } = startClient({ framesPerTurn: 8 })
    const ready = new Promise((resolve) => client.once('ready', resolve))
    const conn = await helloed(0)
    await ready
    for (let sn = 1; sn <= 200; sn++) conn.event(sn, msg(sn))
    // Every frame has reached the client, and some still wait for their turn when it stops.
    await waitFor(() => expect(sns().length + client.pendingFrames).toBe(200))
    await client.stop()
    expect(sns()).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
  })
})

describe('GatewayClient: heartbeat and resume', () => {
  it('pings with the last processed sn, not a buffered one', async () => {
    startClient({ pingIntervalMs: 60, reorderTimeoutMs: 10_000 })
    const conn = await helloed(0)
    conn.event(1, msg(1))
    conn.event(2, msg(2))
    conn.event(4, msg(4)) // buffered behind the gap at 3
    await waitFor(() => expect(conn.pings().length).toBeGreaterThan(0))
    expect(conn.pings()[0]).toEqual({ s: 2, sn: 2 })
  })

  it('after a silent PONG sends the quick pings, then resumes on a fresh gateway URL', async () => {
    const { client, events } = startClient({ pingIntervalMs: 30 })
    const conn = await helloed(0, 'sess-A')
    conn.event(1, msg(1))
    conn.event(2, msg(2))
    await waitFor(() => expect(events).toHaveLength(2))
    const second = await gateway.connection(1) // never PONGed: the client moved on
    expect(conn.pings()).toHaveLength(3) // the regular one + two quick ones
    expect(conn.pings().every((p) => p['sn'] === 2)).toBe(true)
    expect(gateway.fetches).toBe(2)
    expect(second.query.get('token')).toBe('t2') // a fresh URL, not the stale one
    expect(second.query.get('resume')).toBe('1')
    expect(second.query.get('sn')).toBe('2')
    expect(second.query.get('session_id')).toBe('sess-A')
    await waitFor(() => expect(conn.closed).toBe(true))

    const ready = new Promise((resolve) => client.once('ready', resolve))
    const resumed = new Promise((resolve) => client.once('resumed', resolve))
    second.hello('sess-A')
    expect(await ready).toEqual({ sessionId: 'sess-A', resumed: true })
    second.event(3, msg(3))
    second.send({ s: 6, d: { session_id: 'sess-A' } })
    expect(await resumed).toEqual({ sessionId: 'sess-A' })
    await waitFor(() => expect(events.map((e) => e.sn)).toEqual([1, 2, 3]))
    expect(client.status).toBe(GatewayStatus.Connected)
  })

  it('keeps the connection while PONGs come back', async () => {
    const { client } = startClient({ pingIntervalMs: 20 })
    const conn = await helloed(0)
    conn.socket.on('message', (data) => {
      if (JSON.parse(String(data)).s === 2) conn.send({ s: 3 })
    })
    await waitFor(() => expect(conn.pings().length).toBeGreaterThanOrEqual(5))
    expect(gateway.connections).toHaveLength(1)
    expect(client.status).toBe(GatewayStatus.Connected)
  })

  it('gives up resuming after resumeTries and starts a fresh session with jittered backoff', async () => {
    const { client, sns } = startClient({ resumeTries: 2 })
    const first = await helloed(0, 'sess-A')
    first.event(1, msg(1))
    await waitFor(() => expect(sns()).toEqual([1]))
    gateway.onConnection = (conn) => conn.socket.close() // every resume is refused
    first.socket.close()
    const fresh = await gateway.connection(3)
    expect(gateway.connections.slice(1, 3).map((c) => c.query.get('resume'))).toEqual(['1', '1'])
    expect(fresh.query.get('resume')).toBeNull()
    expect(fresh.query.get('session_id')).toBeNull()
    gateway.onConnection = undefined
    await waitFor(() => expect(client.sessionId).toBeUndefined())
    const again = await gateway.connection(4)
    again.hello('sess-B')
    again.event(1, msg(101)) // a fresh session numbers from 1 again
    await waitFor(() => expect(sns()).toEqual([1, 1]))
    expect(client.sessionId).toBe('sess-B')
  })

  it('treats s=5 as a reset: fresh session, sn from 1, persisted session cleared', async () => {
    const store = memoryStore()
    const { client, sns } = startClient({ sessionStore: store })
    const first = await helloed(0, 'sess-A')
    first.event(1, msg(1))
    first.event(2, msg(2))
    first.event(5, msg(5)) // waits behind a gap; must not survive the reset
    await waitFor(() => expect(store.value).toEqual({ sessionId: 'sess-A', sn: 2 }))
    first.send({ s: 5, d: { code: 40108, err: 'invalid sn' } })
    const second = await gateway.connection(1)
    expect(store.value).toBeUndefined()
    expect(second.query.get('resume')).toBeNull()
    second.hello('sess-B')
    second.event(1, msg(11))
    second.event(2, msg(12))
    await waitFor(() => expect(sns()).toEqual([1, 2, 1, 2]))
    expect(client.lastSn).toBe(2)
    await waitFor(() => expect(store.value).toEqual({ sessionId: 'sess-B', sn: 2 }))
  })

  it('re-fetches the gateway URL on HELLO 40103 and keeps the session', async () => {
    const { sns } = startClient()
    const first = await helloed(0, 'sess-A')
    first.event(1, msg(1))
    await waitFor(() => expect(sns()).toEqual([1]))
    first.socket.close()
    const second = await gateway.connection(1)
    second.hello('', 40103)
    const third = await gateway.connection(2)
    expect(gateway.fetches).toBe(3)
    expect(third.query.get('resume')).toBe('1')
    expect(third.query.get('session_id')).toBe('sess-A')
  })

  it('reconnects when HELLO does not arrive in time', async () => {
    const { client } = startClient({ helloTimeoutMs: 50 })
    const first = await gateway.connection(0)
    const second = await gateway.connection(1)
    await waitFor(() => expect(first.closed).toBe(true))
    second.hello('sess-late')
    await waitFor(() => expect(client.status).toBe(GatewayStatus.Connected))
  })

  it('resumes a session persisted by an earlier client', async () => {
    const store = memoryStore()
    const one = startClient({ sessionStore: store })
    const conn = await helloed(0, 'sess-P')
    for (let sn = 1; sn <= 3; sn++) conn.event(sn, msg(sn))
    await waitFor(() => expect(store.value).toEqual({ sessionId: 'sess-P', sn: 3 }))
    await one.client.stop()
    expect(store.value).toEqual({ sessionId: 'sess-P', sn: 3 })

    const two = startClient({ sessionStore: store })
    const resumedConn = await gateway.connection(1)
    expect(resumedConn.query.get('resume')).toBe('1')
    expect(resumedConn.query.get('sn')).toBe('3')
    expect(resumedConn.query.get('session_id')).toBe('sess-P')
    resumedConn.hello('sess-P')
    resumedConn.event(3, msg(3)) // replayed but already processed
    resumedConn.event(4, msg(4))
    await waitFor(() => expect(two.sns()).toEqual([4]))
  })
})

describe('GatewayClient: fatal errors and stop', () => {
  it.each([40101, 40102])('stops for good on HELLO %i with a KOOK_AUTH error', async (code) => {
    const { client } = startClient()
    const fatal = new Promise<BridgeError>((resolve) => client.once('fatal', resolve))
    const conn = await gateway.connection(0)
    conn.hello('', code)
    const error = await fatal
    expect(error.code).toBe(ErrorCode.KookAuth)
    expect(error.message).toContain(String(code))
    expect(client.status).toBe(GatewayStatus.Stopped)
    await wait(100)
    expect(gateway.fetches).toBe(1)
    expect(gateway.connections).toHaveLength(1)
  })

  it('stops for good when gateway/index refuses the token', async () => {
    gateway.fetchError = new BridgeError(ErrorCode.KookAuth, 'KOOK gateway/index: HTTP 401')
    const { client } = startClient()
    const error = await new Promise<BridgeError>((resolve) => client.once('fatal', resolve))
    expect(error.code).toBe(ErrorCode.KookAuth)
    await wait(100)
    expect(gateway.fetches).toBe(1)
    expect(client.status).toBe(GatewayStatus.Stopped)
  })

  it('retries gateway/index with growing delays on other failures, then connects', async () => {
    gateway.fetchError = new Error('ECONNRESET')
    const times: number[] = []
    const { client, metrics } = startClient({ backoffBaseMs: 10, backoffMaxMs: 1_000 })
    client.on('state', (s) => {
      if (s === GatewayStatus.FetchingGateway) times.push(performance.now())
    })
    await waitFor(() => expect(gateway.fetches).toBeGreaterThanOrEqual(5))
    gateway.fetchError = undefined
    await helloed(0)
    await waitFor(() => expect(client.status).toBe(GatewayStatus.Connected))
    // With random() = 0.5 the waits are ¾ of 10·2^n ms: 15, 30, 60, … (the first fetch is not timed).
    const waits = times.slice(1).map((t, i) => t - (times[i] as number))
    expect(waits[2]).toBeGreaterThan((waits[0] as number) + 20)
    expect(metrics.value('kook_gateway_fetch_failures_total')).toBeGreaterThanOrEqual(5)
  })

  it('stop() closes the socket and nothing fires afterwards', async () => {
    const { client, events } = startClient({ pingIntervalMs: 20 })
    const conn = await helloed(0)
    conn.event(1, msg(1))
    await waitFor(() => expect(events).toHaveLength(1))
    const states: string[] = []
    client.on('state', (s) => states.push(s))
    await client.stop()
    expect(client.status).toBe(GatewayStatus.Stopped)
    await waitFor(() => expect(conn.closed).toBe(true))
    const pings = conn.pings().length
    await wait(100)
    expect(conn.pings()).toHaveLength(pings)
    expect(gateway.connections).toHaveLength(1)
    expect(states).toEqual([GatewayStatus.Stopped])
  })

  it('stop() during backoff cancels the pending attempt', async () => {
    gateway.fetchError = new Error('down')
    const { client } = startClient({ backoffBaseMs: 50, backoffMaxMs: 50 })
    await waitFor(() => expect(client.status).toBe(GatewayStatus.Backoff))
    await client.stop()
    const fetches = gateway.fetches
    await wait(120)
    expect(gateway.fetches).toBe(fetches)
  })
})
