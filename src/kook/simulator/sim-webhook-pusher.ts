import { randomBytes } from 'node:crypto'
import { type ClientRequest, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { deflateSync } from 'node:zlib'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { Logger } from '../../util/logger.js'
import type { SimTimers } from './sim-timers.js'
import type { Json } from './sim-views.js'
import { encryptWebhookPayload } from './webhook-crypto.js'

/** How KOOK talks to one webhook receiver (the developer console's settings). */
export interface SimWebhookTargetOptions {
  /** Put in every `d.verify_token`. */
  verifyToken: string
  /** When set, bodies are `{"encrypt": …}` (AES-256-CBC, kook.md §2). */
  encryptKey?: string
  /** zlib-deflate the body; default: on unless the URL contains `compress=0`, like KOOK. */
  compress?: boolean
}

export interface SimWebhookPushOptions extends SimWebhookTargetOptions {
  /** The frame's sn; default: the pusher's own counter (wrapping at 65535). */
  sn?: number
}

export interface SimWebhookResponse {
  status: number
  body: string
  elapsedMs: number
}

export interface SimWebhookChallengeResult extends SimWebhookResponse {
  challenge: string
  /** HTTP 200 with `{"challenge": <the same value>}`, as KOOK requires. */
  ok: boolean
}

/** One attempt to deliver an event to a registered target. */
export interface SimWebhookDelivery {
  url: string
  sn: number
  attempt: number
  /** 0 when the request failed or timed out. */
  status: number
  time: number
}

export interface SimWebhookPusherOptions {
  timers: SimTimers
  logger: Logger
  clock(): number
  /** Delays between retries of a failed delivery; KOOK uses about 2, 4, 8, 16, 32 s (kook.md §2). */
  retryDelaysMs: readonly number[]
  /** How long a receiver has to answer: KOOK wants an answer within 1 s. */
  timeoutMs: number
}

/** Webhook sn is a 16-bit counter: after 65535 it starts again at 1 (kook.md §1). */
const WEBHOOK_SN_MAX = 65535

/**
 * KOOK's webhook side (kook.md §2): POSTs `{s:0, d, sn}` with `d.verify_token`, optionally encrypted, then
 * compressed; answers the challenge; retries non-200 answers. Requests use a fresh connection each
 * (no keep-alive), so a receiver under test can close its server at once.
 */
export class SimWebhookPusher {
  readonly #o: SimWebhookPusherOptions
  readonly #targets = new Map<string, SimWebhookTargetOptions>()
  readonly #inFlight = new Set<ClientRequest>()
  readonly #pending = new Set<Promise<void>>()
  #sn = 0
  #closed = false
  readonly deliveries: SimWebhookDelivery[] = []

  constructor(options: SimWebhookPusherOptions) {
    this.#o = options
  }

  get targets(): string[] {
    return [...this.#targets.keys()]
  }

  addTarget(url: string, options: SimWebhookTargetOptions): void {
    this.#targets.set(url, options)
  }

  removeTarget(url: string): void {
    this.#targets.delete(url)
  }

  /** POSTs one event and returns the receiver's answer; rejects on a network error or timeout. */
  pushTo(url: string, d: object, options: SimWebhookPushOptions): Promise<SimWebhookResponse> {
    const sn = options.sn ?? this.#nextSn()
    const payload = JSON.stringify({ s: 0, d: { ...d, verify_token: options.verifyToken }, sn })
    return this.#post(url, encodeBody(payload, url, options))
  }

  /** Sends the verification challenge KOOK posts when a callback URL is saved (kook.md §2). */
  async challenge(url: string, options: SimWebhookTargetOptions): Promise<SimWebhookChallengeResult> {
    const challenge = randomBytes(12).toString('base64url')
    const d = { type: 255, channel_type: 'WEBHOOK_CHALLENGE', challenge, verify_token: options.verifyToken }
    const response = await this.#post(url, encodeBody(JSON.stringify({ s: 0, d }), url, options))
    let echoed: unknown
    try {
      echoed = (JSON.parse(response.body) as { challenge?: unknown }).challenge
    } catch {
      echoed = undefined
    }
    return { ...response, challenge, ok: response.status === 200 && echoed === challenge }
  }

  /** Delivers an event to every registered target, retrying each failure on the configured delays. */
  deliver(d: Json): void {
    for (const [url, options] of this.#targets) {
      const sn = this.#nextSn()
      const pending = this.#attempt(url, d, { ...options, sn }, 1).finally(() =>
        this.#pending.delete(pending),
      )
      this.#pending.add(pending)
    }
  }

  /** Resolves once every delivery (retries included) has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  close(): void {
    this.#closed = true
    for (const req of this.#inFlight) req.destroy()
    this.#inFlight.clear()
  }

  async #attempt(url: string, d: Json, options: SimWebhookPushOptions & { sn: number }, attempt: number) {
    let status = 0
    try {
      status = (await this.pushTo(url, d, options)).status
    } catch (err) {
      this.#o.logger.debug({ err, url, sn: options.sn, attempt }, 'webhook delivery failed')
    }
    this.deliveries.push({ url, sn: options.sn, attempt, status, time: this.#o.clock() })
    if (status === 200 || this.#closed) return
    const delay = this.#o.retryDelaysMs[attempt - 1]
    if (delay === undefined) {
      this.#o.logger.warn({ url, sn: options.sn }, 'webhook delivery gave up after retries')
      return
    }
    try {
      await this.#o.timers.sleep(delay)
    } catch {
      return // closed while waiting
    }
    await this.#attempt(url, d, options, attempt + 1)
  }

  #nextSn(): number {
    this.#sn = this.#sn >= WEBHOOK_SN_MAX ? 1 : this.#sn + 1
    return this.#sn
  }

  #post(url: string, body: Buffer): Promise<SimWebhookResponse> {
    if (this.#closed)
      return Promise.reject(new BridgeError(ErrorCode.Closed, 'the KOOK simulator was closed'))
    const started = performance.now()
    return new Promise((resolve, reject) => {
      let target: URL
      try {
        target = new URL(url)
      } catch (cause) {
        reject(new BridgeError(ErrorCode.BadParams, `not a webhook URL: ${url}`, { cause }))
        return
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(target, {
        method: 'POST',
        agent: false,
        timeout: this.#o.timeoutMs,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
      })
      this.#inFlight.add(req)
      req.on('timeout', () =>
        req.destroy(
          new BridgeError(
            ErrorCode.Timeout,
            `webhook receiver did not answer within ${this.#o.timeoutMs} ms`,
          ),
        ),
      )
      req.on('error', (cause) => {
        this.#inFlight.delete(req)
        reject(BridgeError.from(cause, ErrorCode.Network))
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (cause) => reject(BridgeError.from(cause, ErrorCode.Network)))
        res.on('end', () => {
          this.#inFlight.delete(req)
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: performance.now() - started,
          })
        })
      })
      req.end(body)
    })
  }
}

/** Encryption first, then compression over the (possibly encrypted) JSON (kook.md §2). */
function encodeBody(payload: string, url: string, options: SimWebhookTargetOptions): Buffer {
  const json = options.encryptKey
    ? JSON.stringify({ encrypt: encryptWebhookPayload(payload, options.encryptKey) })
    : payload
  const compress = options.compress ?? !url.includes('compress=0')
  return compress ? deflateSync(json) : Buffer.from(json, 'utf8')
}
