/**
 * HTTP POST: events to the framework's webhook URL (onebot-v11.md §A1).
 *
 * Each event is POSTed as the exact frame string every other transport sends, with `X-Self-ID`
 * (Karin and NoneBot check it) and, when a secret is set, `X-Signature: sha1=<hex HMAC-SHA1 over
 * that exact body>` (Karin `post_token`, karin.md §2). The body is compact `JSON.stringify` output,
 * which Koishi's re-serialising check reproduces byte for byte. Posts go one at a time, in order;
 * pending ones wait in a bounded queue (oldest dropped and counted). A failed post is counted and not
 * retried: the framework may have handled it, and a duplicate event would be answered twice.
 *
 * A 2xx reply with a non-empty JSON object body is a quick operation on the event (onebot-v11.md §A1,
 * §A4): it is dispatched as `.handle_quick_operation{context: the posted event, operation: the body}`,
 * the same action the other transports call. Quick operations run one at a time in reply order, on a
 * chain of their own, so a slow KOOK call never holds back the next event's POST. A 204, an empty
 * body or `{}` means nothing to do; a body that is not a JSON object is counted and logged.
 */
import { createHmac } from 'node:crypto'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { EventQueue } from './event-queue.js'
import type { ActionCall } from './handle-action.js'
import type { ActionResponse } from './types.js'

export interface HttpPostClientOptions {
  url: string
  secret?: string | undefined
  timeoutMs: number
  selfId: number
  bufferSize: number
  userAgent: string
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
  /** Runs the quick operations replies carry; without it replies are read and discarded. */
  dispatch?: ((call: ActionCall) => Promise<ActionResponse>) | undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function signBody(secret: string, body: string): string {
  return `sha1=${createHmac('sha1', secret).update(body, 'utf8').digest('hex')}`
}

export class HttpPostClient {
  readonly #options: HttpPostClientOptions
  readonly #queue: EventQueue
  readonly #labels: Record<string, string>
  readonly #abort = new AbortController()
  #draining: Promise<void> | undefined
  /** The tail of the quick-operation chain; undefined when none is pending. */
  #quick: Promise<void> | undefined
  #quickPending = 0
  #closed = false

  constructor(options: HttpPostClientOptions) {
    this.#options = options
    this.#queue = new EventQueue(options.bufferSize)
    this.#labels = { bot: options.bot, transport: 'http_post' }
  }

  get url(): string {
    return this.#options.url
  }

  /** Queues an event; `volatile` frames (heartbeats) are skipped while posts are backed up. */
  push(frame: string, volatile = false): void {
    if (this.#closed) return
    if (volatile && (this.#draining !== undefined || this.#queue.size > 0)) return
    const dropped = this.#queue.push(frame)
    if (dropped > 0)
      this.#options.metrics?.inc('kookbridge_onebot_events_dropped_total', this.#labels, dropped)
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined
    })
  }

  /** Resolves once every queued event has been posted (or has failed) and its quick operation run. */
  async idle(): Promise<void> {
    while (this.#draining || this.#quick) {
      if (this.#draining) await this.#draining
      if (this.#quick) await this.#quick
    }
  }

  async stop(): Promise<void> {
    this.#closed = true
    this.#queue.clear()
    this.#abort.abort()
    await this.idle()
  }

  async #drain(): Promise<void> {
    for (let frame = this.#queue.shift(); frame !== undefined; frame = this.#queue.shift()) {
      if (this.#closed) return
      await this.#post(frame)
    }
  }

  async #post(body: string): Promise<void> {
    const { url, secret, timeoutMs, selfId, userAgent, logger, metrics } = this.#options
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-self-id': String(selfId),
      'user-agent': userAgent,
    }
    if (secret !== undefined) headers['x-signature'] = signBody(secret, body)
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(timeoutMs)]),
      })
      const reply = await res.text()
      if (res.ok) {
        metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: 'ok' })
        if (res.status !== 204 && reply.trim() !== '') this.#quickOperation(body, reply)
      } else {
        metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: String(res.status) })
        logger?.warn({ url, status: res.status }, 'HTTP POST event refused')
      }
    } catch (error) {
      if (this.#closed) return
      metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: 'error' })
      logger?.warn({ url, err: (error as Error).message }, 'HTTP POST event failed')
    }
  }

  /** Queues the quick operation a reply carries; `frame` is the event exactly as posted. */
  #quickOperation(frame: string, reply: string): void {
    const { dispatch, logger, metrics, url } = this.#options
    if (dispatch === undefined || this.#closed) return
    let operation: unknown
    try {
      operation = JSON.parse(reply)
    } catch {
      operation = undefined
    }
    if (!isRecord(operation)) {
      // Not silent, but not a warning per event either: some receivers answer 200 with "ok".
      metrics?.inc('kookbridge_onebot_http_post_replies_invalid_total', this.#labels)
      logger?.debug({ url, reply: reply.slice(0, 200) }, 'HTTP POST reply is not a quick operation object')
      return
    }
    if (Object.keys(operation).length === 0) return
    const context: unknown = JSON.parse(frame)
    const call: ActionCall = {
      action: '.handle_quick_operation',
      params: { context, operation },
      hasEcho: false,
    }
    this.#quickPending++
    this.#quick = (this.#quick ?? Promise.resolve())
      // Stopping drops quick operations not yet started, as it drops events not yet posted.
      .then(() => (this.#closed ? undefined : dispatch(call)))
      .then(
        (response) => {
          // Each failed step is already logged and counted where it ran; this names the event.
          if (response?.status === 'failed') {
            logger?.warn(
              { url, retcode: response.retcode, message: response.message },
              'quick operation failed',
            )
          }
        },
        (error: unknown) => logger?.warn({ url, err: error }, 'quick operation failed'),
      )
      .finally(() => {
        if (--this.#quickPending === 0) this.#quick = undefined
      })
  }
}
