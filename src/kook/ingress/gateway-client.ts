/**
 * The KOOK gateway client: one WebSocket at a time, driven by an explicit state machine that follows
 * KOOK's documented flow (kook.md §1):
 *
 *   gateway/index → connect → HELLO (≤ helloTimeoutMs) → PING every ~30 s with the last processed sn
 *   → PONG (≤ pongTimeoutMs) → on silence two quick PINGs → resume on a *fresh* gateway URL with
 *   `resume=1&sn&session_id` (resumeTries times) → full reconnect with jittered exponential backoff.
 *   s=5 at any time drops the session; 40101/40102 stop for good.
 *
 * Shape borrowed from discord.js WebSocketShard: a private status, one exit path
 * (`#destroy({ recover })`) and connection generations. Every socket handler and timer captures the
 * generation it was created for and does nothing once a newer one exists, so a heartbeat of a dead
 * socket can never write to (or tear down) its successor — the khl.py "Cannot write to closing
 * transport" loop (kook.md §8.4).
 */
import { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { GatewaySession } from '../../store/bridge-store.js'
import { type Logger, silentLogger } from '../../util/logger.js'
import { type Counter, Metrics } from '../../util/metrics.js'
import { backoffDelay } from './backoff-delay.js'
import { decodeFrame, FrameError, type GatewayFrame, Signal } from './decode-frame.js'
import type { IngressSink } from './ingress-event.js'
import { RecentIds } from './recent-ids.js'
import { SequenceBuffer } from './sequence-buffer.js'

export const GatewayStatus = {
  Idle: 'idle',
  FetchingGateway: 'fetching-gateway',
  Connecting: 'connecting',
  WaitingHello: 'waiting-hello',
  /** HELLO accepted a resume; KOOK is replaying missed events until s=6. */
  Resuming: 'resuming',
  Connected: 'connected',
  /** Waiting before the next attempt (after a loss, a refused resume, a failed gateway/index). */
  Backoff: 'backoff',
  Stopped: 'stopped',
} as const
export type GatewayStatus = (typeof GatewayStatus)[keyof typeof GatewayStatus]

/** How `#destroy` continues: resume the session, start a fresh one, or stop for good. */
export type GatewayRecovery = 'resume' | 'reconnect' | 'stop'

/** Where the session survives a restart (wire it to `BridgeStore.loadSession` / `saveSession`). */
export interface GatewaySessionStore {
  load(): GatewaySession | undefined
  save(session: GatewaySession | undefined): void
}

export interface GatewayClientEvents {
  state: [status: GatewayStatus, previous: GatewayStatus]
  /** HELLO accepted. `resumed` tells whether the previous session (and its sn) continues. */
  ready: [info: { sessionId: string; resumed: boolean }]
  /** s=6: KOOK has replayed everything missed while disconnected. */
  resumed: [info: { sessionId: string }]
  /** The client stopped for good (refused token). Never followed by a retry. */
  fatal: [error: BridgeError]
  /** A gap in sn never filled and was skipped; `skipped` sns are lost. */
  gap: [skipped: number]
}

export interface RequiredGatewayClientOptions {
  /**
   * Returns a gateway URL from `GET gateway/index?compress=0|1`. Called again before every connection
   * (resumes included), because the URL carries a short-lived token (kook.md §8.3). Throw a BridgeError
   * with code KOOK_AUTH when the bot token is refused: the client then stops instead of looping.
   */
  fetchGateway: (compress: boolean) => Promise<string>
  /** Receives every event once, in sn order. Called synchronously; must not block. */
  sink: IngressSink
}

export interface OptionalGatewayClientOptions {
  /** Ask for zlib-compressed binary frames. @defaultValue true */
  compress: boolean
  /** Persists `{ sessionId, sn }` so a new process resumes. @defaultValue none (no persistence) */
  sessionStore: GatewaySessionStore | undefined
  logger: Logger
  metrics: Metrics
  /** Connect + HELLO must complete within this. @defaultValue 6000 */
  helloTimeoutMs: number
  /** @defaultValue 30000 */
  pingIntervalMs: number
  /** The PING interval varies by ± this much. @defaultValue 5000 */
  pingJitterMs: number
  /** @defaultValue 6000 */
  pongTimeoutMs: number
  /** After a PONG timeout, one extra PING after each of these delays before giving up. @defaultValue [2000, 4000] */
  quickPingDelaysMs: readonly number[]
  /** Resume attempts before the session is dropped for a fresh one. @defaultValue 2 */
  resumeTries: number
  /** @defaultValue 1000 */
  backoffBaseMs: number
  /** @defaultValue 60000 */
  backoffMaxMs: number
  /** Events held while an sn gap is open. @defaultValue 50 */
  reorderBuffer: number
  /** How long an sn gap may stay open without progress before it is skipped. @defaultValue 3000 */
  reorderTimeoutMs: number
  /** How many recent msg_ids are remembered to drop re-sent events. @defaultValue 1000 */
  dedupeWindow: number
  /** In [0, 1): jitter source. @defaultValue Math.random */
  random: () => number
  /**
   * Frames handled per event-loop turn; the rest wait for the next turn, in order. @defaultValue 64
   */
  framesPerTurn: number
  /** Frames waiting for a turn before the socket is paused (TCP pushes back on KOOK). @defaultValue 1024 */
  maxPendingFrames: number
}

export type GatewayClientOptions = RequiredGatewayClientOptions & Partial<OptionalGatewayClientOptions>

const DefaultGatewayClientOptions = {
  compress: true,
  sessionStore: undefined,
  helloTimeoutMs: 6_000,
  pingIntervalMs: 30_000,
  pingJitterMs: 5_000,
  pongTimeoutMs: 6_000,
  quickPingDelaysMs: [2_000, 4_000],
  resumeTries: 2,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  reorderBuffer: 50,
  reorderTimeoutMs: 3_000,
  dedupeWindow: 1_000,
  random: Math.random,
  framesPerTurn: 64,
  maxPendingFrames: 1_024,
} as const satisfies Omit<OptionalGatewayClientOptions, 'logger' | 'metrics'>

/** HELLO codes (kook.md §1). */
const HelloCode = {
  MissingParams: 40100,
  InvalidToken: 40101,
  TokenVerifyFailed: 40102,
  TokenExpired: 40103,
} as const

/** Close code for our own exits: not 1000, so KOOK has no reason to end the session we mean to resume. */
const CLOSE_RESUMABLE = 4000
/** How long `stop()` waits for KOOK to answer our close before cutting the TCP connection. */
const CLOSE_GRACE_MS = 1_000

type Options = RequiredGatewayClientOptions & OptionalGatewayClientOptions

/** A WebSocket message waiting for its turn (see `GatewayClient#receive`). */
interface PendingFrame {
  data: Buffer
  isBinary: boolean
}

/** Every counter the client keeps, with its help text: nothing is dropped or skipped without a count. */
const GatewayMetrics = {
  kook_gateway_events_total: 'events delivered downstream',
  kook_gateway_duplicates_total: 'events dropped as duplicates (by sn or msg_id)',
  kook_gateway_events_unsequenced_total: 'events without sn, delivered unordered',
  kook_gateway_events_dropped_total: 'buffered events given up when the session changed',
  kook_gateway_sn_skipped_total: 'sns given up after a gap stayed open',
  kook_gateway_frames_malformed_total: 'gateway frames that could not be used',
  kook_gateway_sink_errors_total: 'events whose sink threw',
  kook_gateway_fetch_failures_total: 'gateway/index calls (or their URLs) that failed',
  kook_gateway_pong_timeouts_total: 'PINGs left without a PONG',
  kook_gateway_disconnects_total: 'connections ended, by what came next',
  kook_gateway_session_store_errors_total: 'session store failures',
} as const
type GatewayMetric = keyof typeof GatewayMetrics

export class GatewayClient extends EventEmitter<GatewayClientEvents> {
  readonly #options: Options
  readonly #log: Logger
  readonly #metrics: Metrics
  readonly #seq: SequenceBuffer<Record<string, unknown>>
  readonly #recentIds: RecentIds
  /** The per-event counter, bound once (see Metrics.counter). */
  readonly #eventsCounter: Counter

  #status: GatewayStatus = GatewayStatus.Idle
  /** Bumped for every connection attempt and every exit; stale handlers and timers compare against it. */
  #generation = 0
  #ws: WebSocket | undefined
  #sessionId: string | undefined
  /** Whether the current connection asked to resume `#sessionId`. */
  #resumeRequested = false
  #resumeAttempts = 0
  /** Consecutive attempts without a HELLO; drives the backoff. */
  #failures = 0
  #quickPings = 0
  #connectTimer: NodeJS.Timeout | undefined
  #heartbeatTimer: NodeJS.Timeout | undefined
  #pongTimer: NodeJS.Timeout | undefined
  #backoffTimer: NodeJS.Timeout | undefined
  #persistPending: NodeJS.Immediate | undefined
  readonly #closing = new Set<Promise<void>>()
  /**
   * Frames received but not handled yet, oldest first (`#inboxHead` is the next one): the current
   * socket's only, cleared by `#destroy`. See `#receive`.
   */
  #inbox: Array<PendingFrame | undefined> = []
  #inboxHead = 0
  /** Frames handled in this event-loop turn, and the immediate that starts the next turn. */
  #turnFrames = 0
  #nextTurn: NodeJS.Immediate | undefined

  constructor(options: GatewayClientOptions) {
    super()
    this.#options = {
      ...DefaultGatewayClientOptions,
      logger: options.logger ?? silentLogger(),
      metrics: options.metrics ?? new Metrics(),
      ...stripUndefined(options),
    } as Options
    this.#log = this.#options.logger
    this.#metrics = this.#options.metrics
    this.#recentIds = new RecentIds(this.#options.dedupeWindow)
    this.#eventsCounter = this.#metrics.counter(
      'kook_gateway_events_total',
      undefined,
      GatewayMetrics.kook_gateway_events_total,
    )
    this.#seq = new SequenceBuffer({
      capacity: this.#options.reorderBuffer,
      timeoutMs: this.#options.reorderTimeoutMs,
      deliver: (data, sn) => this.#deliver(data, sn),
      onGap: (skipped) => this.#onGap(skipped),
    })
  }

  get status(): GatewayStatus {
    return this.#status
  }

  get sessionId(): string | undefined {
    return this.#sessionId
  }

  /** Frames received and waiting for their turn (see `#receive`): at most about `maxPendingFrames`. */
  get pendingFrames(): number {
    return this.#inbox.length - this.#inboxHead
  }

  /** The last processed sn: what the next PING (and the persisted session) carries. */
  get lastSn(): number {
    return this.#seq.last
  }

  /** Connects, resuming the persisted session when there is one. A no-op unless idle or stopped. */
  start(): void {
    if (this.#status !== GatewayStatus.Idle && this.#status !== GatewayStatus.Stopped) return
    const saved = this.#loadSession()
    if (saved !== undefined) {
      this.#sessionId = saved.sessionId
      this.#seq.reset(saved.sn)
      this.#log.info(
        { sessionId: saved.sessionId, sn: saved.sn },
        'kook gateway: resuming the persisted session',
      )
    }
    this.#failures = 0
    this.#resumeAttempts = 0
    this.#open()
  }

  /** Closes the socket and clears every timer; nothing fires afterwards. The session stays persisted. */
  async stop(): Promise<void> {
    // Frames already received are delivered before the socket closes, as when they were handled at once.
    this.#drainInbox(this.#generation)
    if (this.#status !== GatewayStatus.Stopped) this.#destroy({ recover: 'stop', reason: 'stopped' })
    await Promise.all(this.#closing)
  }

  // ---- connecting -------------------------------------------------------------------------------

  #open(): void {
    const generation = ++this.#generation
    this.#setStatus(GatewayStatus.FetchingGateway)
    const compress = this.#options.compress
    Promise.resolve()
      .then(() => this.#options.fetchGateway(compress))
      .then(
        (url) => {
          if (generation === this.#generation) this.#connect(generation, url)
        },
        (error: unknown) => {
          if (generation === this.#generation) this.#onFetchFailed(error)
        },
      )
  }

  #onFetchFailed(error: unknown): void {
    const err = BridgeError.from(error, ErrorCode.Gateway)
    if (err.code === ErrorCode.KookAuth) {
      this.#fatal(err)
      return
    }
    this.#count('kook_gateway_fetch_failures_total')
    this.#log.warn({ err }, 'kook gateway: gateway/index failed, retrying with backoff')
    // Not a refused resume: the session stays and no resume try is spent.
    this.#scheduleOpen()
  }

  #connect(generation: number, gatewayUrl: string): void {
    const sessionId = this.#sessionId
    this.#resumeRequested = sessionId !== undefined
    let url = gatewayUrl
    if (sessionId !== undefined) {
      // KOOK's URL already has a query (compress, a short-lived token): append with `&`. The sn is the
      // last *processed* one, so KOOK replays everything after it (kook.md §1 "Resume").
      const sep = url.includes('?') ? '&' : '?'
      url = `${url}${sep}resume=1&sn=${this.#seq.last}&session_id=${encodeURIComponent(sessionId)}`
    }
    this.#setStatus(GatewayStatus.Connecting)
    let ws: WebSocket
    try {
      ws = new WebSocket(url, { perMessageDeflate: false })
    } catch (cause) {
      this.#count('kook_gateway_fetch_failures_total')
      this.#log.warn({ err: cause }, 'kook gateway: gateway/index returned an unusable URL, retrying')
      this.#scheduleOpen()
      return
    }
    this.#ws = ws
    // One timer covers connect + HELLO: KOOK must say HELLO within 6 s of the connection (kook.md §1).
    this.#connectTimer = this.#timer(generation, this.#options.helloTimeoutMs, () => {
      this.#connectTimer = undefined
      this.#destroy({ recover: 'resume', reason: `no HELLO within ${this.#options.helloTimeoutMs} ms` })
    })
    ws.on('open', () => {
      if (generation === this.#generation) this.#setStatus(GatewayStatus.WaitingHello)
    })
    ws.on('message', (data, isBinary) => {
      if (generation === this.#generation) this.#receive(data as Buffer, isBinary)
    })
    ws.on('close', (code, reason) => {
      if (generation !== this.#generation) return
      // Frames that arrived before the close are still KOOK's to deliver: handle them first.
      this.#drainInbox(generation)
      if (generation !== this.#generation) return
      this.#destroy({
        recover: 'resume',
        reason: `socket closed by KOOK (${code} ${reason.toString()})`.trim(),
      })
    })
    ws.on('error', (error) => {
      if (generation !== this.#generation) return
      this.#drainInbox(generation)
      if (generation !== this.#generation) return
      this.#destroy({ recover: 'resume', reason: `socket error: ${error.message}` })
    })
  }

  // ---- frames -----------------------------------------------------------------------------------

  /**
   * Bounded work per event-loop turn. ws emits every frame of a socket read synchronously, and libuv
   * reads up to 32 × 64 KB per poll: in a burst that was up to ~1,700 frames (a test below counted
   * 1,670 in one turn), ~60 µs each through the mapping and the endpoints, during which no gRPC or
   * WebSocket write of the endpoints, no timer and no other socket got a turn. So at most
   * `framesPerTurn` frames (~4 ms) are handled between two check phases; later ones wait here, in
   * arrival order, for the next turn (a setImmediate, queued after the endpoints' writes), and past
   * `maxPendingFrames` the socket is paused so TCP holds back KOOK instead of this queue growing. At
   * ordinary rates a frame is handled at once, as before: nothing waits unless a turn already handled
   * `framesPerTurn` frames. In the kritor bench's 60,000-frame burst (noisy 2-core host) the bridge's
   * event-loop delay p99 went from 54–90 ms to 41–58 ms; what the streams drop there is set by the
   * bench's own client, which shares its thread with the simulator's deflating.
   */
  #receive(data: Buffer, isBinary: boolean): void {
    if (this.#inboxHead === this.#inbox.length && this.#turnFrames < this.#options.framesPerTurn) {
      this.#startTurn()
      this.#onMessage(data, isBinary)
      return
    }
    this.#inbox.push({ data, isBinary })
    if (this.#inbox.length - this.#inboxHead >= this.#options.maxPendingFrames) this.#ws?.pause()
    this.#startTurn()
  }

  /** Counts a frame against this turn's budget; the first one of a turn schedules the next turn. */
  #startTurn(): void {
    this.#turnFrames++
    this.#nextTurn ??= setImmediate(this.#turn)
  }

  readonly #turn = (): void => {
    this.#nextTurn = undefined
    this.#turnFrames = 0
    const generation = this.#generation
    const budget = this.#options.framesPerTurn
    while (this.#inboxHead < this.#inbox.length && this.#turnFrames < budget) {
      this.#handleNext()
      if (generation !== this.#generation) return
    }
    const pending = this.#inbox.length - this.#inboxHead
    if (pending > 0) this.#nextTurn = setImmediate(this.#turn)
    // Half-empty again: let TCP bring more (no pause/resume flapping around one threshold).
    if (pending <= this.#options.maxPendingFrames / 2 && this.#ws?.isPaused) this.#ws.resume()
  }

  #handleNext(): void {
    const frame = this.#inbox[this.#inboxHead] as PendingFrame
    this.#inbox[this.#inboxHead++] = undefined
    if (this.#inboxHead === this.#inbox.length) this.#clearInbox()
    this.#turnFrames++
    this.#onMessage(frame.data, frame.isBinary)
  }

  /** Handles every waiting frame now (the socket ended, or a timer needs the state they bring). */
  #drainInbox(generation: number): void {
    while (this.#inboxHead < this.#inbox.length && generation === this.#generation) this.#handleNext()
  }

  #clearInbox(): void {
    this.#inbox = []
    this.#inboxHead = 0
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    const frame = decodeFrame(data, isBinary)
    if (frame instanceof FrameError) {
      this.#malformed(frame.problem, frame)
      return
    }
    switch (frame.s) {
      case Signal.Event:
        this.#onEvent(frame)
        return
      case Signal.Hello:
        this.#onHello(frame.d)
        return
      case Signal.Pong:
        this.#onPong()
        return
      case Signal.Reconnect:
        this.#onReconnect(frame.d)
        return
      case Signal.ResumeAck:
        this.#onResumeAck()
        return
      default:
        // s=2/4/7 only travel client → server; anything else is unknown.
        this.#malformed(
          'signal',
          new BridgeError(ErrorCode.Gateway, `unexpected gateway signal s=${frame.s}`),
        )
    }
  }

  #onEvent(frame: GatewayFrame): void {
    const data = frame.d
    if (data === undefined) {
      this.#malformed('shape', new BridgeError(ErrorCode.Gateway, 'event frame (s=0) without "d"'))
      return
    }
    if (frame.sn === undefined) {
      // KOOK always numbers events; one that is not cannot be ordered, but it is still an event.
      this.#count('kook_gateway_events_unsequenced_total')
      this.#deliver(data, undefined)
      return
    }
    if (this.#seq.push(frame.sn, data) === 'duplicate') {
      this.#count('kook_gateway_duplicates_total', { by: 'sn' })
    }
  }

  #deliver(data: Record<string, unknown>, sn: number | undefined): void {
    // After a resume KOOK may resend an event under a new sn (kook.md §1): the msg_id is the identity.
    const msgId = data['msg_id']
    if (typeof msgId === 'string' && !this.#recentIds.add(msgId)) {
      this.#count('kook_gateway_duplicates_total', { by: 'msg_id' })
    } else {
      this.#eventsCounter.inc()
      try {
        this.#options.sink(sn === undefined ? { data, via: 'ws' } : { data, sn, via: 'ws' })
      } catch (err) {
        this.#count('kook_gateway_sink_errors_total')
        this.#log.error({ err, sn }, 'kook gateway: the event sink threw; event skipped')
      }
    }
    this.#schedulePersist()
  }

  #onGap(skipped: number): void {
    this.#count('kook_gateway_sn_skipped_total', undefined, skipped)
    this.#log.warn({ skipped, resumeAt: this.#seq.last + 1 }, 'kook gateway: sn gap never filled; skipped')
    this.emit('gap', skipped)
  }

  #onHello(d: Record<string, unknown> | undefined): void {
    if (this.#status !== GatewayStatus.Connecting && this.#status !== GatewayStatus.WaitingHello) {
      this.#malformed('signal', new BridgeError(ErrorCode.Gateway, 'HELLO on an established connection'))
      return
    }
    this.#clearTimer('connect')
    const code = typeof d?.['code'] === 'number' ? d['code'] : 0
    if (code !== 0) {
      this.#onHelloError(code)
      return
    }
    // The documented field is session_id; older servers and SDKs use sessionId (kook.md §8.11).
    const announced = stringField(d, 'session_id') ?? stringField(d, 'sessionId')
    const sessionId = announced ?? (this.#resumeRequested ? this.#sessionId : undefined)
    if (sessionId === undefined) {
      this.#destroy({ recover: 'reconnect', reason: 'HELLO without a session id' })
      return
    }
    const resumed = this.#resumeRequested && sessionId === this.#sessionId
    if (!resumed) {
      // A fresh session numbers its events from 1 again (kook.md §8.2); whatever waited for a gap
      // belonged to the old session and will never be completed.
      this.#countDropped(this.#seq.reset(0), 'new session')
      this.#sessionId = sessionId
    }
    this.#failures = 0
    this.#resumeAttempts = 0
    this.#setStatus(resumed ? GatewayStatus.Resuming : GatewayStatus.Connected)
    this.#scheduleHeartbeat(this.#pingDelay())
    this.#persistNow()
    this.#log.info({ sessionId, resumed, sn: this.#seq.last }, 'kook gateway: HELLO')
    this.emit('ready', { sessionId, resumed })
  }

  #onHelloError(code: number): void {
    switch (code) {
      case HelloCode.InvalidToken:
      case HelloCode.TokenVerifyFailed:
        // A refused token will be refused again: stop instead of hammering KOOK (kook.md §8.4).
        this.#fatal(
          new BridgeError(ErrorCode.KookAuth, `KOOK gateway refused the bot token (HELLO code ${code})`, {
            details: { helloCode: code },
          }),
        )
        return
      case HelloCode.TokenExpired:
        // The URL's own token expired (typically a stale URL reused): a fresh gateway/index fixes it.
        this.#destroy({ recover: 'resume', reason: `gateway URL expired (HELLO code ${code})` })
        return
      default:
        this.#destroy({ recover: 'reconnect', reason: `HELLO refused the connection (code ${code})` })
    }
  }

  #onResumeAck(): void {
    if (this.#status !== GatewayStatus.Resuming || this.#sessionId === undefined) {
      this.#malformed('signal', new BridgeError(ErrorCode.Gateway, 'RESUME ACK (s=6) without a resume'))
      return
    }
    this.#setStatus(GatewayStatus.Connected)
    this.#log.info({ sessionId: this.#sessionId, sn: this.#seq.last }, 'kook gateway: resume complete')
    this.emit('resumed', { sessionId: this.#sessionId })
  }

  #onReconnect(d: Record<string, unknown> | undefined): void {
    // s=5: the session is gone (40106 bad resume params, 40107 expired, 40108 unknown sn). KOOK wants
    // a clean slate: drop session, sn and buffers, then connect as new.
    const code = typeof d?.['code'] === 'number' ? d['code'] : undefined
    const err = stringField(d, 'err') ?? ''
    this.#destroy({
      recover: 'reconnect',
      reason: `KOOK asked for a new session (s=5 ${code ?? ''} ${err})`.trim(),
    })
  }

  // ---- heartbeat --------------------------------------------------------------------------------

  #pingDelay(): number {
    const { pingIntervalMs, pingJitterMs, random } = this.#options
    return Math.max(0, Math.round(pingIntervalMs + (random() * 2 - 1) * pingJitterMs))
  }

  #scheduleHeartbeat(delay: number): void {
    this.#clearTimer('heartbeat')
    this.#heartbeatTimer = this.#timer(this.#generation, delay, () => {
      this.#heartbeatTimer = undefined
      this.#sendPing()
    })
  }

  #sendPing(): void {
    const ws = this.#ws
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return
    // sn is top-level and is the last *processed* sn, never a buffered one (kook.md §8.5).
    ws.send(`{"s":2,"sn":${this.#seq.last}}`)
    this.#clearTimer('pong')
    this.#pongTimer = this.#timer(this.#generation, this.#options.pongTimeoutMs, () => {
      this.#pongTimer = undefined
      this.#onPongTimeout()
    })
  }

  #onPongTimeout(): void {
    this.#count('kook_gateway_pong_timeouts_total')
    const delays = this.#options.quickPingDelaysMs
    const delay = delays[this.#quickPings]
    if (delay !== undefined) {
      this.#quickPings++
      this.#log.warn({ attempt: this.#quickPings }, 'kook gateway: no PONG; pinging again')
      this.#scheduleHeartbeat(delay)
      return
    }
    this.#destroy({ recover: 'resume', reason: `no PONG after ${delays.length + 1} PINGs` })
  }

  #onPong(): void {
    this.#clearTimer('pong')
    this.#quickPings = 0
    this.#scheduleHeartbeat(this.#pingDelay())
  }

  // ---- the single exit --------------------------------------------------------------------------

  #destroy({ recover, reason }: { recover: GatewayRecovery; reason: string }): void {
    this.#generation++
    // Frames of the socket being dropped that were not handled: a resume replays them (the PING and
    // the resume carry the last *handled* sn), a new session or s=5 ends them anyway.
    if (this.#inboxHead < this.#inbox.length) {
      this.#log.debug(
        { frames: this.#inbox.length - this.#inboxHead, recover },
        'kook gateway: unhandled frames discarded',
      )
    }
    this.#clearInbox()
    this.#clearTimer('connect')
    this.#clearTimer('heartbeat')
    this.#clearTimer('pong')
    this.#clearTimer('backoff')
    this.#quickPings = 0
    this.#resumeRequested = false
    const ws = this.#ws
    this.#ws = undefined
    if (ws !== undefined) this.#discard(ws, recover === 'stop')
    this.#count('kook_gateway_disconnects_total', { recover })

    if (recover === 'stop') {
      this.#seq.close()
      if (this.#persistPending !== undefined) this.#persistNow()
      this.#log.info({ reason }, 'kook gateway: stopped')
      this.#setStatus(GatewayStatus.Stopped)
      return
    }
    if (
      recover === 'resume' &&
      this.#sessionId !== undefined &&
      this.#resumeAttempts < this.#options.resumeTries
    ) {
      this.#resumeAttempts++
      this.#log.warn(
        { reason, attempt: this.#resumeAttempts, sn: this.#seq.last },
        'kook gateway: lost; resuming',
      )
    } else {
      if (this.#sessionId !== undefined) {
        this.#log.warn({ reason, sessionId: this.#sessionId }, 'kook gateway: starting a new session')
      } else this.#log.warn({ reason }, 'kook gateway: lost; reconnecting')
      this.#dropSession()
    }
    this.#scheduleOpen()
  }

  #fatal(error: BridgeError): void {
    this.#log.error({ err: error }, 'kook gateway: fatal, not retrying')
    this.#destroy({ recover: 'stop', reason: error.message })
    this.emit('fatal', error)
  }

  #scheduleOpen(): void {
    const delay = backoffDelay(
      this.#failures++,
      this.#options.backoffBaseMs,
      this.#options.backoffMaxMs,
      this.#options.random,
    )
    this.#setStatus(GatewayStatus.Backoff)
    this.#clearTimer('backoff')
    this.#backoffTimer = this.#timer(this.#generation, delay, () => {
      this.#backoffTimer = undefined
      this.#open()
    })
  }

  /** Detaches a socket for good. Its close is awaited by `stop()`, so no socket outlives the client. */
  #discard(ws: WebSocket, graceful: boolean): void {
    ws.removeAllListeners()
    ws.on('error', () => {}) // an aborted handshake still reports an error; it is expected now
    if (ws.readyState === WebSocket.CLOSED) return
    const closed = new Promise<void>((resolve) => {
      let grace: NodeJS.Timeout | undefined
      ws.once('close', () => {
        if (grace !== undefined) clearTimeout(grace)
        this.#closing.delete(closed)
        resolve()
      })
      if (graceful && ws.readyState === WebSocket.OPEN) {
        ws.close(CLOSE_RESUMABLE, 'client stopping')
        grace = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS)
      } else {
        // Resume/reconnect: cut at once; the session lives on server-side (KOOK keeps it for the resume).
        ws.terminate()
      }
    })
    this.#closing.add(closed)
  }

  #dropSession(): void {
    this.#sessionId = undefined
    this.#resumeAttempts = 0
    this.#countDropped(this.#seq.reset(0), 'session reset')
    if (this.#persistPending !== undefined) {
      clearImmediate(this.#persistPending)
      this.#persistPending = undefined
    }
    this.#saveSession(undefined)
  }

  // ---- session persistence ----------------------------------------------------------------------

  /** Coalesces the save to once per I/O tick: a burst of frames costs one write, not one per event. */
  #schedulePersist(): void {
    if (this.#options.sessionStore === undefined || this.#persistPending !== undefined) return
    this.#persistPending = setImmediate(() => {
      this.#persistPending = undefined
      this.#persistNow()
    })
  }

  #persistNow(): void {
    if (this.#persistPending !== undefined) {
      clearImmediate(this.#persistPending)
      this.#persistPending = undefined
    }
    if (this.#sessionId !== undefined) this.#saveSession({ sessionId: this.#sessionId, sn: this.#seq.last })
  }

  #saveSession(session: GatewaySession | undefined): void {
    const store = this.#options.sessionStore
    if (store === undefined) return
    try {
      store.save(session)
    } catch (err) {
      this.#count('kook_gateway_session_store_errors_total')
      this.#log.error({ err }, 'kook gateway: could not persist the session')
    }
  }

  #loadSession(): GatewaySession | undefined {
    try {
      const saved = this.#options.sessionStore?.load()
      if (saved !== undefined && typeof saved.sessionId === 'string' && Number.isSafeInteger(saved.sn))
        return saved
    } catch (err) {
      this.#count('kook_gateway_session_store_errors_total')
      this.#log.error({ err }, 'kook gateway: could not load the persisted session; starting a new one')
    }
    return undefined
  }

  // ---- small helpers ----------------------------------------------------------------------------

  #setStatus(status: GatewayStatus): void {
    const previous = this.#status
    if (previous === status) return
    this.#status = status
    this.emit('state', status, previous)
  }

  /**
   * A timer bound to a connection generation: it does nothing once that generation is over. Frames
   * already received are handled first (they may be the HELLO or PONG the timer waits for): a timer
   * that is no longer armed afterwards does nothing either.
   */
  #timer(generation: number, ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (generation !== this.#generation) return
      if (this.#inboxHead < this.#inbox.length) {
        this.#drainInbox(generation)
        if (generation !== this.#generation || !this.#armed(timer)) return
      }
      fn()
    }, ms)
    return timer
  }

  #armed(timer: NodeJS.Timeout): boolean {
    return (
      timer === this.#connectTimer ||
      timer === this.#heartbeatTimer ||
      timer === this.#pongTimer ||
      timer === this.#backoffTimer
    )
  }

  #clearTimer(which: 'connect' | 'heartbeat' | 'pong' | 'backoff'): void {
    let timer: NodeJS.Timeout | undefined
    switch (which) {
      case 'connect':
        timer = this.#connectTimer
        this.#connectTimer = undefined
        break
      case 'heartbeat':
        timer = this.#heartbeatTimer
        this.#heartbeatTimer = undefined
        break
      case 'pong':
        timer = this.#pongTimer
        this.#pongTimer = undefined
        break
      case 'backoff':
        timer = this.#backoffTimer
        this.#backoffTimer = undefined
        break
    }
    if (timer !== undefined) clearTimeout(timer)
  }

  #count(name: GatewayMetric, labels?: Record<string, string>, by = 1): void {
    this.#metrics.inc(name, labels, by, GatewayMetrics[name])
  }

  #malformed(reason: string, err: BridgeError): void {
    this.#count('kook_gateway_frames_malformed_total', { reason })
    this.#log.warn({ err, reason }, 'kook gateway: unusable frame skipped')
  }

  #countDropped(count: number, reason: string): void {
    if (count === 0) return
    this.#count('kook_gateway_events_dropped_total', { reason }, count)
    this.#log.warn({ count, reason }, 'kook gateway: buffered events dropped')
  }
}

function stringField(d: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = d?.[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** `{ a: undefined }` must not override a default (exactOptionalPropertyTypes callers may still pass it). */
function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {}
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] !== undefined) out[key] = value[key]
  return out
}
