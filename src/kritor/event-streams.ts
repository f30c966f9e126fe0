/**
 * The live event streams of one endpoint, by kind, and the fan-out to them (kritor.md §7
 * "Fan-out/backpressure", performance.md §6).
 *
 * - Every event is broadcast to every live stream of its kind (several frameworks, or one framework
 *   registering twice, each get all of them), as the same pre-encoded bytes.
 * - Each stream honours grpc-js backpressure: once grpc-js holds WRITE_WINDOW unsent messages for it
 *   (a client that stopped reading fills HTTP/2 flow control, then that buffer), events wait in the
 *   stream's own bounded queue and go out on `'drain'`. Overflow policy: **drop the oldest** queued
 *   event and count it (`kookbridge_kritor_events_dropped_total`). A stalled client therefore holds at
 *   most WRITE_WINDOW + `queueSize` events and never slows the others: broadcasting is a loop of
 *   non-blocking calls.
 * - A stream ends only when its client cancels (or the connection dies: keepalive) or the endpoint
 *   stops. A stream with nothing to send (CORE_EVENT carries no events) simply stays open: nonebot
 *   drops the bot when any stream ends (kritor.md §7 "Keep every stream open").
 */
import type { ServerWritableStream } from '@grpc/grpc-js'
import type { Metrics } from '../util/metrics.js'
import { EventQueue } from './event-queue.js'

/** The four kritor event types plus the extension stream. */
export type EventStreamKind = 'core' | 'message' | 'notice' | 'request' | 'extension'

export type EventCall = ServerWritableStream<unknown, Buffer>

interface Subscriber {
  readonly kind: EventStreamKind
  readonly call: EventCall
  readonly queue: EventQueue
  /** Extension streams filter by event name; undefined accepts everything. */
  readonly accepts: ((name: string) => boolean) | undefined
  readonly peer: string
  writable: boolean
  dropped: number
}

export interface EventStreamStats {
  kind: EventStreamKind
  peer: string
  queued: number
  dropped: number
  /** False while grpc-js holds back (`write()` returned false, no `'drain'` yet). */
  writable: boolean
}

export interface EventStreamsOptions {
  queueSize: number
  /** A per-bot view (`Metrics.child({ bot })`): the bot label comes with it. */
  metrics?: Metrics | undefined
}

const KINDS: readonly EventStreamKind[] = ['core', 'message', 'notice', 'request', 'extension']
/**
 * Messages a stream may have inside grpc-js (its Writable buffer) before further events wait in the
 * stream's own queue. grpc-js's objectMode high-water mark is 16, and HTTP/2 takes a stream's writes
 * once per event-loop iteration, while the gateway maps up to `framesPerTurn` (64) events per turn
 * (a whole socket read, hundreds of events, before that was bounded): stopping at
 * `write() === false` moved ~16 events per iteration and a 60,000-event burst lost 96 % of them to
 * the drop policy (bench/kritor-pipeline-bench.ts). A larger window, still bounded, keeps up. Per
 * stream, memory is bounded by WRITE_WINDOW + queueSize events.
 */
const WRITE_WINDOW = 512

interface GrpcCallInternals {
  call?: { sendMessage?: (message: Buffer, callback: () => void) => void }
}

/**
 * Gives the grpc-js call a `_writev`, so the messages buffered while one write was in flight reach
 * HTTP/2 together instead of one per event-loop iteration. It mirrors grpc-js's own `_write`
 * (`this.call.sendMessage(chunk, callback)`, server-call.js) for each message, and completes when the
 * last one does. Where grpc-js's internals differ (another version), nothing is changed.
 *
 * Measured (grpc-js 1.14.7, 60,000 messages of 233 bytes to a client in another process, 64 writes
 * per turn, server process CPU, 3 interleaved runs): 14.4–14.9 µs per message with grpc-js's own
 * one-at-a-time `_write`, 7.5–10.0 µs with this `_writev`.
 */
function batchWrites(call: EventCall): void {
  const inner = (call as unknown as GrpcCallInternals).call
  const send = inner?.sendMessage
  // Writable.prototype._writev is null; a function here would be grpc-js's own batching: keep it.
  if (typeof send !== 'function' || typeof (call as unknown as { _writev?: unknown })._writev === 'function')
    return
  Object.defineProperty(call, '_writev', {
    value(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void) {
      let pending = chunks.length
      for (const { chunk } of chunks) {
        send.call(inner, chunk, () => {
          if (--pending === 0) callback()
        })
      }
    },
  })
}

export class EventStreams {
  readonly #queueSize: number
  readonly #metrics: Metrics | undefined
  readonly #byKind = new Map<EventStreamKind, Set<Subscriber>>(KINDS.map((kind) => [kind, new Set()]))

  constructor(options: EventStreamsOptions) {
    this.#queueSize = options.queueSize
    this.#metrics = options.metrics
  }

  /** Registers a stream; it is forgotten when its client goes away or `closeAll` ends it. */
  open(kind: EventStreamKind, call: EventCall, accepts?: (name: string) => boolean): void {
    const set = this.#set(kind)
    const subscriber: Subscriber = {
      kind,
      call,
      queue: new EventQueue(this.#queueSize),
      accepts,
      peer: call.getPeer(),
      writable: true,
      dropped: 0,
    }
    const forget = () => {
      if (!set.delete(subscriber)) return
      subscriber.queue.clear()
      this.#gauge(kind)
    }
    batchWrites(call)
    call.on('drain', () => this.#flush(subscriber))
    call.on('cancelled', forget)
    call.on('close', forget)
    call.on('finish', forget)
    // Without a listener an 'error' (a write after the peer vanished) would be thrown.
    call.on('error', forget)
    if (call.cancelled) return
    set.add(subscriber)
    this.#gauge(kind)
  }

  /** Whether any live stream would receive an event of this kind (events nobody reads are not encoded). */
  has(kind: EventStreamKind): boolean {
    return this.#set(kind).size > 0
  }

  count(kind: EventStreamKind): number {
    return this.#set(kind).size
  }

  /** Sends the same bytes to every live stream of `kind` (and, for extensions, whose filter accepts `name`). */
  broadcast(kind: EventStreamKind, bytes: Buffer, name?: string): void {
    for (const subscriber of this.#set(kind)) {
      if (name !== undefined && subscriber.accepts !== undefined && !subscriber.accepts(name)) continue
      this.#deliver(subscriber, bytes)
    }
  }

  /** Ends every stream with status OK (endpoint stop). */
  closeAll(): void {
    for (const set of this.#byKind.values()) {
      for (const subscriber of [...set]) {
        set.delete(subscriber)
        subscriber.queue.clear()
        try {
          subscriber.call.end()
        } catch {
          // Already ended by the peer: nothing left to close.
        }
      }
    }
    for (const kind of KINDS) this.#gauge(kind)
  }

  stats(): EventStreamStats[] {
    const out: EventStreamStats[] = []
    for (const set of this.#byKind.values()) {
      for (const s of set) {
        out.push({
          kind: s.kind,
          peer: s.peer,
          queued: s.queue.size,
          dropped: s.dropped,
          writable: s.writable,
        })
      }
    }
    return out
  }

  #set(kind: EventStreamKind): Set<Subscriber> {
    return this.#byKind.get(kind) as Set<Subscriber>
  }

  #deliver(subscriber: Subscriber, bytes: Buffer): void {
    if (subscriber.writable && subscriber.queue.size === 0) {
      this.#write(subscriber, bytes)
      return
    }
    if (subscriber.queue.push(bytes) > 0) {
      subscriber.dropped++
      this.#metrics?.inc('kookbridge_kritor_events_dropped_total', { kind: subscriber.kind })
    }
  }

  #flush(subscriber: Subscriber): void {
    subscriber.writable = true
    while (subscriber.writable) {
      const bytes = subscriber.queue.shift()
      if (bytes === undefined) return
      this.#write(subscriber, bytes)
    }
  }

  #write(subscriber: Subscriber, bytes: Buffer): void {
    const { call } = subscriber
    if (call.cancelled || call.writableEnded || call.destroyed) {
      subscriber.writable = false
      return
    }
    // write() says false from 16 buffered messages on; 'drain' follows once grpc-js has sent them all.
    call.write(bytes)
    if (call.writableLength >= WRITE_WINDOW) subscriber.writable = false
  }

  #gauge(kind: EventStreamKind): void {
    this.#metrics?.set('kookbridge_kritor_streams', this.#set(kind).size, { kind })
  }
}
