/**
 * The OneBot v11 endpoint of one bot: subscribes to the hub, encodes each event once (one JSON string,
 * sent as-is to every connection and POST target: performance.md §2), serves action calls on every
 * transport through one dispatcher, and runs the transports the config turns on.
 *
 * Order is preserved per consumer. Guild-wide notices need the guild's default channel (group form);
 * when it is not cached yet, that event and every later one wait for the lookup, so nothing overtakes.
 */
import { isLoopback, type ListenAddress } from '../config/listen-address.js'
import type { OneBotConfig } from '../config/onebot-schema.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Hub } from '../hub/hub.js'
import type { BridgeEvent } from '../model/bridge-event.js'
import type { OperationRunner } from '../model/operation.js'
import { DefaultChannelCache } from '../ops/default-channel-cache.js'
import type { BridgeStore } from '../store/bridge-store.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { VERSION } from '../version.js'
import type { ActionContext, BotIdentity } from './actions.js'
import { decodeMessage } from './decode-message.js'
import { type EncodeEventContext, encodeEvent, guildOfGuildWideNotice } from './encode-event.js'
import { ForwardWsServer } from './forward-ws-server.js'
import { type ActionCall, type ActionEnv, handleAction } from './handle-action.js'
import { HttpApiServer } from './http-api-server.js'
import { HttpPostClient } from './http-post-client.js'
import type { HandshakeOptions } from './onebot-socket.js'
import { type OneBotProfile, profileFor } from './profiles.js'
import { ReverseWsClient } from './reverse-ws-client.js'
import type { ActionResponse, HeartbeatEvent, LifecycleEvent } from './types.js'

export interface OneBotEndpointOptions {
  bot: BotIdentity
  config: OneBotConfig
  hub: Hub
  store: BridgeStore
  ops: OperationRunner
  logger?: Logger | undefined
  metrics?: Metrics | undefined
  /** Whether the KOOK connection is up: `get_status` and heartbeats report it. @defaultValue () => true */
  isOnline?: (() => boolean) | undefined
}

export interface OneBotAddresses {
  forwardWs?: ListenAddress
  httpApi?: ListenAddress
}

export class OneBotEndpoint {
  readonly #options: OneBotEndpointOptions
  readonly #config: OneBotConfig
  readonly #profile: OneBotProfile
  readonly #selfId: number
  readonly #env: ActionEnv
  readonly #handshake: HandshakeOptions
  readonly #channels: DefaultChannelCache
  /** What every event is encoded with: built once, not per event (the config does not change). */
  readonly #encodeContext: EncodeEventContext
  readonly #userAgent = `kookbridge/${VERSION} OneBot/11`
  #reverse: ReverseWsClient[] = []
  #posts: HttpPostClient[] = []
  #forward: ForwardWsServer | undefined
  #httpApi: HttpApiServer | undefined
  #unsubscribe: (() => void) | undefined
  #heartbeat: NodeJS.Timeout | undefined
  #tail: Promise<void> | undefined
  #backlog = 0

  constructor(options: OneBotEndpointOptions) {
    this.#options = options
    this.#config = options.config
    this.#profile = profileFor(options.config.profile)
    this.#selfId = options.store.numberFor('user', options.bot.id)
    this.#channels = new DefaultChannelCache(options.ops, { logger: options.logger })
    this.#handshake = {
      actions: this.#profile.handshakeActions,
      timeoutMs: options.config.handshakeTimeoutMs ?? this.#profile.handshakeTimeoutMs,
      settleMs: options.config.handshakeSettleMs,
    }
    const isOnline = options.isOnline ?? (() => true)
    const ctx: ActionContext = {
      bot: options.bot,
      selfId: this.#selfId,
      store: options.store,
      ops: options.ops,
      channelAs: options.config.channelAs,
      extensionSegments: this.#profile.extensionSegments,
      format: options.config.messageFormat,
      appVersion: VERSION,
      isOnline,
      decodeMessage: (message, autoEscape) =>
        decodeMessage(message, autoEscape, {
          store: options.store,
          fileRoots: options.config.fileRoots,
          maxMediaBytes: options.config.maxMediaBytes,
        }),
    }
    this.#env = { ctx, bot: options.bot.name, logger: options.logger, metrics: options.metrics }
    this.#encodeContext = {
      store: options.store,
      selfId: this.#selfId,
      format: options.config.messageFormat,
      channelAs: options.config.channelAs,
      extensionSegments: this.#profile.extensionSegments,
      defaultChannelOf: (guildId) => this.#channels.get(guildId),
    }
  }

  /** The bot's OneBot number (`self_id`, `get_login_info.user_id`). */
  get selfId(): number {
    return this.#selfId
  }

  addresses(): OneBotAddresses {
    const out: OneBotAddresses = {}
    const forward = this.#forward?.address
    const httpApi = this.#httpApi?.address
    if (forward) out.forwardWs = forward
    if (httpApi) out.httpApi = httpApi
    return out
  }

  async start(): Promise<void> {
    this.#refuseUnsafeBinds()
    const { config, logger, metrics } = this.#options
    const bot = this.#options.bot.name
    const dispatch = this.#dispatch
    const lifecycleFrame = () => this.#lifecycle('connect')
    try {
      if (config.forwardWs.listen) {
        this.#forward = new ForwardWsServer({
          listen: config.forwardWs.listen,
          accessToken: config.accessToken,
          bufferSize: config.bufferSize,
          handshake: this.#handshake,
          dispatch,
          lifecycleFrame,
          bot,
          logger,
          metrics,
        })
        await this.#forward.start()
      }
      if (config.httpApi.listen) {
        this.#httpApi = new HttpApiServer({
          listen: config.httpApi.listen,
          accessToken: config.accessToken,
          maxBodyBytes: config.httpApi.maxBodyBytes,
          dispatch,
          bot,
          logger,
          metrics,
        })
        await this.#httpApi.start()
      }
    } catch (error) {
      await this.stop()
      throw new BridgeError(
        ErrorCode.ConfigInvalid,
        `OneBot endpoint cannot listen: ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
    this.#posts = config.httpPost.map(
      (target) =>
        new HttpPostClient({
          url: target.url,
          secret: target.secret,
          timeoutMs: target.timeoutMs,
          selfId: this.#selfId,
          bufferSize: config.bufferSize,
          userAgent: this.#userAgent,
          dispatch,
          bot,
          logger,
          metrics,
        }),
    )
    for (const post of this.#posts) post.push(this.#lifecycle('enable'))
    this.#reverse = config.reverseWs.map(
      (upstream) =>
        new ReverseWsClient({
          url: upstream.url,
          accessToken: upstream.accessToken ?? config.accessToken,
          selfId: this.#selfId,
          userAgent: this.#userAgent,
          reconnectIntervalMs: upstream.reconnectIntervalMs,
          maxReconnectIntervalMs: upstream.maxReconnectIntervalMs,
          bufferSize: config.bufferSize,
          handshake: this.#handshake,
          dispatch,
          lifecycleFrame,
          bot,
          logger,
          metrics,
        }),
    )
    for (const client of this.#reverse) client.start()
    this.#unsubscribe = this.#options.hub.subscribe(this.#onEvent)
    if (config.heartbeatIntervalMs > 0) {
      this.#heartbeat = setInterval(
        () => this.#broadcast(this.#heartbeatFrame(), true),
        config.heartbeatIntervalMs,
      )
      this.#heartbeat.unref()
    }
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
    const reverse = this.#reverse
    const posts = this.#posts
    const forward = this.#forward
    const httpApi = this.#httpApi
    this.#reverse = []
    this.#posts = []
    this.#forward = undefined
    this.#httpApi = undefined
    await Promise.all([
      ...reverse.map((c) => c.stop()),
      ...posts.map((p) => p.stop()),
      forward?.stop(),
      httpApi?.stop(),
    ])
  }

  /** Defence in depth: the schema refuses this too, but an endpoint may be built from a hand-made config. */
  #refuseUnsafeBinds(): void {
    const { config } = this.#options
    for (const [name, listen] of [
      ['forwardWs', config.forwardWs.listen],
      ['httpApi', config.httpApi.listen],
    ] as const) {
      if (listen && !isLoopback(listen.host) && config.accessToken === undefined) {
        throw new BridgeError(
          ErrorCode.ConfigInvalid,
          `onebot.${name}.listen: refusing a non-loopback bind (${listen.host}) without onebot.accessToken`,
        )
      }
    }
  }

  readonly #dispatch = (call: ActionCall): Promise<ActionResponse> => handleAction(call, this.#env)

  readonly #onEvent = (event: BridgeEvent): void => {
    if (this.#backlog === 0) {
      const guildId = guildOfGuildWideNotice(event)
      if (guildId === undefined || this.#channels.has(guildId) || this.#config.channelAs === 'guild') {
        this.#emit(event)
        return
      }
    }
    this.#backlog++
    this.#tail = (this.#tail ?? Promise.resolve())
      .then(async () => {
        const guildId = guildOfGuildWideNotice(event)
        if (guildId !== undefined && !this.#channels.has(guildId)) await this.#channels.load(guildId)
        this.#emit(event)
      })
      .finally(() => {
        if (--this.#backlog === 0) this.#tail = undefined
      })
  }

  #emit(event: BridgeEvent): void {
    const { metrics, logger } = this.#options
    let frame: string
    try {
      const wire = encodeEvent(event, this.#encodeContext)
      if (wire === undefined) return
      frame = JSON.stringify(wire)
    } catch (error) {
      metrics?.inc('kookbridge_onebot_encode_errors_total', { bot: this.#options.bot.name, type: event.type })
      logger?.error(
        { err: error, eventId: event.eventId, row: event.rowId },
        'cannot encode event for OneBot',
      )
      return
    }
    // Counted once the frame is handed to the sockets (the same count, in the same pass): building the
    // label text is not worth making the frame wait for.
    try {
      this.#broadcast(frame, false)
    } finally {
      metrics?.inc('kookbridge_onebot_events_total', { bot: this.#options.bot.name })
    }
  }

  #broadcast(frame: string, volatile: boolean): void {
    for (const client of this.#reverse) client.push(frame, volatile)
    this.#forward?.broadcast(frame, volatile)
    for (const post of this.#posts) post.push(frame, volatile)
  }

  #lifecycle(subType: LifecycleEvent['sub_type']): string {
    const event: LifecycleEvent = {
      time: Math.floor(Date.now() / 1000),
      self_id: this.#selfId,
      post_type: 'meta_event',
      meta_event_type: 'lifecycle',
      sub_type: subType,
    }
    return JSON.stringify(event)
  }

  #heartbeatFrame(): string {
    const online = this.#env.ctx.isOnline()
    const event: HeartbeatEvent = {
      time: Math.floor(Date.now() / 1000),
      self_id: this.#selfId,
      post_type: 'meta_event',
      meta_event_type: 'heartbeat',
      status: { online, good: online, app_initialized: true, app_enabled: true, app_good: true },
      interval: this.#config.heartbeatIntervalMs,
    }
    return JSON.stringify(event)
  }
}
