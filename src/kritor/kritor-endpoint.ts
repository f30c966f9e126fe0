/**
 * The kritor gRPC endpoint of one bot, active mode, schema 1.0.3 (kritor.md §1, checklist 1–6): a
 * grpc-js server the framework dials. It subscribes to the hub, encodes each event once (one buffer,
 * written as-is to every stream of its kind: performance.md §2), and serves the kritor services
 * (services/*.ts) plus kookbridge's ExtensionService on the same listener.
 *
 * Server settings: plaintext h2c like every kritor implementation; loopback unless tickets are
 * configured; HTTP/2 keepalive pings on (grpc-js servers send none by default, kritor.md §7); receive
 * limit raised to `maxReceiveMessageBytes` (clients inline media bytes).
 *
 * Order is kept per stream. Guild-wide notices in `group` scene mode need the guild's default channel;
 * while it is being looked up, that event and every later one wait, so nothing overtakes.
 */
import { Metadata, Server, ServerCredentials } from '@grpc/grpc-js'
import { services as extensionServices } from '../../gen/kookbridge/v1/services.js'
import { services } from '../../gen/kritor/1.0.3/services.js'
import type { KritorConfig } from '../config/kritor-schema.js'
import { formatAddress, isLoopback, type ListenAddress } from '../config/listen-address.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Hub } from '../hub/hub.js'
import type { BridgeEvent } from '../model/bridge-event.js'
import type { OperationRunner } from '../model/operation.js'
import type { BridgeStore } from '../store/bridge-store.js'
import type { Logger } from '../util/logger.js'
import type { Counter, Metrics } from '../util/metrics.js'
import { VERSION } from '../version.js'
import { EmojiFaceIds } from './emoji-face-ids.js'
import {
  type EncodeEventContext,
  encodeEvent,
  guildOfGuildWideNotice,
  type StreamKind,
  streamOf,
} from './encode-event.js'
import { type EventStreamStats, EventStreams } from './event-streams.js'
import { GroupResolver } from './group-resolver.js'
import { u64Of } from './kritor-ids.js'
import { type BuiltService, buildService, type ServeEnv } from './service-definition.js'
import { authenticationService } from './services/authentication-service.js'
import { coreService } from './services/core-service.js'
import { eventService } from './services/event-service.js'
import { extensionService } from './services/extension-service.js'
import { friendService } from './services/friend-service.js'
import { groupService } from './services/group-service.js'
import { guildService } from './services/guild-service.js'
import { messageService } from './services/message-service.js'
import type { BotIdentity, CallKookApi, ServiceDeps } from './services/service-deps.js'
import { unsupportedServices } from './services/unsupported-services.js'
import { TicketAuth } from './ticket-auth.js'

export type { BotIdentity, CallKookApi } from './services/service-deps.js'

export interface KritorEndpointOptions {
  bot: BotIdentity
  config: KritorConfig
  hub: Hub
  store: BridgeStore
  ops: OperationRunner
  logger?: Logger | undefined
  /** A per-bot view (`Metrics.child({ bot })`): the endpoint adds no bot label of its own. */
  metrics?: Metrics | undefined
  /**
   * Raw KOOK API access for `ExtensionService.CallKookApi` (e.g. `(e, p) => api.call(e, p)`); without
   * it that method answers UNIMPLEMENTED.
   */
  callKookApi?: CallKookApi | undefined
}

/** How long `stop()` lets in-flight unary calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 2_000

export class KritorEndpoint {
  readonly #options: KritorEndpointOptions
  readonly #config: KritorConfig
  readonly #streams: EventStreams
  readonly #groups: GroupResolver
  readonly #faceIds = new EmojiFaceIds()
  readonly #auth: TicketAuth
  readonly #onInvalidId: (id: string) => void
  /**
   * What `encodeEvent` needs, built once: a fresh object and closure per event were measurable garbage
   * on a path that runs ~20,000 times a second.
   */
  readonly #encodeContext: EncodeEventContext
  /**
   * `kookbridge_kritor_events_total` per stream kind, its label text built once instead of per event
   * (kritor pipeline bench, --cpu-prof: that `inc` was 164 ms of 60,000 events, ~2.7 µs/event).
   */
  readonly #sent: Partial<Record<StreamKind, Counter>> = {}
  #server: Server | undefined
  #address: ListenAddress | undefined
  #unsubscribe: (() => void) | undefined
  #tail: Promise<void> | undefined
  #backlog = 0

  constructor(options: KritorEndpointOptions) {
    this.#options = options
    this.#config = options.config
    this.#streams = new EventStreams({ queueSize: options.config.queueSize, metrics: options.metrics })
    this.#groups = new GroupResolver(options.ops, options.config.sceneMode, { logger: options.logger })
    this.#auth = new TicketAuth({ tickets: options.config.tickets, account: options.bot.id })
    this.#onInvalidId = () => options.metrics?.inc('kookbridge_kritor_invalid_ids_total')
    this.#encodeContext = {
      store: options.store,
      sceneMode: options.config.sceneMode,
      faceIds: this.#faceIds,
      defaultChannelOf: (guildId) => this.#groups.defaultChannels.get(guildId),
      onInvalidId: this.#onInvalidId,
    }
  }

  /** Where the server listens (after `start`); port 0 in the config becomes the real port. */
  get address(): ListenAddress | undefined {
    return this.#address
  }

  /** Live event streams with their queue depth and drop count (for diagnostics and tests). */
  streamStats(): EventStreamStats[] {
    return this.#streams.stats()
  }

  async start(): Promise<ListenAddress> {
    if (this.#server) throw new BridgeError(ErrorCode.Internal, 'the kritor endpoint is already started')
    const { config, logger } = this.#options
    this.#refuseUnsafeBind()
    const server = new Server({
      'grpc.keepalive_time_ms': config.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
      'grpc.max_receive_message_length': config.maxReceiveMessageBytes,
    })
    for (const { definition, implementation } of this.#services())
      server.addService(definition, implementation)
    let port: number
    try {
      port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(formatAddress(config.listen), ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      )
    } catch (error) {
      server.forceShutdown()
      throw new BridgeError(
        ErrorCode.ConfigInvalid,
        `kritor.listen: cannot listen on ${formatAddress(config.listen)}: ${(error as Error).message}`,
        { cause: error },
      )
    }
    this.#server = server
    this.#address = { host: config.listen.host, port }
    this.#unsubscribe = this.#options.hub.subscribe(this.#onEvent)
    logger?.info(
      {
        listen: formatAddress(this.#address),
        schema: config.schema,
        sceneMode: config.sceneMode,
        auth: this.#auth.enabled ? 'tickets' : 'off',
        extensionService: config.extensionService,
      },
      'kritor endpoint listening',
    )
    return this.#address
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    const server = this.#server
    this.#server = undefined
    this.#streams.closeAll()
    if (!server) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown()
        resolve()
      }, SHUTDOWN_GRACE_MS)
      timer.unref()
      server.tryShutdown(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Defence in depth: the schema refuses this too, but an endpoint may be built from a hand-made config. */
  #refuseUnsafeBind(): void {
    const { listen, tickets } = this.#config
    if (!isLoopback(listen.host) && tickets.length === 0) {
      throw new BridgeError(
        ErrorCode.ConfigInvalid,
        `kritor.listen: refusing a non-loopback bind (${listen.host}) without kritor.tickets`,
      )
    }
  }

  #services(): BuiltService[] {
    const { bot, metrics, logger } = this.#options
    const deps: ServiceDeps = {
      bot,
      version: VERSION,
      ops: this.#options.ops,
      store: this.#options.store,
      sceneMode: this.#config.sceneMode,
      auth: this.#auth,
      streams: this.#streams,
      faceIds: this.#faceIds,
      groups: this.#groups,
      callKookApi: this.#options.callKookApi,
      onInvalidId: this.#onInvalidId,
    }
    const initialMetadata = new Metadata()
    initialMetadata.set('kritor-self-uid', bot.id)
    initialMetadata.set('kritor-self-uin', String(u64Of(bot.id)))
    initialMetadata.set('kritor-self-version', `kookbridge/${VERSION}`)
    const auth = services['kritor.authentication.AuthenticationService']
    const env: ServeEnv = {
      auth: this.#auth,
      // What a client calls to get a ticket accepted cannot itself need one (nonebot sends none there).
      open: new Set([auth.Authenticate.path, auth.GetAuthenticationState.path]),
      initialMetadata,
      logger,
      metrics,
    }
    const unsupported = unsupportedServices()
    const built = [
      buildService(auth, authenticationService(deps), env),
      buildService(services['kritor.core.CoreService'], coreService(deps), env),
      buildService(services['kritor.event.EventService'], eventService(deps), env),
      buildService(services['kritor.message.MessageService'], messageService(deps), env),
      buildService(services['kritor.friend.FriendService'], friendService(deps), env),
      buildService(services['kritor.group.GroupService'], groupService(deps), env),
      buildService(services['kritor.guild.GuildService'], guildService(deps), env),
      ...Object.entries(unsupported).map(([name, impl]) =>
        buildService(services[name as keyof typeof unsupported], impl, env),
      ),
    ]
    if (this.#config.extensionService) {
      built.push(
        buildService(extensionServices['kookbridge.v1.ExtensionService'], extensionService(deps), env),
      )
    }
    return built
  }

  readonly #onEvent = (event: BridgeEvent): void => {
    // Nobody reads this kind: skip the encoding (the bot runtime has indexed messages already).
    if (!this.#streams.has(streamOf(event))) return
    if (this.#backlog === 0) {
      const guildId = guildOfGuildWideNotice(event)
      if (
        guildId === undefined ||
        this.#config.sceneMode === 'guild' ||
        this.#groups.defaultChannels.has(guildId)
      ) {
        this.#emit(event)
        return
      }
    }
    this.#backlog++
    this.#tail = (this.#tail ?? Promise.resolve())
      .then(async () => {
        const guildId = guildOfGuildWideNotice(event)
        const channels = this.#groups.defaultChannels
        if (guildId !== undefined && this.#config.sceneMode === 'group' && !channels.has(guildId)) {
          await channels.load(guildId)
        }
        this.#emit(event)
      })
      .finally(() => {
        if (--this.#backlog === 0) this.#tail = undefined
      })
  }

  #emit(event: BridgeEvent): void {
    const { metrics, logger } = this.#options
    let encoded: ReturnType<typeof encodeEvent>
    try {
      encoded = encodeEvent(event, this.#encodeContext)
    } catch (error) {
      metrics?.inc('kookbridge_kritor_encode_errors_total', { type: event.type })
      logger?.error(
        { err: error, eventId: event.eventId, row: event.rowId },
        'cannot encode event for kritor',
      )
      return
    }
    if (encoded === undefined) {
      metrics?.inc('kookbridge_kritor_events_unplaced_total', { type: event.type })
      return
    }
    if (metrics !== undefined) {
      const kind = encoded.stream
      this.#sent[kind] ??= metrics.counter('kookbridge_kritor_events_total', { kind })
      this.#sent[kind].inc()
    }
    if (encoded.stream === 'extension') this.#streams.broadcast('extension', encoded.bytes, encoded.name)
    else this.#streams.broadcast(encoded.stream, encoded.bytes)
  }
}
