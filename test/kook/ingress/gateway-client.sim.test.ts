/**
 * The gateway client against the KOOK simulator: real gateway/index over HTTP, real WebSocket frames,
 * the simulator's own sessions, replay and fault injection.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BridgeError, ErrorCode } from '../../../src/errors/bridge-error.js'
import {
  GatewayClient,
  type GatewayClientOptions,
  type GatewaySessionStore,
  GatewayStatus,
} from '../../../src/kook/ingress/gateway-client.js'
import type { IngressEvent } from '../../../src/kook/ingress/ingress-event.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import type { GatewaySession } from '../../../src/store/bridge-store.js'
import { Metrics } from '../../../src/util/metrics.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/kook')
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const waitFor = <T>(fn: () => T, timeout = 5_000) => vi.waitFor(fn, { timeout, interval: 5 })
/** Fails fast instead of hanging until the test timeout when an awaited event never comes. */
function within<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const FAST = {
  helloTimeoutMs: 1_000,
  pingIntervalMs: 60_000,
  pingJitterMs: 0,
  pongTimeoutMs: 100,
  quickPingDelaysMs: [20, 40],
  backoffBaseMs: 10,
  backoffMaxMs: 50,
  reorderTimeoutMs: 150,
  random: () => 0.5,
} satisfies Partial<GatewayClientOptions>

let sim: KookSimulator
let clients: GatewayClient[]
/** gateway/index calls the clients made (the wiring's KOOK API client does this in production). */
let gatewayIndexCalls: number

beforeEach(async () => {
  sim = await KookSimulator.start()
  clients = []
  gatewayIndexCalls = 0
})

afterEach(async () => {
  await Promise.all(clients.map((c) => c.stop()))
  await sim.close()
})

/** A minimal gateway/index call, as the KOOK API client makes it: 401 means the token is refused. */
async function fetchGateway(compress: boolean): Promise<string> {
  gatewayIndexCalls++
  const res = await fetch(`${sim.apiBase}/gateway/index?compress=${compress ? 1 : 0}`, {
    headers: { authorization: `Bot ${sim.token}` },
  })
  const body = (await res.json()) as { code: number; message?: string; data?: { url?: string } }
  if (res.status === 401 || body.code === 401 || body.code === 40101 || body.code === 40102) {
    throw new BridgeError(
      ErrorCode.KookAuth,
      `gateway/index refused the token: ${body.message ?? res.status}`,
    )
  }
  if (body.code !== 0 || typeof body.data?.url !== 'string') {
    throw new BridgeError(ErrorCode.KookApi, `gateway/index failed: ${body.code} ${body.message ?? ''}`)
  }
  return body.data.url
}

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

function startClient(options: Partial<GatewayClientOptions> = {}) {
  const events: IngressEvent[] = []
  const metrics = new Metrics()
  const client = new GatewayClient({
    fetchGateway,
    sink: (e) => events.push(e),
    metrics,
    ...FAST,
    ...options,
  })
  clients.push(client)
  client.start()
  const ready = new Promise<{ sessionId: string; resumed: boolean }>((resolve) =>
    client.once('ready', resolve),
  )
  return { client, events, metrics, ready, ids: () => events.map((e) => e.data['msg_id']) }
}

let counter = 0
function textEvent(label = `e${++counter}`): Record<string, unknown> {
  return {
    channel_type: 'GROUP',
    type: 9,
    target_id: '4881800000000',
    author_id: '2418200000',
    content: label,
    msg_id: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    msg_timestamp: 1_700_000_000_000 + counter,
    nonce: '',
    extra: { type: 9, guild_id: '6016389914000000', channel_name: 'general', mention: [], author: {} },
  }
}

function readFixtures(): Array<Record<string, unknown>> {
  let names: string[]
  try {
    names = readdirSync(FIXTURES).filter((n) => n.endsWith('.json'))
  } catch {
    return []
  }
  // The fixtures come from KOOK's docs, whose msg_ids are truncated ("67637d4c-xxxx-…") and repeat across
  // files; in a real stream every event has its own, so each copy gets a unique one (else the msg_id
  // de-duplication would rightly drop the repeats).
  return names.sort().map((n, i) => {
    const frame = JSON.parse(readFileSync(join(FIXTURES, n), 'utf8')) as { d: Record<string, unknown> }
    return { ...frame.d, msg_id: `${String(frame.d['msg_id'] ?? 'none')}/${i}` }
  })
}

describe('GatewayClient × simulator', () => {
  it.each([true, false])(
    'delivers every fixture event exactly once and in order (compress=%s)',
    async (compress) => {
      const fixtures = readFixtures()
      const payloads = fixtures.length > 0 ? fixtures : Array.from({ length: 30 }, () => textEvent())
      const { events, ready } = startClient({ compress })
      await within(ready)
      for (const d of payloads) sim.inject(d)
      await waitFor(() => expect(events).toHaveLength(payloads.length))
      await wait(50)
      expect(events.map((e) => e.data)).toEqual(payloads)
      expect(events.map((e) => e.sn)).toEqual(payloads.map((_d, i) => i + 1))
      expect(sim.gatewayConnections[0]?.url).toContain(`compress=${compress ? 1 : 0}`)
    },
  )

  it('resumes a connection dropped mid-stream on a fresh URL, with no loss and no duplicate', async () => {
    const { client, events, ready, ids } = startClient()
    const { sessionId } = await within(ready)
    for (let i = 0; i < 10; i++) sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(10))
    const callsBefore = gatewayIndexCalls
    const resumed = new Promise((resolve) => client.once('resumed', resolve))
    sim.dropConnections()
    const expected = [...ids()]
    for (let i = 0; i < 10; i++) {
      const d = textEvent()
      expected.push(d['msg_id'])
      sim.inject(d) // while disconnected: the simulator keeps them for the replay
    }
    await within(resumed)
    await waitFor(() => expect(events).toHaveLength(20))
    await wait(50)
    expect(ids()).toEqual(expected)
    expect(gatewayIndexCalls).toBe(callsBefore + 1)
    const resumeUrl = new URL(sim.gatewayConnections.at(-1)?.url as string)
    expect(resumeUrl.searchParams.get('resume')).toBe('1')
    expect(resumeUrl.searchParams.get('sn')).toBe('10')
    expect(resumeUrl.searchParams.get('session_id')).toBe(sessionId)
    expect(client.sessionId).toBe(sessionId)
  })

  it('repairs reordered and duplicated frames', async () => {
    const { events, metrics, ready, ids } = startClient()
    await within(ready)
    const expected: unknown[] = []
    sim.reorderNext(5)
    for (let i = 0; i < 5; i++) expected.push(injected(textEvent()))
    sim.duplicateNext(5)
    for (let i = 0; i < 5; i++) expected.push(injected(textEvent()))
    await waitFor(() => expect(events).toHaveLength(10))
    await wait(50)
    expect(ids()).toEqual(expected)
    expect(events.map((e) => e.sn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(metrics.total('kook_gateway_duplicates_total')).toBeGreaterThanOrEqual(5)
  })

  it('recovers from s=5 with a fresh session and sn starting over', async () => {
    const { client, events, ready } = startClient()
    const first = await within(ready)
    for (let i = 0; i < 3; i++) sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(3))
    const next = new Promise<{ sessionId: string; resumed: boolean }>((resolve) =>
      client.once('ready', resolve),
    )
    sim.sendReconnect(40108)
    const second = await within(next)
    expect(second.resumed).toBe(false)
    expect(second.sessionId).not.toBe(first.sessionId)
    expect(new URL(sim.gatewayConnections.at(-1)?.url as string).searchParams.get('resume')).toBeNull()
    sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(4))
    expect(events.map((e) => e.sn)).toEqual([1, 2, 3, 1])
  })

  it.each([
    ['delayed', () => sim.delayPongs(10_000)],
    ['dropped', () => sim.dropPongs(true)],
  ])('answers %s PONGs with two quick pings, then resumes', async (_name, fault) => {
    const { client, ready } = startClient({ pingIntervalMs: 50 })
    await within(ready)
    sim.inject(textEvent())
    fault()
    const resumedReady = new Promise<{ resumed: boolean }>((resolve) => client.once('ready', resolve))
    expect((await within(resumedReady)).resumed).toBe(true)
    const pings = sim.sessions[0]?.pings ?? []
    expect(pings.length).toBeGreaterThanOrEqual(3)
    expect(new URL(sim.gatewayConnections.at(-1)?.url as string).searchParams.get('resume')).toBe('1')
  })

  it('stops with a KOOK_AUTH error when the token is refused, without a retry loop', async () => {
    sim.refuseToken(true)
    const { client } = startClient()
    const error = await within(new Promise<BridgeError>((resolve) => client.once('fatal', resolve)))
    expect(error.code).toBe(ErrorCode.KookAuth)
    expect(error.message).toMatch(/token/)
    await wait(200)
    expect(gatewayIndexCalls).toBe(1)
    expect(client.status).toBe(GatewayStatus.Stopped)
  })

  it('stops on HELLO 40101 too (token refused after gateway/index answered), without a retry loop', async () => {
    let calls = 0
    const { client } = startClient({
      fetchGateway: async (compress) => {
        calls++
        sim.refuseToken(true) // refused between gateway/index and the socket's HELLO
        return sim.gatewayUrl(compress)
      },
    })
    const error = await within(new Promise<BridgeError>((resolve) => client.once('fatal', resolve)))
    expect(error.code).toBe(ErrorCode.KookAuth)
    expect(error.message).toContain('40101')
    await wait(200)
    expect(calls).toBe(1)
    expect(sim.gatewayConnections).toHaveLength(1)
  })

  it('starts a fresh session when KOOK refuses the resume of an expired one (s=5 40107)', async () => {
    const { client, events, ready } = startClient()
    const first = await within(ready)
    sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(1))
    sim.dropConnections()
    sim.expireSessions()
    const next = await within(
      new Promise<{ sessionId: string; resumed: boolean }>((resolve) => {
        client.on('ready', (info) => {
          if (!info.resumed) resolve(info)
        })
      }),
    )
    expect(next.sessionId).not.toBe(first.sessionId)
    const urls = sim.gatewayConnections.map((c) => new URL(c.url).searchParams.get('resume'))
    expect(urls).toEqual([null, '1', null])
    sim.inject(textEvent())
    await waitFor(() => expect(events.map((e) => e.sn)).toEqual([1, 1]))
  })

  it('resumes, in a new client, the session an earlier client persisted', async () => {
    const store = memoryStore()
    const one = startClient({ sessionStore: store })
    const { sessionId } = await within(one.ready)
    for (let i = 0; i < 4; i++) sim.inject(textEvent())
    await waitFor(() => expect(store.value).toEqual({ sessionId, sn: 4 }))
    await one.client.stop()
    const missed = textEvent()
    sim.inject(missed) // while no client runs

    const two = startClient({ sessionStore: store })
    const info = await within(two.ready)
    expect(info).toEqual({ sessionId, resumed: true })
    await waitFor(() => expect(two.ids()).toEqual([missed['msg_id']]))
    expect(two.events[0]?.sn).toBe(5)
  })

  it('skips, after the timeout, a gap that never fills, and counts it', async () => {
    const { client, events, metrics, ready } = startClient({ reorderTimeoutMs: 80 })
    await within(ready)
    const gaps: number[] = []
    client.on('gap', (n) => gaps.push(n))
    sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(1))
    // sn 2 never comes: KOOK would retransmit on the next ping, here nobody does
    sim.injectFrame(JSON.stringify({ s: 0, sn: 3, d: textEvent() }))
    await waitFor(() => expect(events.map((e) => e.sn)).toEqual([1, 3]))
    expect(gaps).toEqual([1])
    expect(metrics.value('kook_gateway_sn_skipped_total')).toBe(1)
  })

  it('counts malformed frames and keeps going', async () => {
    const { events, metrics, ready } = startClient()
    await within(ready)
    sim.injectFrame('not json')
    sim.injectFrame(JSON.stringify({ d: {} }))
    sim.injectFrame(JSON.stringify({ s: 99 }))
    sim.inject(textEvent())
    await waitFor(() => expect(events).toHaveLength(1))
    expect(metrics.total('kook_gateway_frames_malformed_total')).toBe(3)
  })
})

function injected(d: Record<string, unknown>): unknown {
  sim.inject(d)
  return d['msg_id']
}
