import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BridgeError, ErrorCode } from '../../../src/errors/bridge-error.js'
import { KookApi, type RateLimitedInfo } from '../../../src/kook/api/kook-api.js'
import { Metrics } from '../../../src/util/metrics.js'
import { type FakeKook, rateLimitHeaders, startFakeKook } from './fake-kook.js'

let kook: FakeKook
beforeEach(async () => {
  kook = await startFakeKook()
})
afterEach(async () => {
  await kook.close()
})

function makeApi(extra: Partial<ConstructorParameters<typeof KookApi>[0]> = {}): KookApi {
  return new KookApi({ baseUrl: kook.baseUrl, token: 't', retryBackoffMs: 10, ...extra })
}

function collect(api: KookApi): RateLimitedInfo[] {
  const seen: RateLimitedInfo[] = []
  api.on('rateLimited', (info) => seen.push(info))
  return seen
}

const sent = (n: number) => ({ msg_id: `m${n}`, msg_timestamp: 1, nonce: '' })
const tooMany = { code: 429, message: '请求过于频繁', data: {} }

describe('KookApi rate limits', () => {
  it('holds the next request of an exhausted bucket until Reset, without delaying other buckets', async () => {
    kook.on('message/create', (_, n) => ({
      data: sent(n),
      headers: rateLimitHeaders('message/create', 5, n === 1 ? 0 : 4, 0.3),
    }))
    kook.on('user/me', () => ({ data: { id: '1' }, headers: rateLimitHeaders('user/me', 10, 9, 1) }))
    const api = makeApi()
    const events = collect(api)

    await api.call('message/create', { target_id: '1', content: 'a' })
    const second = api.call('message/create', { target_id: '1', content: 'b' })
    await api.call('user/me')
    // The other bucket's request went through while this bucket is still waiting.
    expect(kook.requestsTo('user/me')).toHaveLength(1)
    expect(kook.requestsTo('message/create')).toHaveLength(1)

    expect((await second).msg_id).toBe('m2')
    // Measured from the first request's arrival: its answer, and so the Reset countdown, came later.
    const [first, held] = kook.requestsTo('message/create')
    expect(held!.at - first!.at).toBeGreaterThanOrEqual(290)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ route: 'message/create', bucket: 'message/create', global: false })
    expect(events[0]!.waitMs).toBeGreaterThan(0)
    expect(events[0]!.waitMs).toBeLessThanOrEqual(300)
  })

  it('learns that two routes share a bucket from X-Rate-Limit-Bucket', async () => {
    // KOOK buckets are not routes: here message/update and message/create draw from one bucket.
    kook.on('message/update', () => ({ data: [], headers: rateLimitHeaders('message/write', 5, 3, 0.2) }))
    kook.on('message/create', (_, n) => ({
      data: sent(n),
      headers: rateLimitHeaders('message/write', 5, 0, 0.2),
    }))
    const api = makeApi()
    await api.call('message/update', { msg_id: 'm0', content: 'x' })
    await api.call('message/create', { target_id: '1', content: 'a' })
    await api.call('message/update', { msg_id: 'm0', content: 'y' })
    const exhaustedAt = kook.requestsTo('message/create')[0]!.at
    expect(kook.requestsTo('message/update')[1]!.at - exhaustedAt).toBeGreaterThanOrEqual(190)
  })

  it('sends the requests of one bucket one at a time, in call order', async () => {
    kook.on('message/create', (_, n) => ({
      data: sent(n),
      delayMs: n === 1 ? 120 : 0,
      headers: rateLimitHeaders('message/create', 5, 4, 1),
    }))
    const api = makeApi()
    const results = await Promise.all(
      ['a', 'b', 'c'].map((content) => api.call('message/create', { target_id: '1', content })),
    )
    expect(results.map((r) => r.msg_id)).toEqual(['m1', 'm2', 'm3'])
    const received = kook.requestsTo('message/create')
    expect(received.map((r) => JSON.parse(r.body.toString()).content)).toEqual(['a', 'b', 'c'])
    // The second request left only after the (slow) answer to the first.
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(100)
  })

  it('answers a 429 by waiting for Reset and sending again, even a message/create KOOK refused', async () => {
    kook.on('message/create', (_, n) =>
      n === 1
        ? { status: 429, json: tooMany, headers: rateLimitHeaders('message/create', 5, 0, 0.15) }
        : { data: sent(n), headers: rateLimitHeaders('message/create', 5, 4, 1) },
    )
    const metrics = new Metrics()
    const api = makeApi({ metrics })
    const events = collect(api)
    const result = await api.call('message/create', { target_id: '1', content: 'a' })
    expect(result.msg_id).toBe('m2')
    const [first, second] = kook.requestsTo('message/create')
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(130)
    expect(events).toMatchObject([{ route: 'message/create', bucket: 'message/create', global: false }])
    expect(metrics.value('kook_api_requests_total', { route: 'message/create', status: '429' })).toBe(1)
    expect(metrics.total('kook_api_rate_limited_total')).toBe(1)
  })

  it('gives up with RATE_LIMITED after maxRetries 429s', async () => {
    kook.on('user/me', () => ({
      status: 429,
      json: tooMany,
      headers: rateLimitHeaders('user/me', 5, 0, 0.02),
    }))
    const error = await makeApi({ maxRetries: 2 })
      .call('user/me')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BridgeError)
    expect((error as BridgeError).code).toBe(ErrorCode.RateLimited)
    expect(kook.requestsTo('user/me')).toHaveLength(3)
  })

  it('pauses every bucket after a 429 marked X-Rate-Limit-Global', async () => {
    kook.on('message/create', (_, n) =>
      n === 1
        ? {
            status: 429,
            json: tooMany,
            headers: { ...rateLimitHeaders('message/create', 5, 0, 0.3), 'X-Rate-Limit-Global': '' },
          }
        : { data: sent(n) },
    )
    kook.on('guild/list', () => ({
      data: { items: [], meta: { page: 1, page_total: 1, page_size: 50, total: 0 } },
    }))
    const api = makeApi()
    const events = collect(api)
    const refused = once(api, 'rateLimited')
    const message = api.call('message/create', { target_id: '1', content: 'a' })
    await refused
    await api.call('guild/list')
    await message

    const firstAttempt = kook.requestsTo('message/create')[0]!
    expect(kook.requestsTo('guild/list')[0]!.at - firstAttempt.at).toBeGreaterThanOrEqual(270)
    expect(kook.requestsTo('message/create')[1]!.at - firstAttempt.at).toBeGreaterThanOrEqual(270)
    expect(events.map((e) => [e.route, e.global])).toEqual([
      ['message/create', true],
      ['guild/list', true],
    ])
  })

  it('with rejectOnRateLimit, throws RATE_LIMITED instead of waiting for an exhausted bucket', async () => {
    kook.on('message/create', (_, n) => ({
      data: sent(n),
      headers: rateLimitHeaders('message/create', 5, 0, 5),
    }))
    const api = makeApi({ rejectOnRateLimit: true })
    const events = collect(api)
    await api.call('message/create', { target_id: '1', content: 'a' })
    const started = performance.now()
    const error = await api.call('message/create', { target_id: '1', content: 'b' }).catch((e: unknown) => e)
    // Rejected at once, not after the 5 s reset.
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(error).toBeInstanceOf(BridgeError)
    expect((error as BridgeError).code).toBe(ErrorCode.RateLimited)
    expect((error as BridgeError).details).toMatchObject({ bucket: 'message/create', global: false })
    expect((error as BridgeError).details.retryAfterMs).toBeGreaterThan(4_000)
    expect(kook.requestsTo('message/create')).toHaveLength(1)
    expect(events).toHaveLength(1)
  })

  it('with rejectOnRateLimit, throws RATE_LIMITED on a 429 instead of sending again', async () => {
    kook.on('user/me', () => ({ status: 429, json: tooMany, headers: rateLimitHeaders('user/me', 5, 0, 2) }))
    const error = await makeApi({ rejectOnRateLimit: true })
      .call('user/me')
      .catch((e: unknown) => e)
    expect((error as BridgeError).code).toBe(ErrorCode.RateLimited)
    expect((error as BridgeError).details).toMatchObject({ httpStatus: 429, mayHaveReached: false })
    expect(kook.requestsTo('user/me')).toHaveLength(1)
  })

  it('lets a caller abort a request that is waiting for its bucket', async () => {
    kook.on('message/create', (_, n) => ({
      data: sent(n),
      headers: rateLimitHeaders('message/create', 5, 0, 5),
    }))
    const api = makeApi()
    await api.call('message/create', { target_id: '1', content: 'a' })
    const controller = new AbortController()
    const waiting = api.call(
      'message/create',
      { target_id: '1', content: 'b' },
      { signal: controller.signal },
    )
    await once(api, 'rateLimited')
    controller.abort()
    const error = await waiting.catch((e: unknown) => e)
    expect((error as BridgeError).code).toBe(ErrorCode.Closed)
    expect((error as BridgeError).details).toMatchObject({ mayHaveReached: false })
    expect(kook.requestsTo('message/create')).toHaveLength(1)
  })
})
