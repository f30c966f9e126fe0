/**
 * HTTP POST: events to the framework's webhook URL (onebot-v11.md §A1).
 *
 * Each event is POSTed as the exact frame string every other transport sends, with `X-Self-ID`
 * (Karin and NoneBot check it) and, when a secret is set, `X-Signature: sha1=<hex HMAC-SHA1 over
 * that exact body>` (Karin `post_token`, karin.md §2). The body is compact `JSON.stringify` output,
 * which Koishi's re-serialising check reproduces byte for byte. Posts go one at a time, in order;
 * pending ones wait in a bounded queue (oldest dropped and counted). A failed post is counted and not
 * retried: the framework may have handled it, and a duplicate event would be answered twice. Quick
 * operations in the reply are not supported (the reply body is read and discarded).
 */
import { createHmac } from 'node:crypto'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { EventQueue } from './event-queue.js'

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

  /** Resolves once every queued event has been posted (or has failed). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining
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
      await res.arrayBuffer()
      if (res.ok) metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: 'ok' })
      else {
        metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: String(res.status) })
        logger?.warn({ url, status: res.status }, 'HTTP POST event refused')
      }
    } catch (error) {
      if (this.#closed) return
      metrics?.inc('kookbridge_onebot_http_posts_total', { ...this.#labels, status: 'error' })
      logger?.warn({ url, err: (error as Error).message }, 'HTTP POST event failed')
    }
  }
}
