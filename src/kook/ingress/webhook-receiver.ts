/**
 * Receives KOOK's webhook POSTs (kook.md §2) and hands the events to the ingress sink.
 *
 * Order per request: size limit → inflate (when the body starts with a zlib header; KOOK compresses
 * unless the callback URL says `compress=0`, and it compresses *on top of* the ciphertext) → JSON →
 * decrypt `{encrypt}` → JSON → verify_token (constant time) → challenge answered at once, or the event
 * acknowledged at once and delivered on the next turn of the event loop. KOOK wants its 200 within 1 s
 * and takes a bot offline after repeated slow acks, so nothing downstream ever runs before the ack.
 * KOOK retries unacknowledged events (~2, 4, 8, 16, 32 s): retries are dropped by msg_id, since the
 * webhook sn wraps at 65535 and is no identity.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inflateSync } from 'node:zlib'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import { type Logger, silentLogger } from '../../util/logger.js'
import { Metrics } from '../../util/metrics.js'
import type { IngressEvent, IngressSink } from './ingress-event.js'
import { RecentIds } from './recent-ids.js'
import { decryptWebhookPayload, webhookKey } from './webhook-decrypt.js'

export interface WebhookReceiverOptions {
  host: string
  /** 0 picks a free port (see the address `start()` returns). */
  port: number
  /** The callback path configured in the KOOK console, e.g. `/kook/webhook`. */
  path: string
  /** The console's "Verify Token": every event must carry it. */
  verifyToken: string
  /** The console's "Encrypt Key", when encryption is on. */
  encryptKey?: string | undefined
  sink: IngressSink
  logger?: Logger | undefined
  metrics?: Metrics | undefined
  /** How many recent msg_ids are remembered to drop KOOK's retries. @defaultValue 1000 */
  dedupeWindow?: number | undefined
  /** Largest accepted body, compressed or not. @defaultValue 1 MiB */
  maxBodyBytes?: number | undefined
}

const ZLIB_HEADER = 0x78
const DEFAULT_MAX_BODY = 1024 * 1024
/** An inflated body may be larger than the wire body, but not unboundedly (a zlib bomb). */
const INFLATE_FACTOR = 16

/** Every way a request is refused; each is a metrics label. */
type Rejection =
  | 'path'
  | 'method'
  | 'too_large'
  | 'unreadable'
  | 'inflate'
  | 'json'
  | 'no_encrypt_key'
  | 'decrypt'
  | 'shape'
  | 'verify_token'

type Outcome =
  | { kind: 'reject'; status: number; reason: Rejection; message: string }
  | { kind: 'challenge'; challenge: string }
  | { kind: 'event'; event: IngressEvent }
  | { kind: 'duplicate' }

export class WebhookReceiver {
  readonly #host: string
  readonly #port: number
  readonly #path: string
  readonly #tokenDigest: Buffer
  readonly #key: Buffer | undefined
  readonly #sink: IngressSink
  readonly #log: Logger
  readonly #metrics: Metrics
  readonly #recentIds: RecentIds
  readonly #maxBody: number
  #server: Server | undefined
  /** Acknowledged events waiting for the next turn, in arrival order. */
  #queue: IngressEvent[] = []
  #drain: NodeJS.Immediate | undefined

  constructor(options: WebhookReceiverOptions) {
    this.#host = options.host
    this.#port = options.port
    this.#path = options.path
    this.#tokenDigest = digest(options.verifyToken)
    this.#key = options.encryptKey === undefined ? undefined : webhookKey(options.encryptKey)
    this.#sink = options.sink
    this.#log = options.logger ?? silentLogger()
    this.#metrics = options.metrics ?? new Metrics()
    this.#recentIds = new RecentIds(options.dedupeWindow ?? 1_000)
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  }

  /** Listens; resolves with the bound address (useful with port 0). */
  start(): Promise<{ host: string; port: number }> {
    if (this.#server !== undefined) return Promise.resolve(this.#address(this.#server))
    const server = createServer((req, res) => this.#onRequest(req, res))
    // KOOK sends small bodies promptly; a client trickling bytes is not KOOK.
    server.headersTimeout = 10_000
    server.requestTimeout = 15_000
    this.#server = server
    return new Promise((resolve, reject) => {
      server.once('error', (cause: Error) => {
        this.#server = undefined
        reject(
          new BridgeError(
            ErrorCode.ConfigInvalid,
            `webhook receiver cannot listen on ${this.#host}:${this.#port}: ${cause.message}`,
            { cause },
          ),
        )
      })
      server.listen(this.#port, this.#host, () => {
        const address = this.#address(server)
        this.#log.info({ ...address, path: this.#path }, 'kook webhook: listening')
        resolve(address)
      })
    })
  }

  /** Stops listening and closes every connection. Events already acknowledged are delivered first. */
  async stop(): Promise<void> {
    if (this.#drain !== undefined) {
      clearImmediate(this.#drain)
      this.#deliverQueued()
    }
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  #address(server: Server): { host: string; port: number } {
    const address = server.address() as AddressInfo
    return { host: address.address, port: address.port }
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    if (path !== this.#path) {
      this.#reply(req, res, {
        kind: 'reject',
        status: 404,
        reason: 'path',
        message: 'no webhook at this path',
      })
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      this.#reply(req, res, {
        kind: 'reject',
        status: 405,
        reason: 'method',
        message: 'webhook accepts POST only',
      })
      return
    }
    const tooLarge: Outcome = {
      kind: 'reject',
      status: 413,
      reason: 'too_large',
      message: `body exceeds ${this.#maxBody} bytes`,
    }
    if (Number(req.headers['content-length']) > this.#maxBody) {
      this.#reply(req, res, tooLarge)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > this.#maxBody) {
        done = true
        this.#reply(req, res, tooLarge)
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (done) return
      done = true
      this.#reply(req, res, this.#handle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    })
    req.on('error', (err) => {
      if (done) return
      done = true
      this.#log.warn({ err }, 'kook webhook: request body could not be read')
      this.#reply(req, res, {
        kind: 'reject',
        status: 400,
        reason: 'unreadable',
        message: 'body could not be read',
      })
    })
  }

  /** Decodes one body into what to answer. Never throws: every problem becomes a counted rejection. */
  #handle(body: Buffer): Outcome {
    let raw = body
    if (raw[0] === ZLIB_HEADER) {
      try {
        raw = inflateSync(raw, { maxOutputLength: this.#maxBody * INFLATE_FACTOR })
      } catch {
        return bad(400, 'inflate', 'body starts with a zlib header but does not inflate')
      }
    }
    let parsed = parseObject(raw.toString('utf8'))
    if (parsed === undefined) return bad(400, 'json', 'body is not a JSON object')
    const encrypted = parsed['encrypt']
    if (typeof encrypted === 'string') {
      if (this.#key === undefined) {
        return bad(400, 'no_encrypt_key', 'body is encrypted but no encryptKey is configured')
      }
      let plain: string
      try {
        plain = decryptWebhookPayload(encrypted, this.#key)
      } catch (err) {
        return bad(400, 'decrypt', (err as BridgeError).message)
      }
      parsed = parseObject(plain)
      if (parsed === undefined) return bad(400, 'json', 'decrypted body is not a JSON object')
    }
    const d = parsed['d']
    if (typeof d !== 'object' || d === null || Array.isArray(d)) {
      return bad(400, 'shape', 'body has no "d" object')
    }
    const data = d as Record<string, unknown>
    const token = data['verify_token']
    if (typeof token !== 'string' || !timingSafeEqual(digest(token), this.#tokenDigest)) {
      return bad(403, 'verify_token', 'verify_token does not match')
    }
    if (data['channel_type'] === 'WEBHOOK_CHALLENGE') {
      const challenge = data['challenge']
      if (typeof challenge !== 'string') return bad(400, 'shape', 'challenge without a "challenge" string')
      return { kind: 'challenge', challenge }
    }
    const msgId = data['msg_id']
    if (typeof msgId === 'string' && !this.#recentIds.add(msgId)) return { kind: 'duplicate' }
    // The verify token is a secret: it must not travel on with the event (raw events reach frameworks
    // and debug logs).
    delete data['verify_token']
    const sn = parsed['sn']
    return {
      kind: 'event',
      event: typeof sn === 'number' ? { data, sn, via: 'webhook' } : { data, via: 'webhook' },
    }
  }

  #reply(req: IncomingMessage, res: ServerResponse, outcome: Outcome): void {
    switch (outcome.kind) {
      case 'reject': {
        this.#metrics.inc(
          'kook_webhook_rejected_total',
          { reason: outcome.reason },
          1,
          'webhook requests refused',
        )
        // Never the body or headers here: they carry the verify token.
        this.#log.warn(
          { status: outcome.status, reason: outcome.reason, method: req.method },
          `kook webhook: refused: ${outcome.message}`,
        )
        if (outcome.status === 413) res.setHeader('connection', 'close')
        sendJson(res, outcome.status, JSON.stringify({ error: outcome.reason, message: outcome.message }))
        return
      }
      case 'challenge':
        this.#metrics.inc('kook_webhook_challenges_total', undefined, 1, 'webhook challenges answered')
        this.#log.info('kook webhook: challenge answered')
        // Always plain JSON, even when the request was encrypted (kook.md §2).
        sendJson(res, 200, JSON.stringify({ challenge: outcome.challenge }))
        return
      case 'duplicate':
        this.#metrics.inc('kook_webhook_duplicates_total', undefined, 1, 'webhook retries dropped by msg_id')
        res.writeHead(200).end()
        return
      case 'event':
        this.#metrics.inc('kook_webhook_events_total', undefined, 1, 'webhook events accepted')
        res.writeHead(200).end()
        this.#queue.push(outcome.event)
        this.#drain ??= setImmediate(() => this.#deliverQueued())
    }
  }

  #deliverQueued(): void {
    this.#drain = undefined
    const batch = this.#queue
    this.#queue = []
    for (const event of batch) {
      try {
        this.#sink(event)
      } catch (err) {
        this.#metrics.inc('kook_webhook_sink_errors_total', undefined, 1, 'webhook events whose sink threw')
        this.#log.error({ err }, 'kook webhook: the event sink threw; event skipped')
      }
    }
  }
}

function bad(status: number, reason: Rejection, message: string): Outcome {
  return { kind: 'reject', status, reason, message }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Equal-length digests, so `timingSafeEqual` works on tokens of any length and leaks no length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
