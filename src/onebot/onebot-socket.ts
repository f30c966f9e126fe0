/**
 * One OneBot v11 WebSocket session, the same for forward (we are the server) and reverse (we dial):
 * answers action calls, and drains an event queue into the socket.
 *
 * Order on a connection (onebot-v11.md §A1, karin.md §3, §7.5):
 * 1. `lifecycle/connect` first (NoneBot ignores frames until it names the bot; ZeroBot reads `self_id`
 *    from the first frame);
 * 2. events are held until the profile's handshake calls have been answered, plus `settleMs` (Karin
 *    attaches its event listener only after the `get_version_info` reply resolves, and silently drops
 *    events that arrive in between), or until `timeoutMs` if the calls never come;
 * 3. then the queue drains in order. Responses never wait behind events.
 *
 * Backpressure: `ws.send` never refuses, so the pump stops while `bufferedAmount` is above the high
 * watermark and resumes from the send callbacks; the owner's queue is bounded (performance.md §6).
 */
import WebSocket from 'ws'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import type { EventQueue } from './event-queue.js'
import { type ActionCall, actionCallOf, baseActionName } from './handle-action.js'
import { failedResponse } from './retcode.js'
import type { ActionResponse } from './types.js'

/** `universal`: calls and events; `api`: calls only; `event`: events only (forward `/api`, `/event`). */
export type SocketRole = 'universal' | 'api' | 'event'

export interface HandshakeOptions {
  actions: readonly string[]
  timeoutMs: number
  settleMs: number
}

export interface OneBotSocketOptions {
  ws: WebSocket
  role: SocketRole
  /** Frames waiting for this socket; owned by the caller (a reverse upstream keeps it across reconnects). */
  queue: EventQueue
  dispatch(call: ActionCall): Promise<ActionResponse>
  /** Sent before anything else on event-capable sockets. */
  lifecycleFrame: string
  handshake: HandshakeOptions
  /** Pause the pump while this many bytes wait in the socket. @defaultValue 1 MiB */
  highWaterMark?: number | undefined
  onClose?: ((code: number) => void) | undefined
  logger?: Logger | undefined
  metrics?: Metrics | undefined
  labels: Readonly<Record<string, string>>
}

const DEFAULT_HIGH_WATER = 1024 * 1024

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

export class OneBotSocket {
  readonly #ws: WebSocket
  readonly #options: OneBotSocketOptions
  readonly #highWater: number
  readonly #pendingHandshake: Set<string>
  #released = false
  #blocked = false
  #closed = false
  #settleTimer: NodeJS.Timeout | undefined
  #timeoutTimer: NodeJS.Timeout | undefined

  constructor(options: OneBotSocketOptions) {
    this.#ws = options.ws
    this.#options = options
    this.#highWater = options.highWaterMark ?? DEFAULT_HIGH_WATER
    this.#pendingHandshake = new Set(options.role === 'universal' ? options.handshake.actions : [])
    this.#ws.on('message', (data) => this.#onMessage(data))
    this.#ws.on('error', (error) => this.#options.logger?.debug({ err: error }, 'onebot socket error'))
    this.#ws.on('close', (code) => {
      this.#closed = true
      this.#clearTimers()
      this.#options.onClose?.(code)
    })
    if (options.role !== 'api') this.#ws.send(options.lifecycleFrame, this.#onSent)
    if (this.#pendingHandshake.size === 0) this.#release()
    else {
      this.#timeoutTimer = setTimeout(() => {
        this.#options.metrics?.inc('kookbridge_onebot_handshake_timeouts_total', this.#options.labels)
        this.#release()
      }, options.handshake.timeoutMs)
    }
  }

  /** Events flow (handshake done) and the socket is open. */
  get live(): boolean {
    return this.#released && !this.#closed && this.#ws.readyState === WebSocket.OPEN
  }

  /** The handshake completed (or timed out) at some point: events have been allowed to flow. */
  get released(): boolean {
    return this.#released
  }

  /** New frames are in the queue: drain what the socket can take now. */
  notify(): void {
    this.#pump()
  }

  close(code = 1000, reason = ''): void {
    this.#clearTimers()
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(code, reason)
    }
  }

  /** Drops the connection at once (shutdown; a peer that does not answer the close handshake). */
  terminate(): void {
    this.#clearTimers()
    this.#ws.terminate()
  }

  #clearTimers(): void {
    clearTimeout(this.#settleTimer)
    clearTimeout(this.#timeoutTimer)
  }

  #release(): void {
    if (this.#released) return
    this.#released = true
    this.#clearTimers()
    this.#pump()
  }

  /** Every write's callback: a completed write may have taken the socket below the watermark. */
  readonly #onSent = (error?: Error | null): void => {
    if (error) return // the close event follows; the frame is lost with the connection
    if (this.#blocked && this.#ws.bufferedAmount < this.#highWater) this.#pump()
  }

  #pump(): void {
    if (this.#options.role === 'api' || !this.#released || this.#closed) return
    if (this.#ws.readyState !== WebSocket.OPEN) return
    if (this.#blocked) {
      if (this.#ws.bufferedAmount >= this.#highWater) return
      this.#blocked = false
    }
    const queue = this.#options.queue
    while (queue.size > 0) {
      if (this.#ws.bufferedAmount >= this.#highWater) {
        this.#blocked = true
        this.#options.metrics?.inc('kookbridge_onebot_backpressure_pauses_total', this.#options.labels)
        return
      }
      const frame = queue.shift()
      if (frame !== undefined) this.#ws.send(frame, this.#onSent)
    }
  }

  #onMessage(data: WebSocket.RawData): void {
    if (this.#options.role === 'event') {
      // `/event` carries events only (onebot-v11.md §A1): calls on it are ignored, and counted.
      this.#options.metrics?.inc('kookbridge_onebot_ignored_frames_total', this.#options.labels)
      return
    }
    let frame: unknown
    try {
      frame = JSON.parse(rawText(data))
    } catch {
      this.#options.metrics?.inc('kookbridge_onebot_bad_frames_total', this.#options.labels)
      this.#send(failedResponse(new BridgeError(ErrorCode.BadParams, 'frame is not JSON'), false), undefined)
      return
    }
    const parsed = actionCallOf(frame)
    if (!parsed.ok) {
      this.#options.metrics?.inc('kookbridge_onebot_bad_frames_total', this.#options.labels)
      this.#send(failedResponse(parsed.error, parsed.hasEcho, parsed.echo), undefined)
      return
    }
    const { name } = baseActionName(parsed.call.action)
    this.#options.dispatch(parsed.call).then(
      (response) => this.#send(response, name),
      // handleAction answers every failure itself; reaching this is a bug, still answered.
      (error: unknown) => this.#send(failedResponse(error, parsed.call.hasEcho, parsed.call.echo), name),
    )
  }

  #send(response: ActionResponse, action: string | undefined): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return
    this.#ws.send(JSON.stringify(response), (error) => {
      // Any completed write may have taken the socket below the watermark.
      this.#onSent(error)
      if (error || action === undefined || !this.#pendingHandshake.delete(action)) return
      // Last handshake reply written: the consumer attaches its listener a few microtasks later.
      if (this.#pendingHandshake.size === 0 && !this.#released) {
        clearTimeout(this.#timeoutTimer)
        this.#settleTimer = setTimeout(() => this.#release(), this.#options.handshake.settleMs)
      }
    })
  }
}
