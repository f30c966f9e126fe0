import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { deflateSync, inflateSync } from 'node:zlib'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import type { Logger } from '../../util/logger.js'
import { simIds } from './sim-ids.js'
import type { SimTimers } from './sim-timers.js'

/** A gateway session as tests see it (`KookSimulator.sessions`). */
export interface SimSessionInfo {
  id: string
  /** Whether the session's current (or last) socket asked for compressed frames. */
  compress: boolean
  connected: boolean
  /** How many times a client resumed this session. */
  resumes: number
  /** The sn of the last PING, null before the first. */
  lastPingSn: number | null
  /** The sn of every PING received, in order. */
  pings: number[]
  /** The highest sn written to a socket. */
  sentSn: number
  /** The highest sn assigned (some may wait in history for a resume). */
  lastSn: number
  expired: boolean
}

/** One WebSocket upgrade on /gateway (`KookSimulator.gatewayConnections`). */
export interface SimGatewayConnection {
  /** The full request URL, query included (resume parameters show here). */
  url: string
  time: number
}

export interface SimGatewayOptions {
  clock(): number
  timers: SimTimers
  logger: Logger
  /** Events kept per session for resume. */
  historyLimit: number
  /** Sessions kept in total; the oldest detached ones are forgotten first. */
  maxSessions: number
  /** How long a gateway URL token stays valid. */
  tokenTtlMs: number
  tokenRefused(): boolean
  onConnection(connection: SimGatewayConnection): void
  onPing(ping: { sessionId: string | undefined; sn: number }): void
}

/** Signalling codes (kook.md §1). */
const S = { Event: 0, Hello: 1, Ping: 2, Pong: 3, Resume: 4, Reconnect: 5, ResumeAck: 6, Nack: 7 } as const

/** HELLO and RECONNECT codes (kook.md §1). */
const RECONNECT_REASONS: Readonly<Record<number, string>> = {
  40106: 'resume failed: missing params',
  40107: 'session expired',
  40108: 'invalid sn, or sn no longer exists',
}

/**
 * Events encoded ahead of time for one session (`SimGateway.prepare`): frames with their sns, as
 * written to the socket (deflated when the session is compressed).
 */
export interface PreparedFrames {
  readonly sessionId: string
  readonly firstSn: number
  readonly frames: readonly string[]
  readonly wire: ReadonlyArray<Buffer | string>
  /** How many have been injected so far. */
  sent: number
}

interface Entry {
  sn: number
  /** The frame, serialized once: `{"s":0,"d":…,"sn":N}`. */
  frame: string
}

interface Session {
  id: string
  compress: boolean
  connection: Connection | undefined
  history: Entry[]
  lastSn: number
  sentSn: number
  resumes: number
  pings: number[]
  lastPingSn: number | null
  expired: boolean
  /** Events held back by `reorderNext`, with whether each goes out twice. */
  held: Array<{ entry: Entry; twice: boolean }>
}

interface Connection {
  ws: WebSocket
  compress: boolean
  session: Session | undefined
}

/**
 * The simulated KOOK gateway (kook.md §1): short-lived URL tokens, HELLO, per-session sn from 1, PING/PONG,
 * resume with replay and RESUME ACK, RECONNECT codes, and zlib-per-frame compression. Fault controls
 * (drops, reordering, duplicates, slow or missing pongs) exist to exercise a client's recovery paths.
 */
export class SimGateway {
  readonly #o: SimGatewayOptions
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  readonly #tokens = new Map<string, number>()
  readonly #connections = new Set<Connection>()
  #sessions: Session[] = []
  readonly connections: SimGatewayConnection[] = []
  /** Client frames that were not a JSON object with an integer `s` (ignored, like KOOK). */
  malformedFrames = 0
  #pongDelayMs: number | null = null
  #dropPongs = false
  #helloDelayMs: number | null = null
  #reorderRemaining = 0
  #duplicateRemaining = 0
  #retransmitOnPing = true

  constructor(options: SimGatewayOptions) {
    this.#o = options
  }

  /** A new short-lived token for a gateway URL. */
  issueToken(): string {
    const token = simIds.gatewayToken()
    this.#tokens.set(token, this.#o.clock() + this.#o.tokenTtlMs)
    return token
  }

  /** Every issued URL token stops working: connecting with one gets HELLO 40103. */
  expireTokens(): void {
    this.#tokens.clear()
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, wsOrigin: string): void {
    const url = new URL(req.url ?? '/', wsOrigin)
    if (url.pathname !== '/gateway') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const record = { url: url.href, time: this.#o.clock() }
    this.connections.push(record)
    this.#o.onConnection(record)
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onOpen(ws, url))
  }

  get sessions(): SimSessionInfo[] {
    return this.#sessions.map((s) => ({
      id: s.id,
      compress: s.compress,
      connected: s.connection !== undefined,
      resumes: s.resumes,
      lastPingSn: s.lastPingSn,
      pings: [...s.pings],
      sentSn: s.sentSn,
      lastSn: s.lastSn,
      expired: s.expired,
    }))
  }

  /** Number of sockets currently open (HELLO sent or not). */
  get openSockets(): number {
    return this.#connections.size
  }

  /**
   * Queues an event (its `d` already serialized) for every live session: each assigns its next sn and
   * keeps the frame in its history; attached sockets get it now. Returns the newest session's sn, or 0.
   */
  inject(dJson: string): number {
    const reorder = this.#reorderRemaining > 0
    const twice = this.#duplicateRemaining > 0
    let newest = 0
    for (const session of this.#sessions) {
      if (session.expired) continue
      const sn = ++session.lastSn
      const entry: Entry = { sn, frame: `{"s":0,"d":${dJson},"sn":${sn}}` }
      session.history.push(entry)
      if (session.history.length > this.#o.historyLimit) session.history.shift()
      newest = sn
      if (!session.connection) continue
      if (reorder) session.held.push({ entry, twice })
      else this.#deliver(session, entry, twice)
    }
    if (twice) this.#duplicateRemaining--
    if (reorder && --this.#reorderRemaining === 0) {
      for (const session of this.#sessions) {
        const held = session.held.splice(0).reverse()
        for (const { entry, twice: again } of held) this.#deliver(session, entry, again)
      }
    }
    return newest
  }

  /**
   * Encodes a run of events (each `d` already serialized) for the one live session, with the sns they
   * will get, so `injectPrepared` only writes. For load generators: KOOK serializes and deflates on its
   * own servers, so a benchmark on the bridge's machine should not pay that (~30 µs per frame) while
   * the bridge is timed. Throws unless exactly one session is attached.
   */
  prepare(dJsons: readonly string[]): PreparedFrames {
    const live = [...this.#sessions].filter((s) => !s.expired && s.connection !== undefined)
    const session = live[0]
    if (live.length !== 1 || session === undefined) {
      throw new Error(`prepare needs exactly one attached session, there are ${live.length}`)
    }
    const frames = dJsons.map((d, i) => `{"s":0,"d":${d},"sn":${session.lastSn + 1 + i}}`)
    const wire = frames.map((f) => (session.compress ? deflateSync(f) : f))
    return { sessionId: session.id, firstSn: session.lastSn + 1, frames, wire, sent: 0 }
  }

  /**
   * Injects the next `count` prepared events, in order, as `inject` would (sn, history, delivery) but
   * in one socket write: a busy KOOK server packs many frames into each TCP segment as well. Throws if
   * the session changed or another event took one of the reserved sns meanwhile.
   */
  injectPrepared(prepared: PreparedFrames, count: number): void {
    const session = [...this.#sessions].find((s) => s.id === prepared.sessionId)
    const end = Math.min(prepared.frames.length, prepared.sent + count)
    if (!session || session.expired || session.lastSn !== prepared.firstSn + prepared.sent - 1) {
      throw new Error('injectPrepared: the session changed or other events took the prepared sns')
    }
    const c = session.connection
    // ws writes every frame with its own cork/uncork: an outer cork on its socket (ws keeps it in
    // `_socket`, there is no public accessor) turns the run into one writev.
    const socket = (c?.ws as unknown as { _socket?: Duplex } | undefined)?._socket
    socket?.cork()
    try {
      for (; prepared.sent < end; prepared.sent++) {
        const entry: Entry = { sn: ++session.lastSn, frame: prepared.frames[prepared.sent] as string }
        session.history.push(entry)
        if (session.history.length > this.#o.historyLimit) session.history.shift()
        if (!c || c.ws.readyState !== WebSocket.OPEN) continue
        const bytes = prepared.wire[prepared.sent] as Buffer | string
        // The frame was encoded for this session's compression; a resume on another socket may
        // differ, and then it is encoded again.
        if (c.compress === session.compress) c.ws.send(bytes, { binary: typeof bytes !== 'string' })
        else this.#send(c, entry.frame)
        if (entry.sn > session.sentSn) session.sentSn = entry.sn
      }
    } finally {
      socket?.uncork()
    }
  }

  /** Sends a raw frame to every open socket: objects are encoded per socket, strings/Buffers go as-is. */
  injectFrame(frame: object | string | Buffer): void {
    for (const c of this.#connections) {
      if (c.ws.readyState !== WebSocket.OPEN) continue
      if (Buffer.isBuffer(frame)) c.ws.send(frame, { binary: true })
      else if (typeof frame === 'string') c.ws.send(frame, { binary: false })
      else this.#send(c, JSON.stringify(frame))
    }
  }

  /** Kills every socket without a close frame; sessions stay resumable. */
  dropConnections(): void {
    for (const c of [...this.#connections]) {
      this.#detach(c)
      c.ws.terminate()
    }
  }

  /** RECONNECT (s=5) on every socket, then close; their sessions are discarded as KOOK would. */
  sendReconnect(code: number): void {
    for (const c of [...this.#connections]) this.#reconnect(c, code)
  }

  /** Every session expires: later resumes get 40107, attached sockets get s=5 40107 now. */
  expireSessions(): void {
    for (const session of this.#sessions) {
      session.expired = true
      if (session.connection) this.#reconnect(session.connection, 40107)
    }
  }

  reorderNext(n: number): void {
    this.#reorderRemaining = Math.max(0, Math.floor(n))
  }

  duplicateNext(n: number): void {
    this.#duplicateRemaining = Math.max(0, Math.floor(n))
  }

  delayPongs(ms: number | null): void {
    this.#pongDelayMs = ms
  }

  dropPongs(drop: boolean): void {
    this.#dropPongs = drop
  }

  /** Delays HELLO (and everything after it) on new sockets; null = immediately. */
  delayHello(ms: number | null): void {
    this.#helloDelayMs = ms
  }

  /** Whether a PING with an sn behind the last sent one makes the server resend the gap (default on). */
  retransmitOnPing(on: boolean): void {
    this.#retransmitOnPing = on
  }

  close(): void {
    for (const c of [...this.#connections]) c.ws.terminate()
    this.#connections.clear()
    this.#wss.close()
  }

  #onOpen(ws: WebSocket, url: URL): void {
    const connection: Connection = {
      ws,
      compress: url.searchParams.get('compress') !== '0',
      session: undefined,
    }
    this.#connections.add(connection)
    ws.on('message', (data, isBinary) => this.#onClientFrame(connection, data, isBinary))
    ws.on('close', () => {
      this.#connections.delete(connection)
      this.#detach(connection)
    })
    ws.on('error', (err) => this.#o.logger.debug({ err }, 'simulated gateway socket error'))
    if (this.#helloDelayMs === null) this.#greet(connection, url)
    else this.#o.timers.after(this.#helloDelayMs, () => this.#greet(connection, url))
  }

  #greet(c: Connection, url: URL): void {
    if (c.ws.readyState !== WebSocket.OPEN) return
    const token = url.searchParams.get('token')
    const expiresAt = token === null ? undefined : this.#tokens.get(token)
    const refusal = this.#o.tokenRefused()
      ? 40101
      : token === null
        ? 40100
        : expiresAt === undefined || expiresAt < this.#o.clock()
          ? 40103
          : 0
    if (refusal !== 0) {
      this.#send(c, JSON.stringify({ s: S.Hello, d: { code: refusal } }))
      c.ws.close(1000)
      return
    }
    if (url.searchParams.get('resume') === '1') {
      this.#resume(c, url.searchParams)
      return
    }
    // A fresh connection is a fresh session whose sn restarts at 1 (kook.md §1, §8.2).
    const session: Session = {
      id: simIds.session(),
      compress: c.compress,
      connection: undefined,
      history: [],
      lastSn: 0,
      sentSn: 0,
      resumes: 0,
      pings: [],
      lastPingSn: null,
      expired: false,
      held: [],
    }
    this.#sessions.push(session)
    this.#prune()
    this.#attach(c, session)
    this.#send(c, JSON.stringify({ s: S.Hello, d: { code: 0, session_id: session.id } }))
  }

  #resume(c: Connection, query: URLSearchParams): void {
    // The docs spell it `sessionId`, most SDKs `session_id`: accept both.
    const id = query.get('session_id') ?? query.get('sessionId')
    const snText = query.get('sn')
    if (!id || snText === null || !/^\d+$/.test(snText)) {
      this.#reconnect(c, 40106)
      return
    }
    const session = this.#sessions.find((s) => s.id === id)
    if (!session || session.expired) {
      this.#reconnect(c, 40107)
      return
    }
    const sn = Number(snText)
    const oldest = session.history[0]?.sn ?? session.lastSn + 1
    if (sn > session.lastSn || sn < oldest - 1) {
      session.expired = true
      this.#reconnect(c, 40108)
      return
    }
    if (session.connection && session.connection !== c) {
      const old = session.connection
      this.#detach(old)
      old.ws.close(1000)
    }
    session.resumes++
    this.#attach(c, session)
    this.#send(c, JSON.stringify({ s: S.Hello, d: { code: 0, session_id: session.id } }))
    this.#replayAfter(session, sn)
    this.#send(c, JSON.stringify({ s: S.ResumeAck, d: { session_id: session.id } }))
  }

  #replayAfter(session: Session, sn: number): void {
    for (const entry of session.history) if (entry.sn > sn) this.#deliver(session, entry, false)
  }

  #attach(c: Connection, session: Session): void {
    c.session = session
    session.connection = c
    session.compress = c.compress
  }

  #detach(c: Connection): void {
    const session = c.session
    if (session?.connection === c) {
      session.connection = undefined
      // Held frames are in the history: a resume replays them in order.
      session.held = []
    }
  }

  #reconnect(c: Connection, code: number): void {
    if (c.session) c.session.expired = true
    this.#detach(c)
    this.#send(
      c,
      JSON.stringify({ s: S.Reconnect, d: { code, err: RECONNECT_REASONS[code] ?? 'reconnect' } }),
    )
    c.ws.close(1000)
  }

  #deliver(session: Session, entry: Entry, twice: boolean): void {
    const c = session.connection
    if (!c) return
    this.#send(c, entry.frame)
    if (twice) this.#send(c, entry.frame)
    if (entry.sn > session.sentSn) session.sentSn = entry.sn
  }

  /** Writes one server frame: binary and independently zlib-deflated when compressed, else text. */
  #send(c: Connection, json: string): void {
    if (c.ws.readyState !== WebSocket.OPEN) return
    if (c.compress) c.ws.send(deflateSync(json), { binary: true })
    else c.ws.send(json, { binary: false })
  }

  #onClientFrame(c: Connection, data: RawData, isBinary: boolean): void {
    const frame = parseClientFrame(data, isBinary)
    if (!frame) {
      this.malformedFrames++
      return
    }
    const session = c.session
    switch (frame.s) {
      case S.Ping: {
        const sn = frame.sn
        if (typeof sn !== 'number' || !Number.isSafeInteger(sn) || sn < 0) {
          this.malformedFrames++
          this.#pong(c)
          return
        }
        this.#o.onPing({ sessionId: session?.id, sn })
        if (!session) {
          this.#pong(c)
          return
        }
        session.pings.push(sn)
        session.lastPingSn = sn
        // A PING claiming events this session never sent is an invalid sn (kook.md §1 code 40108): this
        // is what a client that kept its sn across a fresh session runs into.
        if (sn > session.lastSn) {
          this.#reconnect(c, 40108)
          return
        }
        this.#pong(c)
        // The server resends everything after the client's last processed sn (KOOK websocket docs).
        if (this.#retransmitOnPing && sn < session.sentSn) {
          for (const entry of session.history)
            if (entry.sn > sn && entry.sn <= session.sentSn) this.#send(c, entry.frame)
        }
        return
      }
      case S.Resume: {
        const sn = frame.sn
        if (!session || typeof sn !== 'number' || !Number.isSafeInteger(sn) || sn < 0) {
          this.#reconnect(c, 40106)
          return
        }
        if (sn > session.lastSn) {
          this.#reconnect(c, 40108)
          return
        }
        this.#replayAfter(session, sn)
        this.#send(c, JSON.stringify({ s: S.ResumeAck, d: { session_id: session.id } }))
        return
      }
      case S.Nack: {
        const list = (frame.d as { sn_list?: unknown } | undefined)?.sn_list
        if (!session || !Array.isArray(list)) return
        for (const entry of session.history) if (list.includes(entry.sn)) this.#send(c, entry.frame)
        return
      }
      default:
        return
    }
  }

  #pong(c: Connection): void {
    if (this.#dropPongs) return
    const pong = JSON.stringify({ s: S.Pong })
    if (this.#pongDelayMs === null) this.#send(c, pong)
    else this.#o.timers.after(this.#pongDelayMs, () => this.#send(c, pong))
  }

  #prune(): void {
    while (this.#sessions.length > this.#o.maxSessions) {
      const at = this.#sessions.findIndex((s) => s.connection === undefined)
      if (at < 0) return
      this.#sessions.splice(at, 1)
    }
  }
}

interface ClientFrame {
  s: number
  sn?: unknown
  d?: unknown
}

function parseClientFrame(data: RawData, isBinary: boolean): ClientFrame | undefined {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  let text: string
  try {
    // Clients must not compress (kook.md §1), but a zlib frame is read rather than refused.
    text = (isBinary && buffer[0] === 0x78 ? inflateSync(buffer) : buffer).toString('utf8')
  } catch {
    return undefined
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const s = (parsed as { s?: unknown }).s
  return typeof s === 'number' && Number.isInteger(s) ? (parsed as ClientFrame) : undefined
}
