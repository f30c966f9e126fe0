import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { BridgeError, ErrorCode, KookApiError } from '../../../src/errors/bridge-error.js'
import { KOOK_ENDPOINTS } from '../../../src/kook/api/endpoints.js'
import { KookApi } from '../../../src/kook/api/kook-api.js'
import type { KookGuild, KookSelfUser, KookSendResult } from '../../../src/kook/api/responses.js'
import { createLogger } from '../../../src/util/logger.js'
import { Metrics } from '../../../src/util/metrics.js'
import { type FakeKook, startFakeKook } from './fake-kook.js'

const TOKEN = '1/MTIzNDU=/secret-bot-token=='

let kook: FakeKook
beforeEach(async () => {
  kook = await startFakeKook()
})
afterEach(async () => {
  await kook.close()
})

function makeApi(extra: Partial<ConstructorParameters<typeof KookApi>[0]> = {}): KookApi {
  return new KookApi({ baseUrl: kook.baseUrl, token: TOKEN, retryBackoffMs: 10, ...extra })
}

async function failure(promise: Promise<unknown>): Promise<BridgeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof BridgeError)) throw new Error(`expected a BridgeError, got ${String(error)}`)
  return error
}

const me = {
  id: '2418200000',
  username: 'bridge',
  identify_num: '1234',
  online: true,
  status: 0,
  avatar: '',
  bot: true,
}

describe('KookApi.call', () => {
  it('sends the bot token and unwraps the envelope', async () => {
    kook.on('user/me', () => ({ data: me }))
    const user = await makeApi().call('user/me')
    expect(user).toEqual(me)
    const [request] = kook.requests
    expect(request?.method).toBe('GET')
    expect(request?.headers.authorization).toBe(`Bot ${TOKEN}`)
  })

  it('posts params as JSON and returns the send result', async () => {
    kook.on('message/create', () => ({
      data: { msg_id: 'c9a1-uuid', msg_timestamp: 1700000000000, nonce: 'n1' },
    }))
    const sent = await makeApi().call('message/create', {
      type: 9,
      target_id: '48818200000000000',
      content: '**hi**',
      quote: undefined,
      nonce: 'n1',
    })
    expect(sent.msg_id).toBe('c9a1-uuid')
    const [request] = kook.requests
    expect(request?.method).toBe('POST')
    expect(request?.headers['content-type']).toBe('application/json')
    // The id goes out as the exact string, and undefined params are not sent at all.
    expect(request?.body.toString()).toBe(
      '{"type":9,"target_id":"48818200000000000","content":"**hi**","nonce":"n1"}',
    )
  })

  it('encodes GET params as a query: ids kept as strings, undefined skipped, booleans as 1/0', async () => {
    kook.on('guild/user-list', () => ({
      data: { items: [], meta: { page: 1, page_total: 1, page_size: 50, total: 0 } },
    }))
    await makeApi().call('guild/user-list', {
      guild_id: '6016389914000000',
      channel_id: '48818200000000001',
      search: 'a b&c',
      role_id: undefined,
      mobile_verified: true,
      active_time: false,
      filter_user_id: null,
    })
    const query = kook.requests[0]?.query
    expect(Object.fromEntries(query ?? [])).toEqual({
      guild_id: '6016389914000000',
      channel_id: '48818200000000001',
      search: 'a b&c',
      mobile_verified: '1',
      active_time: '0',
    })
  })

  it('refuses a number id that already lost digits instead of sending it rounded', async () => {
    // What `Number(id)` does to a 17-digit channel id: the last digit is already gone.
    const error = await failure(makeApi().call('channel/view', { target_id: Number('48818200000000001') }))
    expect(error.code).toBe(ErrorCode.BadParams)
    expect(error.message).toContain('target_id')
    expect(kook.requests).toHaveLength(0)
  })

  it('reads ids KOOK sent as bare numbers beyond 2^53 as their exact digits', async () => {
    kook.on('message/view', () => ({
      raw: '{"code":0,"message":"","data":{"id":"m","mention":[48818200000000001, 2418200000],"ratio":1.5e3}}',
    }))
    const message = await makeApi().call('message/view', { msg_id: 'm' })
    expect(message.mention).toEqual(['48818200000000001', 2418200000])
    expect((message as unknown as { ratio: number }).ratio).toBe(1500)
  })

  it('turns code != 0 into a KookApiError naming the endpoint, code and message', async () => {
    kook.on('message/create', () => ({ json: { code: 40300, message: '你没有权限', data: {} } }))
    const error = await failure(makeApi().call('message/create', { target_id: '1', content: 'x' }))
    expect(error).toBeInstanceOf(KookApiError)
    const apiError = error as KookApiError
    expect(apiError.code).toBe(ErrorCode.KookApi)
    expect(apiError.kookCode).toBe(40300)
    expect(apiError.endpoint).toBe('message/create')
    expect(apiError.httpStatus).toBe(200)
    expect(apiError.name).toBe('KookApiError[40300]')
    expect(apiError.message).toContain('你没有权限')
  })

  it('reports a refused token as KOOK_AUTH once, never retried', async () => {
    kook.on('user/me', () => ({ status: 401, json: { code: 401, message: '你的用户凭证不正确', data: {} } }))
    const api = makeApi()
    const seen: BridgeError[] = []
    api.on('unauthorized', (e) => seen.push(e))
    const error = await failure(api.call('user/me'))
    expect(error.code).toBe(ErrorCode.KookAuth)
    expect(error.details).toMatchObject({ endpoint: 'user/me', httpStatus: 401 })
    expect(kook.requests).toHaveLength(1)
    expect(seen).toEqual([error])
  })

  it('reports an unknown route (404) and an unreadable body as KOOK_HTTP with the status', async () => {
    const api = makeApi()
    const notFound = await failure(api.call('guild/view', { guild_id: '1' }))
    expect(notFound.code).toBe(ErrorCode.KookHttp)
    expect(notFound.details).toMatchObject({ endpoint: 'guild/view', httpStatus: 404 })

    kook.on('user/view', () => ({ raw: '<html>gateway error</html>' }))
    const garbled = await failure(api.call('user/view', { user_id: '1' }))
    expect(garbled.code).toBe(ErrorCode.KookHttp)
    expect(garbled.details).toMatchObject({ endpoint: 'user/view', httpStatus: 200 })
    expect(kook.requestsTo('user/view')).toHaveLength(1)
  })

  it('retries a GET after a 500 and returns the later answer', async () => {
    kook.on('guild/view', (_, n) =>
      n === 1 ? { status: 500, raw: 'oops' } : { data: { id: 'g1', name: 'Hello' } },
    )
    const metrics = new Metrics()
    const guild = await makeApi({ metrics }).call('guild/view', { guild_id: 'g1' })
    expect(guild.name).toBe('Hello')
    expect(kook.requestsTo('guild/view')).toHaveLength(2)
    expect(metrics.value('kook_api_retries_total', { route: 'guild/view', reason: 'server_error' })).toBe(1)
  })

  it('gives up on a GET after maxRetries server errors', async () => {
    kook.on('guild/view', () => ({ status: 503, raw: '' }))
    const error = await failure(makeApi({ maxRetries: 2 }).call('guild/view', { guild_id: 'g1' }))
    expect(error.code).toBe(ErrorCode.KookHttp)
    expect(error.details).toMatchObject({ httpStatus: 503 })
    expect(kook.requestsTo('guild/view')).toHaveLength(3)
  })

  it('never repeats a POST after a 500: the message may already be posted', async () => {
    kook.on('message/create', () => ({ status: 502, raw: 'bad gateway' }))
    const error = await failure(makeApi().call('message/create', { target_id: '1', content: 'x' }))
    expect(error.code).toBe(ErrorCode.KookHttp)
    expect(error.details).toMatchObject({ httpStatus: 502, mayHaveReached: true })
    expect(kook.requestsTo('message/create')).toHaveLength(1)
  })

  it('never repeats a POST whose connection was reset after KOOK read it, and says it may have arrived', async () => {
    kook.on('message/create', () => 'reset')
    const error = await failure(makeApi().call('message/create', { target_id: '1', content: 'x' }))
    expect(error.code).toBe(ErrorCode.Network)
    expect(error.details).toMatchObject({ endpoint: 'message/create', mayHaveReached: true })
    expect(kook.requestsTo('message/create')).toHaveLength(1)
  })

  it('repeats a GET whose connection was reset', async () => {
    kook.on('user/view', (_, n) => (n === 1 ? 'reset' : { data: me }))
    const user = await makeApi().call('user/view', { user_id: me.id })
    expect(user.id).toBe(me.id)
    expect(kook.requestsTo('user/view')).toHaveLength(2)
  })

  it('sends a POST again when the connection was refused: it never reached KOOK', async () => {
    const gone = await startFakeKook()
    const baseUrl = gone.baseUrl
    await gone.close()
    const metrics = new Metrics()
    const api = new KookApi({ baseUrl, token: TOKEN, metrics, maxRetries: 1, retryBackoffMs: 5 })
    const error = await failure(api.call('message/create', { target_id: '1', content: 'x' }))
    expect(error.code).toBe(ErrorCode.Network)
    expect(error.details).toMatchObject({ mayHaveReached: false, errno: 'ECONNREFUSED' })
    expect(metrics.value('kook_api_retries_total', { route: 'message/create', reason: 'network' })).toBe(1)
  })

  it('times out a silent KOOK, and does not repeat a POST that may have arrived', async () => {
    kook.on('message/create', () => ({ delayMs: 3_000, data: {} }))
    const error = await failure(
      makeApi({ timeoutMs: 500 }).call('message/create', { target_id: '1', content: 'x' }),
    )
    expect(error.code).toBe(ErrorCode.Timeout)
    expect(error.details).toMatchObject({ endpoint: 'message/create', mayHaveReached: true })
    expect(kook.requestsTo('message/create')).toHaveLength(1)
  })

  it('stops when the caller aborts, keeping the caller’s error code', async () => {
    const controller = new AbortController()
    kook.on('user/me', () => {
      // The caller gives up while KOOK is still working on the answer.
      controller.abort(new BridgeError(ErrorCode.Closed, 'bot stopping'))
      return { delayMs: 2_000, data: me }
    })
    const error = await failure(makeApi().call('user/me', {}, { signal: controller.signal }))
    expect(error.code).toBe(ErrorCode.Closed)
    expect(error.details).toMatchObject({ endpoint: 'user/me', mayHaveReached: true })
    expect(kook.requestsTo('user/me')).toHaveLength(1)
  })

  it('never writes the token to the log, even at debug level and on failures', async () => {
    let logged = ''
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString()
        done()
      },
    })
    const logger = createLogger({ level: 'trace', destination })
    kook.on('user/me', () => ({ status: 401, json: { code: 401, message: 'bad token', data: {} } }))
    kook.on('user/view', (_, n) => (n === 1 ? { status: 500, raw: '' } : { data: me }))
    const api = makeApi({ logger })
    await failure(api.call('user/me'))
    await api.call('user/view', { user_id: '1' })
    expect(logged).not.toBe('')
    expect(logged).not.toContain('secret-bot-token')
  })

  it('covers every GET as idempotent, and is typed by route', () => {
    for (const [route, spec] of Object.entries(KOOK_ENDPOINTS)) {
      if (spec.method === 'GET') expect(spec.idempotent, route).toBe(true)
    }
    const api = makeApi()
    const self = () => api.call('user/me')
    const send = () => api.call('direct-message/create', {})
    const untyped = () => api.call('message/delete', {})
    const guilds = () => api.listAll('guild/list')
    const named = () => api.listAll<{ id: string }>('blacklist/list')
    expectTypeOf(self).returns.resolves.toEqualTypeOf<KookSelfUser>()
    expectTypeOf(send).returns.resolves.toEqualTypeOf<KookSendResult>()
    expectTypeOf(untyped).returns.resolves.toBeUnknown()
    expectTypeOf(guilds).returns.resolves.toEqualTypeOf<KookGuild[]>()
    expectTypeOf(named).returns.resolves.toEqualTypeOf<Array<{ id: string }>>()
  })
})
