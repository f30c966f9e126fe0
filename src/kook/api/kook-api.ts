/**
 * The KOOK HTTP API v3 client (kook.md §5): one generic executor for the endpoint table, with KOOK's
 * rate limits, safe retries, uploads and pagination.
 *
 * Shape borrowed from discord.js REST: requests resolve route → bucket → one sequential queue per bucket
 * that owns the bucket's window; a global gate on top pauses everything after a 429 carrying
 * `X-Rate-Limit-Global`. Waiting is reported as `rateLimited` events, never logged, and
 * `rejectOnRateLimit` turns every wait into a RATE_LIMITED error.
 *
 * Retry rule: a request KOOK refused (429) is always safe to send again. A request that may have reached
 * KOOK (timeout, connection lost after sending, 5xx) is sent again only when its endpoint is idempotent,
 * so a message is never posted twice.
 */
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { BridgeError, ErrorCode, KookApiError } from '../../errors/bridge-error.js'
import { type Logger, silentLogger } from '../../util/logger.js'
import { Metrics } from '../../util/metrics.js'
import { BucketQueue } from './bucket-queue.js'
import { type EncodedRequest, encodeRequest } from './encode-request.js'
import { type EndpointSpec, KOOK_ENDPOINTS, type KookRoute } from './endpoints.js'
import { type Exchange, type HeaderReader, HttpTransport, type RawAnswer } from './http-transport.js'
import { parseKookJson } from './parse-kook-json.js'
import { parseRateLimitHeaders } from './rate-limit-headers.js'
import { type RateLimitDelay, RateLimitState } from './rate-limit-state.js'
import type { PageItemOf, ResponseOf } from './responses.js'
import { UploadCache } from './upload-cache.js'

export interface RateLimitedInfo {
  route: KookRoute
  bucket: string
  /** How long the request waits (or would have waited, when rejected). */
  waitMs: number
  /** Held by the global gate rather than its own bucket. */
  global: boolean
}

export interface KookApiEvents {
  /** A request has to wait for a bucket or the global gate (or is rejected, with `rejectOnRateLimit`). */
  rateLimited: [info: RateLimitedInfo]
  /** KOOK refused the bot token. Fatal for the bot: nothing will work until the token is replaced. */
  unauthorized: [error: BridgeError]
}

export interface RequiredKookApiOptions {
  /** The API root, e.g. `https://www.kookapp.cn/api/v3`. */
  baseUrl: string
  /** The bot token, sent as `Authorization: Bot <token>`. Never logged. */
  token: string
}

export interface OptionalKookApiOptions {
  /** @defaultValue silentLogger() */
  logger: Logger
  /** @defaultValue a private Metrics instance */
  metrics: Metrics
  /**
   * Replaces the transport: every request then goes through this fetch. Without it, requests with a
   * JSON or query body use `node:http` keep-alive (http-transport.ts: lower latency); multipart uploads
   * and redirected GETs go through `globalThis.fetch`.
   */
  fetch: typeof fetch
  /** Clock for rate-limit windows, in ms. Must agree with `sleep`. @defaultValue Date.now */
  now: () => number
  /** Waits `ms` (should stop early when `signal` aborts). @defaultValue node:timers/promises setTimeout */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Throw RATE_LIMITED instead of waiting for a bucket or the global gate. @defaultValue false */
  rejectOnRateLimit: boolean
  /** Per attempt, from sending to the last byte of the answer. @defaultValue 15000 */
  timeoutMs: number
  /** Extra attempts after a 429, or after a failure that is safe to repeat. @defaultValue 3 */
  maxRetries: number
  /** First wait before repeating a failed request; doubles each time. @defaultValue 500 */
  retryBackoffMs: number
  /** How many uploaded files are remembered by content hash. @defaultValue 512 */
  uploadCacheSize: number
}

export type KookApiOptions = RequiredKookApiOptions & Partial<OptionalKookApiOptions>

export interface KookCallOptions {
  /** Cancels the call, also while it waits in its queue or for a rate limit. */
  signal?: AbortSignal
}

/** `paginate<KookGuild>(route)` names the item type; `paginate(route)` infers it from the route. */
type PageItem<T, R extends KookRoute> = [T] extends [never] ? PageItemOf<R> : T

const DefaultKookApiOptions = {
  rejectOnRateLimit: false,
  timeoutMs: 15_000,
  maxRetries: 3,
  retryBackoffMs: 500,
  uploadCacheSize: 512,
} as const satisfies Partial<OptionalKookApiOptions>

/** KOOK caps page_size at 50 (kook.md §5). */
const MAX_PAGE_SIZE = 50
const MAX_BACKOFF_MS = 30_000
/** Envelope codes that mean "bad token" (kook.md §1 HELLO codes reused by the API, and 401). */
const AUTH_CODES = new Set([401, 40101, 40102])
/**
 * Network error codes raised before a single byte of the request left: such a request never reached
 * KOOK, so even a message/create may be sent again.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

/** Every counter the client keeps, with its help text. */
const ApiMetrics = {
  kook_api_requests_total: 'KOOK API answers (and failures) by route and HTTP status',
  kook_api_rate_limited_total: 'requests held (or rejected) by a KOOK rate limit',
  kook_api_retries_total: 'KOOK API requests sent again, by reason',
  kook_api_uploads_total: 'asset uploads, by whether the bytes were already uploaded',
} as const
type ApiMetric = keyof typeof ApiMetrics

/** One attempt's result: KOOK's answer, or why there is none. */
type Attempt =
  | { ok: true; status: number; headers: HeaderReader; text: string }
  | { ok: false; error: BridgeError; mayHaveReached: boolean; aborted: boolean; kind: string }

export class KookApi extends EventEmitter<KookApiEvents> {
  readonly #baseUrl: string
  readonly #authorization: string
  readonly #log: Logger
  readonly #metrics: Metrics
  /** Only when injected; otherwise `#http` (and `globalThis.fetch` for what it cannot send). */
  readonly #fetch: typeof fetch | undefined
  readonly #http = new HttpTransport()
  readonly #now: () => number
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly #rejectOnRateLimit: boolean
  readonly #timeoutMs: number
  readonly #maxRetries: number
  readonly #retryBackoffMs: number
  readonly #limits = new RateLimitState()
  readonly #queues = new Map<string, BucketQueue>()
  readonly #uploads: UploadCache

  constructor(options: KookApiOptions) {
    super()
    this.#baseUrl = options.baseUrl
    // Kept only inside the header value; no log line or error message ever includes it.
    this.#authorization = `Bot ${options.token}`
    this.#log = (options.logger ?? silentLogger()).child({ component: 'kook-api' })
    this.#metrics = options.metrics ?? new Metrics()
    this.#fetch = options.fetch
    this.#now = options.now ?? Date.now
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}))
    this.#rejectOnRateLimit = options.rejectOnRateLimit ?? DefaultKookApiOptions.rejectOnRateLimit
    this.#timeoutMs = options.timeoutMs ?? DefaultKookApiOptions.timeoutMs
    this.#maxRetries = Math.max(0, options.maxRetries ?? DefaultKookApiOptions.maxRetries)
    this.#retryBackoffMs = options.retryBackoffMs ?? DefaultKookApiOptions.retryBackoffMs
    this.#uploads = new UploadCache(options.uploadCacheSize ?? DefaultKookApiOptions.uploadCacheSize)
  }

  /**
   * Calls one endpoint and returns its unwrapped `data`.
   *
   * @throws KookApiError when KOOK answers `code != 0`; BridgeError KOOK_AUTH (bad token, never
   * retried), KOOK_HTTP (404/405/5xx/unreadable answer), RATE_LIMITED, NETWORK or TIMEOUT (both with
   * `details.mayHaveReached`), BAD_PARAMS (a param that cannot be sent exactly).
   */
  async call<R extends KookRoute>(
    route: R,
    params: Readonly<Record<string, unknown>> = {},
    options: KookCallOptions = {},
  ): Promise<ResponseOf<R>> {
    const spec: EndpointSpec | undefined = KOOK_ENDPOINTS[route]
    if (!spec) {
      throw new BridgeError(ErrorCode.BadParams, `unknown KOOK endpoint ${String(route)}`, {
        details: { endpoint: route },
      })
    }
    const request = encodeRequest(this.#baseUrl, route, spec, params)
    const { signal } = options
    const queue = this.#queueFor(this.#limits.bucketOf(route))
    // A reply is one API call on the event's critical path: when the bucket is free and no limit holds
    // the route (the usual case), everything up to handing the request to node runs in this tick, with
    // no promise per gate. Each `await` it used to take was a turn of the microtask queue in which other
    // work could run first. Small (call → http.request is ~9 µs hot; in the Karin bench the span stayed
    // within its noise, 24–33 µs), but it keeps a reply from queueing behind unrelated work.
    if (signal?.aborted) throw abortedError(route, signal.reason, false)
    if (!queue.tryEnter()) {
      try {
        await queue.wait(signal)
      } catch (reason) {
        throw abortedError(route, reason, false)
      }
    }
    try {
      return (await this.#execute(route, spec, request, signal)) as ResponseOf<R>
    } finally {
      queue.shift()
    }
  }

  /**
   * Uploads bytes with `asset/create` and returns their KOOK URL (type 2/3/4 messages only accept URLs
   * this bot uploaded, kook.md §6). The same bytes upload once: later calls return the remembered URL.
   */
  async upload(data: Uint8Array, filename: string, mime?: string): Promise<string> {
    const key = createHash('sha256').update(data).digest('hex')
    let uploaded = false
    const url = await this.#uploads.resolve(key, async () => {
      uploaded = true
      // KOOK answers 40000 to a file part without a filename, so there always is one.
      const file = new File([new Uint8Array(data)], filename || 'file', {
        type: mime ?? 'application/octet-stream',
      })
      const result = await this.call('asset/create', { file })
      if (typeof result?.url !== 'string' || result.url === '') {
        throw new BridgeError(ErrorCode.Upload, 'KOOK asset/create answered without a url', {
          details: { endpoint: 'asset/create' },
        })
      }
      return result.url
    })
    this.#count('kook_api_uploads_total', { result: uploaded ? 'uploaded' : 'cached' })
    return url
  }

  /**
   * Walks a paged endpoint (page is 1-based, page_size ≤ 50) page by page until `meta.page_total`,
   * yielding every item. Starts at `params.page` when given.
   */
  async *paginate<T = never, R extends KookRoute = KookRoute>(
    route: R,
    params: Readonly<Record<string, unknown>> = {},
    options: KookCallOptions = {},
  ): AsyncGenerator<PageItem<T, R>, void, undefined> {
    const requested = Number(params.page_size ?? MAX_PAGE_SIZE)
    const pageSize =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, MAX_PAGE_SIZE) : MAX_PAGE_SIZE
    let page = Number(params.page ?? 1)
    for (;;) {
      const data: unknown = await this.call(route, { ...params, page, page_size: pageSize }, options)
      const { items, pageTotal } = readPage(route, data)
      for (const item of items) yield item as PageItem<T, R>
      // Without page_total, a short page is the last one.
      const last = pageTotal === undefined ? items.length < pageSize : page >= pageTotal
      if (last || items.length === 0) return
      page += 1
    }
  }

  /** Every item of a paged endpoint, in order. */
  async listAll<T = never, R extends KookRoute = KookRoute>(
    route: R,
    params: Readonly<Record<string, unknown>> = {},
    options: KookCallOptions = {},
  ): Promise<Array<PageItem<T, R>>> {
    const all: Array<PageItem<T, R>> = []
    for await (const item of this.paginate<T, R>(route, params, options)) all.push(item)
    return all
  }

  /** The attempts of one call, holding its bucket's turn throughout so retries keep the order. */
  async #execute(
    route: KookRoute,
    spec: EndpointSpec,
    request: EncodedRequest,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (this.#limits.delay(route, this.#now()).waitMs > 0) {
        // Held: yield first, so `rateLimited` is never emitted inside the caller's own `call()` (a
        // listener attached right after the call must still see it, as before the fast path).
        await undefined
        await this.#waitForLimits(route, signal)
      }
      this.#limits.consume(route)
      const result = await this.#attempt(route, request, signal)
      if (!result.ok) {
        this.#count('kook_api_requests_total', { route, status: result.kind })
        // Never repeat what may have reached KOOK unless the endpoint is idempotent: a lost answer to
        // message/create does not mean the message was not posted.
        const repeatable = spec.idempotent || !result.mayHaveReached
        if (result.aborted || !repeatable || attempt >= this.#maxRetries) throw result.error
        await this.#backoff(route, attempt, result.kind, signal)
        continue
      }

      const limits = parseRateLimitHeaders(result.headers)
      const bucket = this.#limits.update(route, limits, result.status, this.#now())
      this.#count('kook_api_requests_total', { route, status: String(result.status) })

      if (result.status === 429) {
        // KOOK refused the request, so sending it again cannot duplicate anything, even a message.
        // The wait itself happens at the top of the loop, through the state this answer just updated.
        if (this.#rejectOnRateLimit || attempt >= this.#maxRetries) {
          const limit = this.#limits.delay(route, this.#now())
          this.#rateLimited(route, limit)
          throw rateLimitedError(route, limit, result.status)
        }
        this.#count('kook_api_retries_total', { route, reason: 'rate_limited' })
        this.#log.debug({ route, bucket, attempt, global: limits.global }, 'KOOK answered 429, retrying')
        continue
      }

      if (result.status >= 500) {
        const error = httpError(route, result.status, 'server error', true)
        if (!spec.idempotent || attempt >= this.#maxRetries) throw error
        await this.#backoff(route, attempt, 'server_error', signal)
        continue
      }

      return this.#unwrap(route, result.status, result.text)
    }
  }

  /** Waits until neither the global gate nor the route's bucket holds the request. */
  async #waitForLimits(route: KookRoute, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const limit = this.#limits.delay(route, this.#now())
      if (limit.waitMs <= 0) return
      this.#rateLimited(route, limit)
      if (this.#rejectOnRateLimit) throw rateLimitedError(route, limit, undefined)
      await this.#pause(route, limit.waitMs, signal)
    }
  }

  /** Sends the request once and reads the whole answer, within `timeoutMs`. */
  async #attempt(
    route: KookRoute,
    request: EncodedRequest,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    if (signal?.aborted) {
      // Cancelled before anything was sent. Said as conservatively as a fetch aborted at once used to be.
      const error = abortedError(route, signal.reason, true)
      return { ok: false, error, mayHaveReached: true, aborted: true, kind: 'aborted' }
    }
    const headers: Record<string, string> = { Authorization: this.#authorization, 'User-Agent': 'kookbridge' }
    if (request.contentType) headers['Content-Type'] = request.contentType
    const exchange = this.#send(request, headers)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      exchange.cancel()
    }, this.#timeoutMs)
    const onAbort = (): void => exchange.cancel()
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const answer = await exchange.answer
      return { ok: true, ...answer }
    } catch (cause) {
      if (signal?.aborted) {
        return {
          ok: false,
          error: abortedError(route, signal.reason, true),
          mayHaveReached: true,
          aborted: true,
          kind: 'aborted',
        }
      }
      if (timedOut) {
        const error = new BridgeError(
          ErrorCode.Timeout,
          `KOOK ${route} did not answer within ${this.#timeoutMs} ms`,
          {
            cause,
            details: { endpoint: route, timeoutMs: this.#timeoutMs, mayHaveReached: true },
          },
        )
        return { ok: false, error, mayHaveReached: true, aborted: false, kind: 'timeout' }
      }
      const codes = errorCodes(cause)
      const mayHaveReached = !(codes.length > 0 && codes.every((code) => NEVER_SENT_CODES.has(code)))
      const error = new BridgeError(
        ErrorCode.Network,
        `KOOK ${route} failed: ${describeError(cause, codes)}`,
        {
          cause,
          details: {
            endpoint: route,
            mayHaveReached,
            ...(codes[0] === undefined ? {} : { errno: codes[0] }),
          },
        },
      )
      return { ok: false, error, mayHaveReached, aborted: false, kind: 'network' }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * Starts one request. JSON and query requests take the keep-alive `node:http` path; a multipart body
   * (FormData, which fetch encodes), a redirected GET (fetch follows it, as before) and an injected fetch
   * go through fetch.
   */
  #send(request: EncodedRequest, headers: Record<string, string>): Exchange {
    const body = request.body
    if (this.#fetch !== undefined || (body !== undefined && typeof body !== 'string')) {
      return this.#viaFetch(request, headers)
    }
    const first = this.#http.send(request.url, request.method, headers, body)
    let current: Exchange = first
    const answer = first.answer.then((raw) => {
      // KOOK's API does not redirect. A redirected POST is not sent again (the first may have been acted
      // on): it fails as an unexpected answer.
      const redirected = raw.status >= 300 && raw.status < 400 && raw.headers.has('location')
      if (!redirected || request.method !== 'GET') return raw
      current = this.#viaFetch(request, headers)
      return current.answer
    })
    return { answer, cancel: () => current.cancel() }
  }

  #viaFetch(request: EncodedRequest, headers: Record<string, string>): Exchange {
    const controller = new AbortController()
    const body = request.body
    const answer = (async (): Promise<RawAnswer> => {
      const response = await (this.#fetch ?? globalThis.fetch)(request.url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, text }
    })()
    return { answer, cancel: () => controller.abort() }
  }

  /** Unwraps KOOK's `{code, message, data}` envelope of an answer that is neither 429 nor 5xx. */
  #unwrap(route: KookRoute, status: number, text: string): unknown {
    if (status === 401) throw this.#unauthorized(route, status, undefined)
    // An unknown route or method: KOOK answers with its web server's page, not the envelope.
    if (status === 404 || status === 405) throw httpError(route, status, 'unknown endpoint', false)
    let body: unknown
    try {
      body = parseKookJson(text)
    } catch {
      throw httpError(route, status, 'unreadable answer', false)
    }
    if (!isEnvelope(body)) throw httpError(route, status, 'answer is not a KOOK envelope', false)
    if (body.code !== 0) {
      if (AUTH_CODES.has(body.code)) throw this.#unauthorized(route, status, body.code)
      // Logical errors normally come as HTTP 200 + code != 0 (kook.md §5).
      throw new KookApiError(body.code, typeof body.message === 'string' ? body.message : '', route, status)
    }
    if (status < 200 || status >= 300) throw httpError(route, status, 'unexpected status', false)
    return body.data
  }

  #unauthorized(route: KookRoute, status: number, kookCode: number | undefined): BridgeError {
    const error = new BridgeError(
      ErrorCode.KookAuth,
      `KOOK ${route} refused the bot token (HTTP ${status}${kookCode === undefined ? '' : `, code ${kookCode}`})`,
      { details: { endpoint: route, httpStatus: status, ...(kookCode === undefined ? {} : { kookCode }) } },
    )
    this.#log.error({ route, status }, 'KOOK refused the bot token')
    this.emit('unauthorized', error)
    return error
  }

  #rateLimited(route: KookRoute, limit: RateLimitDelay): void {
    this.#count('kook_api_rate_limited_total', { bucket: limit.bucket, global: String(limit.global) })
    this.emit('rateLimited', { route, bucket: limit.bucket, waitMs: limit.waitMs, global: limit.global })
  }

  async #backoff(
    route: KookRoute,
    attempt: number,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const waitMs = Math.min(MAX_BACKOFF_MS, this.#retryBackoffMs * 2 ** attempt)
    this.#count('kook_api_retries_total', { route, reason })
    this.#log.debug({ route, attempt, reason, waitMs }, 'retrying KOOK request')
    await this.#pause(route, waitMs, signal)
  }

  /** Sleeps, ending early with an abort error when the caller cancels. */
  async #pause(route: KookRoute, ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.#sleep(ms)
    if (signal.aborted) throw abortedError(route, signal.reason, false)
    // Race the sleep too: an injected sleep may ignore the signal.
    let onAbort: (() => void) | undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortedError(route, signal.reason, false))
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await Promise.race([this.#sleep(ms, signal), aborted])
    } catch (reason) {
      if (signal.aborted) throw abortedError(route, signal.reason, false)
      throw reason
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort)
    }
  }

  #queueFor(bucket: string): BucketQueue {
    let queue = this.#queues.get(bucket)
    if (!queue) {
      queue = new BucketQueue()
      this.#queues.set(bucket, queue)
    }
    return queue
  }

  #count(name: ApiMetric, labels: Record<string, string>): void {
    this.#metrics.inc(name, labels, 1, ApiMetrics[name])
  }
}

function isEnvelope(body: unknown): body is { code: number; message?: unknown; data?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'number'
}

function readPage(route: KookRoute, data: unknown): { items: unknown[]; pageTotal: number | undefined } {
  const page = data as { items?: unknown; meta?: { page_total?: unknown } } | null | undefined
  if (!page || !Array.isArray(page.items)) {
    throw new BridgeError(ErrorCode.KookHttp, `KOOK ${route} did not answer a page (no items array)`, {
      details: { endpoint: route },
    })
  }
  const total = page.meta?.page_total
  return { items: page.items, pageTotal: typeof total === 'number' ? total : undefined }
}

function httpError(route: KookRoute, status: number, what: string, mayHaveReached: boolean): BridgeError {
  return new BridgeError(ErrorCode.KookHttp, `KOOK ${route} failed with HTTP ${status}: ${what}`, {
    details: { endpoint: route, httpStatus: status, mayHaveReached },
  })
}

function rateLimitedError(route: KookRoute, limit: RateLimitDelay, status: number | undefined): BridgeError {
  const scope = limit.global ? 'the global limit' : `bucket ${limit.bucket}`
  return new BridgeError(
    ErrorCode.RateLimited,
    `KOOK ${route} is rate limited by ${scope} for ${limit.waitMs} ms`,
    {
      details: {
        endpoint: route,
        bucket: limit.bucket,
        global: limit.global,
        retryAfterMs: limit.waitMs,
        // A request KOOK answered 429 was refused; one rejected before sending never left.
        mayHaveReached: false,
        ...(status === undefined ? {} : { httpStatus: status }),
      },
    },
  )
}

/** The caller cancelled: keep its own BridgeError code when it gave one (e.g. CLOSED on shutdown). */
function abortedError(route: KookRoute, reason: unknown, mayHaveReached: boolean): BridgeError {
  const code =
    reason instanceof BridgeError
      ? reason.code
      : reason instanceof Error && reason.name === 'TimeoutError'
        ? ErrorCode.Timeout
        : ErrorCode.Closed
  const why = reason instanceof Error ? reason.message : String(reason)
  return new BridgeError(code, `KOOK ${route} was cancelled: ${why}`, {
    cause: reason,
    details: { endpoint: route, mayHaveReached },
  })
}

/** Error codes along a cause chain (undici wraps socket errors: TypeError('fetch failed', { cause })). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return []
  const codes: string[] = []
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string') codes.push(code)
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...errorCodes(inner, depth + 1))
  codes.push(...errorCodes(cause, depth + 1))
  return codes
}

function describeError(error: unknown, codes: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error)
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return codes.length > 0 ? `${message}${cause} (${codes.join(', ')})` : `${message}${cause}`
}
