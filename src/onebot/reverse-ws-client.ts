/**
 * Reverse WebSocket: we dial one framework upstream (Universal role) and keep dialing.
 *
 * Headers (onebot-v11.md §A1, §A2; karin.md §2): `Authorization: Bearer <token>` (Karin matches that
 * form exactly), `X-Self-ID` (NoneBot closes 1008 without it), `X-Client-Role: Universal` (Koishi
 * requires it), `User-Agent`. No `?access_token=`: Karin does not route a path with a query (§7.6).
 *
 * State machine: idle → connecting → open → waiting (backoff) → connecting … ; stop() → closed.
 * The event queue belongs to the upstream, not to a connection: while it is down events wait there
 * (bounded, oldest dropped and counted) and are delivered in order after the next handshake. Each
 * upstream has its own queue, so every upstream gets every event exactly once and a dead one blocks
 * nobody. Backoff doubles from `reconnectIntervalMs` with jitter and resets once a connection has
 * completed its handshake (a peer that accepts and then refuses us does not get a reconnect storm).
 */
import WebSocket from 'ws'
import { backoffDelay } from '../kook/ingress/backoff-delay.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { EventQueue } from './event-queue.js'
import type { ActionCall } from './handle-action.js'
import { type HandshakeOptions, OneBotSocket } from './onebot-socket.js'
import type { ActionResponse } from './types.js'

export type ReverseWsStatus = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed'

export interface ReverseWsClientOptions {
  url: string
  accessToken?: string | undefined
  selfId: number
  userAgent: string
  reconnectIntervalMs: number
  maxReconnectIntervalMs: number
  bufferSize: number
  handshake: HandshakeOptions
  dispatch(call: ActionCall): Promise<ActionResponse>
  /** A fresh `lifecycle/connect` frame for each connection. */
  lifecycleFrame(): string
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
  /** Jitter source. @defaultValue Math.random */
  random?: (() => number) | undefined
}

export class ReverseWsClient {
  readonly #options: ReverseWsClientOptions
  readonly #queue: EventQueue
  readonly #labels: Record<string, string>
  #status: ReverseWsStatus = 'idle'
  #ws: WebSocket | undefined
  #socket: OneBotSocket | undefined
  #attempt = 0
  #timer: NodeJS.Timeout | undefined
  #closed: Promise<void> | undefined

  constructor(options: ReverseWsClientOptions) {
    this.#options = options
    this.#queue = new EventQueue(options.bufferSize)
    this.#labels = { bot: options.bot, transport: 'reverse_ws' }
  }

  get status(): ReverseWsStatus {
    return this.#status
  }

  get url(): string {
    return this.#options.url
  }

  start(): void {
    if (this.#status !== 'idle') return
    this.#connect()
  }

  /**
   * Queues an event frame for this upstream. `volatile` frames (heartbeats) are sent only to a live
   * connection and never buffered: a stale heartbeat means nothing.
   */
  push(frame: string, volatile = false): void {
    if (this.#status === 'closed') return
    if (volatile && !this.#socket?.live) return
    const dropped = this.#queue.push(frame)
    if (dropped > 0)
      this.#options.metrics?.inc('kookbridge_onebot_events_dropped_total', this.#labels, dropped)
    this.#socket?.notify()
  }

  async stop(): Promise<void> {
    if (this.#status === 'closed') return this.#closed
    this.#status = 'closed'
    clearTimeout(this.#timer)
    const ws = this.#ws
    this.#closed = new Promise<void>((resolve) => {
      if (!ws || ws.readyState === WebSocket.CLOSED) return resolve()
      // A peer that never answers the close handshake must not hold shutdown up.
      const force = setTimeout(() => ws.terminate(), 1_000)
      ws.once('close', () => {
        clearTimeout(force)
        resolve()
      })
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate()
      else ws.close(1000, 'shutting down')
    })
    await this.#closed
  }

  #connect(): void {
    if (this.#status === 'closed') return
    this.#status = 'connecting'
    const options = this.#options
    const headers: Record<string, string> = {
      'X-Self-ID': String(options.selfId),
      'X-Client-Role': 'Universal',
      'User-Agent': options.userAgent,
    }
    if (options.accessToken !== undefined) headers['Authorization'] = `Bearer ${options.accessToken}`
    // No permessage-deflate offer (ws offers it by default): the framework is on loopback or a LAN, where
    // compressing saves nothing and costs latency on every event. A peer that accepts it (Python
    // websockets does by default; Karin's server does not) made ws deflate each frame over 1 KiB on the
    // zlib threadpool: a 2 KB event's round trip went from ~0.25 ms to ~0.65–0.98 ms on loopback
    // (measured with ws 8, 400 rounds each way).
    const ws = new WebSocket(options.url, { headers, handshakeTimeout: 10_000, perMessageDeflate: false })
    this.#ws = ws
    ws.on('open', () => {
      if (this.#status === 'closed') return
      this.#status = 'open'
      options.metrics?.inc('kookbridge_onebot_reverse_ws_connects_total', this.#labels)
      options.logger?.info({ url: options.url }, 'reverse WS connected')
      this.#socket = new OneBotSocket({
        ws,
        role: 'universal',
        queue: this.#queue,
        dispatch: options.dispatch,
        lifecycleFrame: options.lifecycleFrame(),
        handshake: options.handshake,
        logger: options.logger,
        metrics: options.metrics,
        labels: this.#labels,
      })
    })
    ws.on('error', (error) => {
      // 'close' follows; a refused or unauthorised dial is logged, without the token.
      options.logger?.debug({ url: options.url, err: error.message }, 'reverse WS error')
    })
    ws.on('close', (code) => {
      const socket = this.#socket
      this.#socket = undefined
      this.#ws = undefined
      if (socket !== undefined) options.logger?.warn({ url: options.url, code }, 'reverse WS disconnected')
      if (socket?.released) this.#attempt = 0
      this.#scheduleReconnect()
    })
  }

  #scheduleReconnect(): void {
    if (this.#status === 'closed') return
    this.#status = 'waiting'
    const delay = backoffDelay(
      this.#attempt++,
      this.#options.reconnectIntervalMs,
      this.#options.maxReconnectIntervalMs,
      this.#options.random ?? Math.random,
    )
    this.#timer = setTimeout(() => this.#connect(), delay)
  }
}
