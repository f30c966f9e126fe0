/**
 * One KOOK bot, wired end to end: KOOK API client, store, ingress (gateway or webhook), self-message
 * filter, wire validation, the compiled mapping table, the hub, the operation executor and the
 * protocol endpoints the configuration turns on.
 *
 * Event path (synchronous, one pass per event): ingress (ordered, de-duplicated) → SelfFilter →
 * parseKookEvent (a malformed event is counted and logged, then still mapped: it surfaces as a
 * `kook.unmatched` extension, never lost) → MappingTable.map → Hub.publish → message index.
 */
import { EventEmitter } from 'node:events'
import { resolve } from 'node:path'
import type { ListenAddress } from '../config/listen-address.js'
import type { BotConfig } from '../config/schema.js'
import { isKookAssetUrl } from '../content/render-kook-messages.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { Hub } from '../hub/hub.js'
import { isKookRoute } from '../kook/api/endpoints.js'
import { KookApi } from '../kook/api/kook-api.js'
import type { GatewayClient } from '../kook/ingress/gateway-client.js'
import type { IngressEvent } from '../kook/ingress/ingress-event.js'
import { SelfFilter } from '../kook/ingress/self-filter.js'
import type { WebhookReceiver } from '../kook/ingress/webhook-receiver.js'
import { parseKookEvent } from '../kook/wire/parse-kook-event.js'
import type { KritorEndpoint } from '../kritor/kritor-endpoint.js'
import { loadMappingTable } from '../mapping/load-mapping-table.js'
import type { MappingContext } from '../mapping/mapping-context.js'
import type { MappingTable } from '../mapping/mapping-table.js'
import type { BridgeEvent, MessageEvent } from '../model/bridge-event.js'
import type { UserInfo } from '../model/operation.js'
import type { OneBotEndpoint } from '../onebot/onebot-endpoint.js'
import { GuildDirectory } from '../ops/guild-directory.js'
import { createMediaLoader } from '../ops/media-loader.js'
import { OperationExecutor } from '../ops/operation-executor.js'
import { type BridgeStore, messageRecordOf } from '../store/bridge-store.js'
import { openStore } from '../store/open-store.js'
import { type Logger, silentLogger } from '../util/logger.js'
import { Metrics } from '../util/metrics.js'

export interface BotRuntimeOptions {
  config: BotConfig
  /** `memory`, or the data directory where `<bot>.sqlite` lives. */
  store: 'memory' | { dataDir: string }
  /** Relative override file paths resolve against this. @defaultValue process.cwd() */
  baseDir?: string
  logger?: Logger
  metrics?: Metrics
  /** Pass a prebuilt table (tests, several bots sharing one). */
  table?: MappingTable
}

export interface BotRuntimeEvents {
  /** The bot stopped for good (refused token). */
  fatal: [error: BridgeError]
  /** Every BridgeEvent, after the hub published it (the demo prints these). */
  event: [event: BridgeEvent]
}

export interface BotEndpoints {
  onebot?: OneBotEndpoint
  kritor?: KritorEndpoint
  /** Where the kritor gRPC server listens (port 0 in the config resolves here). */
  kritorAddress?: ListenAddress
}

export class BotRuntime extends EventEmitter<BotRuntimeEvents> {
  readonly name: string
  readonly config: BotConfig
  readonly api: KookApi
  readonly store: BridgeStore
  readonly hub: Hub
  readonly table: MappingTable
  readonly ops: OperationExecutor
  readonly guilds: GuildDirectory
  readonly self: UserInfo
  readonly selfFilter: SelfFilter
  readonly endpoints: BotEndpoints = {}
  readonly metrics: Metrics
  #gateway: GatewayClient | undefined
  #webhook: WebhookReceiver | undefined
  #webhookAddress: { host: string; port: number } | undefined
  readonly #logger: Logger
  readonly #context: MappingContext
  #online = false
  #stopped = false

  private constructor(init: {
    options: BotRuntimeOptions
    api: KookApi
    store: BridgeStore
    table: MappingTable
    self: UserInfo
    logger: Logger
    metrics: Metrics
  }) {
    super()
    const { options, api, store, table, self, logger, metrics } = init
    this.config = options.config
    this.name = options.config.name
    this.api = api
    this.store = store
    this.table = table
    this.self = self
    this.#logger = logger
    this.metrics = metrics
    this.hub = new Hub({ bot: this.name, logger, metrics })
    this.guilds = new GuildDirectory({ api, logger })
    this.#context = {
      selfId: self.id,
      roleOf: (guildId, userId, roles) => this.guilds.roleOf(guildId, userId, roles),
    }
    const apiOrigin = new URL(options.config.apiBase).origin
    this.ops = new OperationExecutor({
      api,
      store,
      guilds: this.guilds,
      self,
      logger,
      metrics,
      loadMedia: createMediaLoader({
        fileRoots: options.config.onebot.fileRoots,
        maxBytes: options.config.onebot.maxMediaBytes,
      }),
      // KOOK's asset hosts, and the API's own origin: the simulator serves uploads there.
      isHosted: (url) => isKookAssetUrl(url) || url.startsWith(`${apiOrigin}/assets/`),
      messageFromKook: (d) =>
        this.table.map(d, this.#context).find((e): e is MessageEvent => e.type === 'message'),
    })
    this.selfFilter = new SelfFilter({
      selfId: self.id,
      mode: options.config.selfMessages,
      otherBots: options.config.otherBots,
      metrics,
    })
  }

  /** Connects to KOOK (user/me first: a bad token fails here, clearly) and starts the endpoints. */
  static async start(options: BotRuntimeOptions): Promise<BotRuntime> {
    const { config } = options
    const logger = (options.logger ?? silentLogger()).child({ bot: config.name })
    const metrics = (options.metrics ?? new Metrics()).child({ bot: config.name })
    if (!config.token) {
      throw new BridgeError(ErrorCode.ConfigInvalid, `bot "${config.name}" has no token (set KOOK_TOKEN)`)
    }
    const baseDir = options.baseDir ?? process.cwd()
    const table =
      options.table ??
      loadMappingTable({ overrides: config.mappings.map((file) => resolve(baseDir, file)), metrics })
    const api = new KookApi({ baseUrl: config.apiBase, token: config.token, logger, metrics })
    const me = await api.call('user/me')
    const self: UserInfo = { id: me.id, name: me.username, bot: true }
    if (me.identify_num) self.identifyNum = me.identify_num
    if (me.avatar) self.avatar = me.avatar
    const store = openStore(
      options.store === 'memory'
        ? { location: 'memory', bot: config.name }
        : {
            location: { file: resolve(baseDir, options.store.dataDir, `${config.name}.sqlite`) },
            bot: config.name,
          },
    )
    const runtime = new BotRuntime({ options, api, store, table, self, logger, metrics })
    try {
      await runtime.#startEndpoints()
      await runtime.#startIngress()
    } catch (error) {
      await runtime.stop()
      throw error
    }
    logger.info({ selfId: self.id, username: self.name, mode: config.mode }, 'bot started')
    return runtime
  }

  /** Whether KOOK events are flowing (gateway connected, or the webhook listening). */
  get online(): boolean {
    return this.#online
  }

  get webhookAddress(): { host: string; port: number } | undefined {
    return this.#webhookAddress
  }

  /** Feeds one KOOK event (`d`) through the pipeline, as ingress does. Public for replay and tests. */
  ingest(d: Record<string, unknown>): BridgeEvent[] {
    if (this.selfFilter.observe(d) === 'drop') return []
    const parsed = parseKookEvent(d)
    if (!parsed.ok) {
      this.metrics.inc('kookbridge_events_malformed_total', { bot: this.name })
      this.#logger.warn({ reason: parsed.reason, msgId: d['msg_id'] }, 'malformed KOOK event kept raw')
    } else if (parsed.kind === 'challenge') {
      return []
    }
    const events = this.table.map(d, this.#context)
    for (const event of events) {
      this.hub.publish(event)
      // Indexed after the endpoints had the event, still in this same synchronous pass (so before any
      // action can ask for it): the encoders put the record themselves first thing, so the number in
      // the frame is the same either way, and the frame goes out without waiting for the index work.
      // Measured (Karin bench instrumented, medians of 230 rounds): mapping → publish went from 28–38 µs
      // to 2–3 µs, the encoder's own put grew by 5–15 µs (it now creates the record), net 15–25 µs less
      // between the gateway frame and the frame written to Karin.
      if (event.type === 'message') this.#index(event)
      this.emit('event', event)
    }
    return events
  }

  #index(event: MessageEvent): void {
    if (event.chatCode !== undefined && !event.self)
      this.store.rememberChatCode(event.sender.id, event.chatCode)
    this.store.putMessage(messageRecordOf(event))
  }

  #sink = (event: IngressEvent): void => {
    try {
      this.ingest(event.data)
    } catch (error) {
      // A bug in a mapping function or an endpoint must not take the connection down.
      this.metrics.inc('kookbridge_pipeline_errors_total', { bot: this.name })
      this.#logger.error({ err: error, msgId: event.data['msg_id'] }, 'event pipeline failed')
    }
  }

  /**
   * The endpoints and the ingress are imported when the configuration turns them on, not with this
   * module: a process pays only for what it serves. Heap each one keeps for the process' life
   * (measured after GC): OneBot endpoint with its zod action schemas 0.6 MB, webhook receiver 0.3 MB,
   * kritor endpoint (grpc-js + the generated code) 4.4 MB plus 1.2 MB of node's own http2 pages. The
   * RSS gain is larger than the sum (idle `kookbridge start`, kritor only: 102 → 93 MB together with
   * the CLI's per-verb imports): less survives start-up, so V8 grows the young generation less (see
   * app/startup-heap.ts).
   */
  async #startEndpoints(): Promise<void> {
    // `name` labels logs and metrics like every other component (the configured bot name);
    // `nickname` is what get_login_info reports: the KOOK username.
    const identity = { id: this.self.id, name: this.name, nickname: this.self.name }
    if (this.config.onebot.enabled) {
      const { OneBotEndpoint } = await import('../onebot/onebot-endpoint.js')
      const onebot = new OneBotEndpoint({
        bot: identity,
        config: this.config.onebot,
        hub: this.hub,
        store: this.store,
        ops: this.ops,
        logger: this.#logger.child({ endpoint: 'onebot' }),
        metrics: this.metrics,
        isOnline: () => this.#online,
      })
      this.endpoints.onebot = onebot
      await onebot.start()
    }
    if (this.config.kritor.enabled) {
      const { KritorEndpoint } = await import('../kritor/kritor-endpoint.js')
      const kritor = new KritorEndpoint({
        bot: identity,
        config: this.config.kritor,
        hub: this.hub,
        store: this.store,
        ops: this.ops,
        logger: this.#logger.child({ endpoint: 'kritor' }),
        metrics: this.metrics,
        // ExtensionService.CallKookApi: any route of the endpoint table, nothing else.
        callKookApi: (endpoint, params) => {
          if (!isKookRoute(endpoint)) {
            return Promise.reject(new BridgeError(ErrorCode.BadParams, `unknown KOOK endpoint "${endpoint}"`))
          }
          return this.api.call(endpoint, params)
        },
      })
      this.endpoints.kritor = kritor
      this.endpoints.kritorAddress = await kritor.start()
    }
  }

  async #startIngress(): Promise<void> {
    const { config } = this
    if (config.mode === 'webhook') {
      const verifyToken = config.webhook.verifyToken
      if (!verifyToken)
        throw new BridgeError(ErrorCode.ConfigInvalid, 'webhook mode needs webhook.verifyToken')
      const { WebhookReceiver } = await import('../kook/ingress/webhook-receiver.js')
      this.#webhook = new WebhookReceiver({
        host: config.webhook.listen.host,
        port: config.webhook.listen.port,
        path: config.webhook.path,
        verifyToken,
        encryptKey: config.webhook.encryptKey,
        sink: this.#sink,
        logger: this.#logger,
        metrics: this.metrics,
      })
      this.#webhookAddress = await this.#webhook.start()
      this.#online = true
      return
    }
    const { GatewayClient } = await import('../kook/ingress/gateway-client.js')
    const gateway = new GatewayClient({
      fetchGateway: async (compress) =>
        (await this.api.call('gateway/index', { compress: compress ? 1 : 0 })).url,
      sink: this.#sink,
      compress: config.gateway.compress,
      sessionStore: config.gateway.persistSession
        ? { load: () => this.store.loadSession(), save: (s) => this.store.saveSession(s) }
        : undefined,
      reorderBuffer: config.gateway.reorderBuffer,
      reorderTimeoutMs: config.gateway.reorderTimeoutMs,
      logger: this.#logger.child({ component: 'gateway' }),
      metrics: this.metrics,
    })
    this.#gateway = gateway
    gateway.on('ready', ({ sessionId, resumed }) => {
      this.#online = true
      this.#logger.info({ sessionId, resumed }, 'KOOK gateway connected')
    })
    gateway.on('state', (status) => {
      if (status !== 'connected') this.#online = false
    })
    gateway.on('fatal', (error) => {
      this.#online = false
      this.#logger.error({ code: error.code, message: error.message }, 'KOOK refused the bot; it is stopped')
      this.emit('fatal', error)
    })
    gateway.start()
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.#online = false
    await this.#gateway?.stop()
    await this.#webhook?.stop()
    await this.endpoints.onebot?.stop()
    await this.endpoints.kritor?.stop()
    this.selfFilter.close()
    this.store.close()
  }
}
