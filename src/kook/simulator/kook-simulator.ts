import { EventEmitter } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import { type Logger, silentLogger } from '../../util/logger.js'
import { addReaction } from './routes/message-actions.js'
import { type RunSimScriptOptions, runSimScript, type SimScript } from './run-sim-script.js'
import { SimApiServer, type SimRequestRecord } from './sim-api-server.js'
import { type SimAsset, SimAssetStore } from './sim-asset-store.js'
import { messageEvent, systemEvent } from './sim-event-factory.js'
import {
  type PreparedFrames,
  SimGateway,
  type SimGatewayConnection,
  type SimSessionInfo,
} from './sim-gateway.js'
import { simIds } from './sim-ids.js'
import { type SimMessage, SimMessageStore } from './sim-message-store.js'
import { type SimFailure, type SimRateLimitScript, SimRateLimits } from './sim-rate-limits.js'
import type { SimApiContext } from './sim-route.js'
import { SimTimers } from './sim-timers.js'
import type { Json } from './sim-views.js'
import { SimWebhookPusher, type SimWebhookTargetOptions } from './sim-webhook-pusher.js'
import { type SimUser, SimWorld, type SimWorldInit } from './sim-world.js'

export interface KookSimulatorOptions {
  /** The bot token the API accepts (`Authorization: Bot <token>`). @defaultValue 'sim-token' */
  token: string
  /** @defaultValue '127.0.0.1' */
  host: string
  /** 0 picks a free port. @defaultValue 0 */
  port: number
  logger: Logger
  /** Replaces parts of the default world (see `defaultWorldInit`). */
  world: Partial<SimWorldInit>
  /** Milliseconds since the epoch for timestamps, rate-limit windows and token expiry. @defaultValue Date.now */
  clock: () => number
  /** Delays between webhook retries. @defaultValue [2000, 4000, 8000, 16000, 32000] (KOOK's) */
  webhookRetryDelaysMs: number[]
  /** How long a webhook receiver may take to answer. @defaultValue 1000 (KOOK's) */
  webhookTimeoutMs: number
  /** Events each gateway session keeps for resume. @defaultValue 1000 */
  historyLimit: number
  /** Gateway sessions kept at most (oldest detached ones are forgotten). @defaultValue 64 */
  maxSessions: number
  /** Lifetime of the token inside a gateway URL. @defaultValue 600000 */
  gatewayTokenTtlMs: number
  /** Default bucket for every route. @defaultValue { limit: 1000, resetSeconds: 1 } */
  rateLimit: { limit: number; resetSeconds: number }
  /** Largest accepted request body. @defaultValue 32 MiB */
  maxBodyBytes: number
}

const DEFAULT_OPTIONS = {
  token: 'sim-token',
  host: '127.0.0.1',
  port: 0,
  clock: Date.now,
  webhookRetryDelaysMs: [2000, 4000, 8000, 16000, 32000],
  webhookTimeoutMs: 1000,
  historyLimit: 1000,
  maxSessions: 64,
  gatewayTokenTtlMs: 600_000,
  rateLimit: { limit: 1000, resetSeconds: 1 },
  maxBodyBytes: 32 * 1024 * 1024,
} satisfies Omit<KookSimulatorOptions, 'logger' | 'world'>

/** A user message to simulate (see `KookSimulator.postMessage`). */
export interface SimPostMessageOptions {
  /** Channel to post in; default the first text channel of the bot's first guild. */
  channelId?: string
  /** Makes it a DM from this user to the bot (PERSON event with the chat code). */
  userId?: string
  /** Channel messages: the author; default the first human member of the guild. */
  authorId?: string
  content: string
  /** @defaultValue 9 — the KOOK client sends KMarkdown. */
  type?: number
  /** The quoted message id. */
  quote?: string
  /** Users mentioned; `(met)id(met)` is put in front of the content for any not already in it. */
  mentions?: string[]
}

export interface SimMemberJoinOptions {
  /** An existing or new user id; a new user is created when unknown. */
  userId?: string
  username?: string
  nickname?: string
  /** @defaultValue the bot's first guild */
  guildId?: string
}

export interface SimReactOptions {
  msgId: string
  /** A unicode emoji or a guild emoji id. */
  emoji: string
  userId: string
}

export interface KookSimulatorEvents {
  /** An HTTP API call was answered (or deliberately dropped). */
  request: [record: SimRequestRecord]
  /** A WebSocket upgrade on /gateway. */
  connection: [connection: SimGatewayConnection]
  /** A PING from a client. */
  ping: [ping: { sessionId: string | undefined; sn: number }]
  /** An event was queued for clients (injected, posted, or caused by an API call). */
  event: [d: Json]
}

const WAIT_POLL_MS = 10

/**
 * A fake KOOK on loopback: the HTTP API (`/api/v3`), the WebSocket gateway, the webhook pusher and a
 * mutable world, close enough to KOOK that a client working here works there (shared/reference/kook.md).
 * Tests, the demo and `kookbridge simulate` all use it. Every socket, server and timer it opens is closed
 * by `close()`.
 *
 * @example
 * const sim = await KookSimulator.start()
 * sim.postMessage({ content: '#ping' })
 * await sim.close()
 */
export class KookSimulator extends EventEmitter<KookSimulatorEvents> {
  readonly token: string
  readonly world: SimWorld
  readonly webhook: SimWebhookPusher
  /** Every HTTP API call, oldest first. */
  readonly requests: SimRequestRecord[] = []
  readonly #options: KookSimulatorOptions
  readonly #timers = new SimTimers()
  readonly #store = new SimMessageStore()
  readonly #assets: SimAssetStore
  readonly #rateLimits: SimRateLimits
  readonly #gateway: SimGateway
  readonly #api: SimApiServer
  readonly #context: SimApiContext
  readonly #server: Server
  #port = 0
  #tokenRefused = false
  #closing: Promise<void> | undefined

  /** Starts the simulator and resolves once it listens. */
  static async start(options: Partial<KookSimulatorOptions> = {}): Promise<KookSimulator> {
    const sim = new KookSimulator(options)
    await sim.#listen()
    return sim
  }

  private constructor(options: Partial<KookSimulatorOptions>) {
    super()
    this.#options = { ...DEFAULT_OPTIONS, logger: silentLogger(), world: {}, ...options }
    const o = this.#options
    this.token = o.token
    this.world = new SimWorld(o.world)
    this.#assets = new SimAssetStore(() => this.origin)
    this.#rateLimits = new SimRateLimits(o.clock, o.rateLimit)
    this.webhook = new SimWebhookPusher({
      timers: this.#timers,
      logger: o.logger,
      clock: o.clock,
      retryDelaysMs: o.webhookRetryDelaysMs,
      timeoutMs: o.webhookTimeoutMs,
    })
    this.#gateway = new SimGateway({
      clock: o.clock,
      timers: this.#timers,
      logger: o.logger,
      historyLimit: o.historyLimit,
      maxSessions: o.maxSessions,
      tokenTtlMs: o.gatewayTokenTtlMs,
      tokenRefused: () => this.#tokenRefused,
      onConnection: (c) => this.emit('connection', c),
      onPing: (p) => this.emit('ping', p),
    })
    const sim = this
    this.#context = {
      world: this.world,
      store: this.#store,
      assets: this.#assets,
      clock: o.clock,
      get origin() {
        return sim.origin
      },
      emit: (d) => {
        this.inject(typeof d === 'function' ? d() : d)
      },
      gatewayUrl: (compress) => this.gatewayUrl(compress),
    }
    this.#api = new SimApiServer({
      token: o.token,
      context: this.#context,
      assets: this.#assets,
      rateLimits: this.#rateLimits,
      tokenRefused: () => this.#tokenRefused,
      onRequest: (record) => {
        this.requests.push(record)
        this.emit('request', record)
      },
      logger: o.logger,
      maxBodyBytes: o.maxBodyBytes,
    })
    this.#server = createServer((req, res) => this.#api.handle(req, res))
    this.#server.on('upgrade', (req, socket, head: Buffer) =>
      this.#gateway.handleUpgrade(req, socket, head, this.origin.replace(/^http/, 'ws')),
    )
    this.#server.on('clientError', (_err, socket) => socket.destroy())
  }

  async #listen(): Promise<void> {
    const { host, port } = this.#options
    try {
      await new Promise<void>((resolve, reject) => {
        this.#server.once('error', reject)
        this.#server.listen(port, host, () => {
          this.#server.off('error', reject)
          resolve()
        })
      })
    } catch (cause) {
      throw new BridgeError(ErrorCode.Network, `the KOOK simulator cannot listen on ${host}:${port}`, {
        cause,
      })
    }
    this.#port = (this.#server.address() as AddressInfo).port
    this.#options.logger.info({ apiBase: this.apiBase }, 'KOOK simulator listening')
  }

  get port(): number {
    return this.#port
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    const host = this.#options.host
    // A wildcard bind is reachable on loopback; IPv6 literals need brackets in URLs.
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
    return `http://${shown}:${this.#port}`
  }

  /** `http://127.0.0.1:<port>/api/v3` — what a client uses instead of `https://www.kookapp.cn/api/v3`. */
  get apiBase(): string {
    return `${this.origin}/api/v3`
  }

  /** The bot user (`user/me`). */
  get bot(): SimUser {
    return this.world.bot
  }

  /** Gateway sessions, oldest first. */
  get sessions(): SimSessionInfo[] {
    return this.#gateway.sessions
  }

  /** Every WebSocket upgrade on /gateway, oldest first. */
  get gatewayConnections(): SimGatewayConnection[] {
    return this.#gateway.connections
  }

  /** Client frames that were not JSON objects with an integer `s` (ignored). */
  get malformedFrames(): number {
    return this.#gateway.malformedFrames
  }

  /** Messages the bot sent through message/create and direct-message/create, oldest first. */
  get messages(): SimMessage[] {
    return this.#store.all().filter((m) => m.via === 'api')
  }

  /** Every stored message: the bot's and those posted or injected for users. */
  get allMessages(): SimMessage[] {
    return this.#store.all()
  }

  /** A gateway URL as gateway/index would return it (with a fresh short-lived token). */
  gatewayUrl(compress = true): string {
    const ws = this.origin.replace(/^http/, 'ws')
    return `${ws}/gateway?compress=${compress ? 1 : 0}&token=${this.#gateway.issueToken()}`
  }

  /**
   * Queues a KOOK event (`d`) for every live gateway session and webhook target. Each session assigns its
   * own next sn. Message events are also stored, so they can be quoted, viewed and reacted to.
   * @returns the sn in the newest session, or 0 when there is none.
   */
  inject(d: object): number {
    let json: string
    try {
      json = JSON.stringify(d)
    } catch (cause) {
      throw new BridgeError(ErrorCode.BadParams, 'inject: the event is not JSON-serializable', { cause })
    }
    this.#storeInbound(d as Json)
    this.emit('event', d as Json)
    const sn = this.#gateway.inject(json)
    if (this.webhook.targets.length > 0) this.webhook.deliver(d as Json)
    return sn
  }

  /**
   * Serializes and (for a compressed session) deflates a run of events ahead of time, and files them in
   * the message store, for load generators (see `SimGateway.prepare`); `injectPrepared` then sends the
   * next ones. Needs exactly one attached gateway session; webhook targets are not served by it.
   */
  prepareEvents(ds: readonly object[]): PreparedFrames {
    const jsons = ds.map((d) => JSON.stringify(d))
    for (const d of ds) this.#storeInbound(d as Json)
    return this.#gateway.prepare(jsons)
  }

  /** Sends the next `count` prepared events, in order, in one socket write; emits 'event' for each. */
  injectPrepared(prepared: PreparedFrames, count: number): void {
    const from = prepared.sent
    this.#gateway.injectPrepared(prepared, count)
    if (this.listenerCount('event') === 0) return
    for (let i = from; i < prepared.sent; i++) {
      this.emit('event', JSON.parse(prepared.frames[i] as string).d as Json)
    }
  }

  /** Sends a raw frame to every open socket (objects are encoded per the socket's compression). */
  injectFrame(frame: object | string | Buffer): void {
    this.#gateway.injectFrame(frame)
  }

  /** Simulates a user writing in a channel, or to the bot in a DM. Returns the injected `d`. */
  postMessage(options: SimPostMessageOptions): Json {
    const d = this.#newUserMessage(options)
    this.inject(d)
    return d
  }

  /**
   * `postMessage`, with its frame serialized and deflated now and sent by `injectPrepared` later: a
   * round-trip benchmark starts its clock at the write, as KOOK's compression runs on its servers.
   */
  preparePostMessage(options: SimPostMessageOptions): { d: Json; prepared: PreparedFrames } {
    const d = this.#newUserMessage(options)
    return { d, prepared: this.#gateway.prepare([JSON.stringify(d)]) }
  }

  /** Stores a message written by a user and returns its event `d`. */
  #newUserMessage(options: SimPostMessageOptions): Json {
    const type = options.type ?? 9
    let content = options.content
    const missing = (options.mentions ?? []).filter((id) => !content.includes(`(met)${id}(met)`))
    if (type === 9 && missing.length > 0)
      content = `${missing.map((id) => `(met)${id}(met)`).join(' ')} ${content}`
    const now = this.#options.clock()
    const base = {
      msgId: simIds.message(),
      type,
      content,
      deleted: false,
      createdAt: now,
      via: 'event' as const,
      reactions: [],
      ...(options.quote ? { quote: options.quote } : {}),
    }
    let message: SimMessage
    if (options.userId !== undefined) {
      const user = this.world.user(options.userId)
      if (!user) throw new BridgeError(ErrorCode.NotFound, `postMessage: unknown user ${options.userId}`)
      const chat = this.world.chatWith(user.id, now)
      message = { ...base, chatCode: chat.code, targetUserId: this.bot.id, authorId: user.id }
    } else {
      const channel = options.channelId ? this.world.channel(options.channelId) : this.world.defaultChannel()
      if (!channel)
        throw new BridgeError(ErrorCode.NotFound, `postMessage: unknown channel ${options.channelId}`)
      const authorId =
        options.authorId ??
        this.world.guildMembers(channel.guild_id).find((m) => m.user_id !== this.bot.id)?.user_id ??
        this.bot.id
      message = { ...base, channelId: channel.id, guildId: channel.guild_id, authorId }
    }
    this.#store.add(message)
    return messageEvent(this.#context, message)
  }

  /** A user joins a guild (created if unknown): the member is added and `joined_guild` emitted. */
  memberJoin(options: SimMemberJoinOptions = {}): Json {
    const guild = options.guildId ? this.world.guild(options.guildId) : this.world.botGuilds()[0]
    if (!guild) throw new BridgeError(ErrorCode.NotFound, `memberJoin: unknown guild ${options.guildId}`)
    const existing = options.userId ? this.world.user(options.userId) : undefined
    const user =
      existing ??
      this.world.addUser({
        ...(options.userId ? { id: options.userId } : {}),
        username: options.username ?? `newcomer${this.world.users.length}`,
      })
    const now = this.#options.clock()
    if (!this.world.member(guild.id, user.id)) {
      this.world.members.push({
        guild_id: guild.id,
        user_id: user.id,
        nickname: options.nickname ?? '',
        roles: [],
        joined_at: now,
        active_time: now,
      })
    }
    const d = systemEvent('GROUP', guild.id, 'joined_guild', { user_id: user.id, joined_at: now }, now)
    this.inject(d)
    return d
  }

  /** A user adds a reaction to a stored message (channel or DM). Returns the event, if one was sent. */
  react(options: SimReactOptions): Json | undefined {
    const message = this.#store.get(options.msgId)
    if (!message) throw new BridgeError(ErrorCode.NotFound, `react: unknown message ${options.msgId}`)
    return addReaction(this.#context, message, options.emoji, options.userId)
  }

  /** Stores a file as if uploaded through asset/create; its URL is accepted in media messages. */
  storeAsset(name: string, bytes: Buffer, contentType?: string): SimAsset {
    return this.#assets.add(name, bytes, contentType)
  }

  /** Abruptly kills every gateway socket (no close frame); sessions stay resumable. */
  dropConnections(): void {
    this.#gateway.dropConnections()
  }

  /** Sends RECONNECT (s=5) with `code` to every socket and closes them; their sessions are discarded. */
  sendReconnect(code = 40108): void {
    this.#gateway.sendReconnect(code)
  }

  /** The next `n` injected events are sent in reverse sn order (as one burst after the n-th). */
  reorderNext(n: number): void {
    this.#gateway.reorderNext(n)
  }

  /** The next `n` injected events are sent twice. */
  duplicateNext(n: number): void {
    this.#gateway.duplicateNext(n)
  }

  /** Answers PINGs after `ms` (null = at once). */
  delayPongs(ms: number | null): void {
    this.#gateway.delayPongs(ms)
  }

  /** Stops answering PINGs while true. */
  dropPongs(drop: boolean): void {
    this.#gateway.dropPongs(drop)
  }

  /** Sends HELLO `ms` after a socket opens (null = at once); a long delay simulates a silent server. */
  delayHello(ms: number | null): void {
    this.#gateway.delayHello(ms)
  }

  /** Whether a PING behind the last sent sn makes the server resend the gap (KOOK does; default on). */
  retransmitOnPing(on: boolean): void {
    this.#gateway.retransmitOnPing(on)
  }

  /** While true the token is refused: every API call gets HTTP 401 and HELLO carries 40101. */
  refuseToken(refuse: boolean): void {
    this.#tokenRefused = refuse
  }

  /** Every session expires: resumes get s=5 40107; sockets still attached get it now and are closed. */
  expireSessions(): void {
    this.#gateway.expireSessions()
  }

  /** Every issued gateway URL token expires: connecting with an old URL gets HELLO 40103. */
  expireGatewayTokens(): void {
    this.#gateway.expireTokens()
  }

  /** Scripts the `X-Rate-Limit-*` state of a route's bucket; it then counts down for real. */
  rateLimit(route: string, script: SimRateLimitScript): void {
    this.#rateLimits.script(route, script)
  }

  /** The next `times` calls of `route` fail as described instead of running. */
  failNext(route: string, failure: SimFailure, times = 1): void {
    this.#rateLimits.failNext(route, failure, times)
  }

  /** From now on `inject` also POSTs every event to `url`, retrying non-200 answers like KOOK. */
  addWebhookTarget(url: string, options: SimWebhookTargetOptions): void {
    this.webhook.addTarget(url, options)
  }

  removeWebhookTarget(url: string): void {
    this.webhook.removeTarget(url)
  }

  /** Resolves once a gateway session has a socket attached; rejects with `TIMEOUT` after `timeoutMs`. */
  async waitForConnection(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!this.sessions.some((s) => s.connected)) {
      if (performance.now() >= deadline) {
        throw new BridgeError(ErrorCode.Timeout, `no gateway client connected within ${timeoutMs} ms`)
      }
      await this.#timers.sleep(WAIT_POLL_MS)
    }
  }

  /** Waits `ms` on the simulator's clock-independent timers (cancelled by `close`). */
  sleep(ms: number): Promise<void> {
    return this.#timers.sleep(ms)
  }

  /** Plays a script (object, or a YAML/JSON file path). */
  runScript(script: SimScript | string, options: RunSimScriptOptions = {}): Promise<void> {
    return runSimScript(this, script, options)
  }

  /** Closes every socket, the server and every timer. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#timers.close()
      this.webhook.close()
      this.#gateway.close()
      this.#server.closeAllConnections()
      await new Promise<void>((resolve) => this.#server.close(() => resolve()))
    })()
    return this.#closing
  }

  /** Message events that arrive through `inject` become stored messages (quotable, viewable). */
  #storeInbound(d: Json): void {
    const msgId = d['msg_id']
    if (d['type'] === 255 || typeof msgId !== 'string' || this.#store.has(msgId)) return
    const extra = (typeof d['extra'] === 'object' && d['extra'] !== null ? d['extra'] : {}) as Json
    const type = typeof d['type'] === 'number' ? d['type'] : 1
    const content = typeof d['content'] === 'string' ? d['content'] : JSON.stringify(d['content'] ?? '')
    const base = {
      msgId,
      type,
      content,
      authorId: String(d['author_id'] ?? ''),
      deleted: false,
      createdAt: typeof d['msg_timestamp'] === 'number' ? d['msg_timestamp'] : this.#options.clock(),
      via: 'event' as const,
      reactions: [],
    }
    if (d['channel_type'] === 'GROUP') {
      this.#store.add({
        ...base,
        channelId: String(d['target_id'] ?? ''),
        guildId: String(extra['guild_id'] ?? ''),
      })
    } else if (d['channel_type'] === 'PERSON' && typeof extra['code'] === 'string') {
      this.#store.add({ ...base, chatCode: extra['code'], targetUserId: String(d['target_id'] ?? '') })
    }
  }
}
