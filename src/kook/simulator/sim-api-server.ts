import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '../../util/logger.js'
import { parseMultipart } from './parse-multipart.js'
import { KOOK_BAD_REQUEST, SimApiFailure } from './sim-api-failure.js'
import { findSimRoute } from './sim-api-routes.js'
import type { SimAssetStore } from './sim-asset-store.js'
import { SimParams } from './sim-params.js'
import type { SimRateLimits } from './sim-rate-limits.js'
import type { SimApiContext, SimRoute, SimUploadedFile } from './sim-route.js'
import type { Json } from './sim-views.js'

export const API_PREFIX = '/api/v3/'

/** One recorded HTTP API call, as `KookSimulator.requests` lists them. */
export interface SimRequestRecord {
  /** The route under /api/v3/, e.g. `message/create`. */
  route: string
  method: string
  /** Query, JSON, form or multipart fields; files appear as `{filename, contentType, size}`. */
  params: Record<string, unknown>
  /** Request headers, names lower-cased. */
  headers: Record<string, string>
  /** HTTP status sent, 0 when the connection was dropped on purpose. */
  status: number
  /** The envelope `code` (0 = success); undefined when no envelope was sent. */
  code: number | undefined
  time: number
  /**
   * `performance.now()` when the whole request had been read, before the simulator routed and answered
   * it: when the call reached "KOOK". Latency measurements end here, so the simulator's own handling
   * (parsing, running the route, answering) is not billed to the client (bench/karin-bench.ts).
   */
  receivedAt: number
}

export interface SimApiServerOptions {
  token: string
  context: SimApiContext
  assets: SimAssetStore
  rateLimits: SimRateLimits
  /** While true every call is refused like a revoked token (HTTP 401). */
  tokenRefused(): boolean
  onRequest(record: SimRequestRecord): void
  logger: Logger
  maxBodyBytes: number
}

interface Reply {
  status: number
  code: number
  message: string
  data: unknown
  headers: Record<string, string>
}

class BodyTooLarge extends Error {}

/**
 * The HTTP side of the simulator: `/api/v3/<route>` with KOOK's envelope, `Bot` auth and rate-limit
 * headers (kook.md §5), plus `/assets/…` serving uploaded files. Never throws at the caller: anything a
 * client sends ends in an envelope, a 4xx, or a deliberate dropped connection.
 */
export class SimApiServer {
  readonly #o: SimApiServerOptions
  /**
   * What routes run with: the simulator's context, except that `emit` holds the events a call causes
   * until its answer is written. KOOK answers an API call quickly and fans its events out on its own;
   * building, deflating and sending the echo first would bill the client's call for gateway work (the
   * Karin benchmark saw ~0.3 ms of it). The events still go out in the same tick as the answer, in order,
   * so every client sees the stored message, the echo and the answer together, as before.
   */
  readonly #routeContext: SimApiContext
  /** Events emitted by the route now running (routes are synchronous, so one list is enough). */
  #held: Array<Json | (() => Json)> = []

  constructor(options: SimApiServerOptions) {
    this.#o = options
    this.#routeContext = Object.create(options.context, {
      emit: { value: (d: Json | (() => Json)) => this.#held.push(d) },
    }) as SimApiContext
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.#handle(req, res).catch((cause: unknown) => {
      this.#o.logger.error({ err: cause, url: req.url }, 'simulator request failed')
      if (!res.headersSent) this.#send(res, envelope(500, 500, 'simulator internal error'))
      else res.destroy()
    })
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid')
    const method = req.method ?? 'GET'
    if (url.pathname.startsWith('/assets/') && (method === 'GET' || method === 'HEAD')) {
      this.#serveAsset(url.pathname, method, res)
      return
    }
    if (!url.pathname.startsWith(API_PREFIX)) {
      req.resume()
      this.#send(res, envelope(404, 404, `not found: ${url.pathname}`))
      return
    }
    const route = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '')
    const headers = lowerCaseHeaders(req)
    let receivedAt = Number.NaN
    const record = (reply: Pick<Reply, 'status' | 'code'> | undefined, params: Record<string, unknown>) =>
      this.#o.onRequest({
        route,
        method,
        params,
        headers,
        status: reply?.status ?? 0,
        code: reply?.code,
        time: this.#o.context.clock(),
        receivedAt,
      })
    const finish = (reply: Reply, params: Record<string, unknown>) => {
      record(reply, params)
      this.#send(res, reply)
    }

    let body: Buffer
    try {
      body = await readBody(req, this.#o.maxBodyBytes)
      receivedAt = performance.now()
    } catch (cause) {
      receivedAt = performance.now()
      if (!(cause instanceof BodyTooLarge)) throw cause
      finish(envelope(413, 40014, '请求体过大 (request body too large)'), {})
      req.destroy()
      return
    }
    const parsed = parseParams(url, headers['content-type'] ?? '', body)
    const paramsRecord = parsed.record

    const def = findSimRoute(route)
    if (!def) return finish(envelope(404, 404, `找不到该接口 (unknown route ${route})`), paramsRecord)
    if (def.method !== method) {
      return finish(envelope(405, 405, `method ${method} not allowed on ${route}`), paramsRecord)
    }
    if (headers['authorization'] !== `Bot ${this.#o.token}` || this.#o.tokenRefused()) {
      return finish(
        { ...envelope(401, 401, '你的用户凭证不正确'), data: { name: 'Unauthorized', status: 401 } },
        paramsRecord,
      )
    }

    const failure = this.#o.rateLimits.takeFailure(route)
    if (failure && 'drop' in failure && failure.drop === 'before') {
      record(undefined, paramsRecord)
      res.destroy()
      return
    }
    if (failure && 'status' in failure && failure.status === 429) {
      const global = 'global' in failure && failure.global === true
      const reset = 'resetSeconds' in failure ? (failure.resetSeconds ?? 1) : 1
      const headers429 = this.#o.rateLimits.limitedHeaders(route, reset, global)
      return finish(
        { ...envelope(429, 429, '请求过于频繁 (rate limited)'), headers: headers429 },
        paramsRecord,
      )
    }
    const rate = this.#o.rateLimits.consume(route)
    if (rate.limited) {
      return finish(
        { ...envelope(429, 429, '请求过于频繁 (rate limited)'), headers: rate.headers },
        paramsRecord,
      )
    }
    if (failure && 'code' in failure) {
      return finish({ ...envelope(200, failure.code, failure.message), headers: rate.headers }, paramsRecord)
    }
    if (failure && 'status' in failure) {
      const reply = envelope(failure.status, failure.status, `simulated HTTP ${failure.status}`)
      return finish({ ...reply, headers: rate.headers }, paramsRecord)
    }

    const reply = parsed.ok
      ? this.#run(route, def, parsed.params, parsed.files)
      : envelope(200, KOOK_BAD_REQUEST, parsed.problem)
    try {
      if (failure && 'drop' in failure) {
        // The route ran (a message may now exist) but the client never learns it: the retry dilemma.
        record(undefined, paramsRecord)
        res.destroy()
        return
      }
      finish({ ...reply, headers: rate.headers }, paramsRecord)
    } finally {
      this.#release()
    }
  }

  #run(route: string, def: SimRoute, params: SimParams, files: ReadonlyMap<string, SimUploadedFile>): Reply {
    try {
      const data = def.run(this.#routeContext, { params, files })
      return { status: 200, code: 0, message: '', data, headers: {} }
    } catch (cause) {
      if (cause instanceof SimApiFailure) return envelope(cause.httpStatus, cause.kookCode, cause.kookMessage)
      this.#o.logger.error({ err: cause, route }, 'simulator route failed')
      return envelope(500, 500, 'simulator internal error')
    }
  }

  /** Sends the events the last route emitted, in order, now that its answer is written. */
  #release(): void {
    const held = this.#held
    if (held.length === 0) return
    this.#held = []
    for (const d of held) this.#o.context.emit(d)
  }

  #serveAsset(path: string, method: string, res: ServerResponse): void {
    const asset = this.#o.assets.byPath(path)
    if (!asset) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': String(asset.bytes.length) })
    res.end(method === 'HEAD' ? undefined : asset.bytes)
  }

  #send(res: ServerResponse, reply: Reply): void {
    const body = JSON.stringify({ code: reply.code, message: reply.message, data: reply.data })
    res.writeHead(reply.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      ...reply.headers,
    })
    res.end(body)
  }
}

function envelope(status: number, code: number, message: string): Reply {
  return { status, code, message, data: {}, headers: {} }
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

type ParsedParams =
  | {
      ok: true
      params: SimParams
      files: Map<string, SimUploadedFile>
      record: Record<string, unknown>
    }
  | { ok: false; problem: string; record: Record<string, unknown> }

/** Query string, then the body (JSON, urlencoded form or multipart) on top. */
function parseParams(url: URL, contentType: string, body: Buffer): ParsedParams {
  const fields: Record<string, unknown> = Object.fromEntries(url.searchParams)
  const files = new Map<string, SimUploadedFile>()
  const record = (): Record<string, unknown> => {
    const summary: Record<string, unknown> = { ...fields }
    for (const [name, f] of files)
      summary[name] = { filename: f.filename, contentType: f.contentType, size: f.data.length }
    return summary
  }
  if (body.length > 0) {
    const type = contentType.toLowerCase()
    if (type.startsWith('multipart/form-data')) {
      const parts = parseMultipart(body, contentType)
      if (!parts) return { ok: false, problem: '请求格式错误 (malformed multipart body)', record: record() }
      for (const part of parts) {
        if (part.filename !== undefined || part.name === 'file') {
          files.set(part.name, { filename: part.filename, contentType: part.contentType, data: part.data })
        } else {
          fields[part.name] = part.data.toString('utf8')
        }
      }
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString('utf8'))))
    } else {
      let json: unknown
      try {
        json = JSON.parse(body.toString('utf8'))
      } catch {
        return { ok: false, problem: '请求格式错误 (body is not JSON)', record: record() }
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        return { ok: false, problem: '请求格式错误 (body must be a JSON object)', record: record() }
      }
      Object.assign(fields, json)
    }
  }
  return { ok: true, params: new SimParams(fields), files, record: record() }
}
