import { z } from 'zod'
import { isLoopback, listenAddress } from './listen-address.js'

const MiB = 1024 * 1024

/**
 * kritor gRPC endpoint settings of one bot (active mode: kookbridge is the gRPC server, the framework
 * dials in). Every default lives here and nowhere else (shared/reference/kritor.md §1, §4, §6, §7).
 */
export const KritorSchema = z
  .strictObject({
    /** Serve kritor for this bot. @defaultValue false */
    enabled: z.boolean().default(false),
    /**
     * The kritor schema this listener speaks. Only `1.0.3` (koishi 0.1.2, node-karin 0.x, nonebot 0.2)
     * exists today; the 2024-09 head reuses every name with other numbers, so it needs its own listener
     * (kritor.md §5). @defaultValue '1.0.3'
     */
    schema: z.literal('1.0.3').default('1.0.3'),
    /**
     * `host:port` of the gRPC server (plaintext h2c, like every kritor implementation). 5700 is the port
     * kritor frameworks default to (koishi: `localhost:5700`). A non-loopback host needs `tickets`.
     * @defaultValue '127.0.0.1:5700'
     */
    listen: listenAddress.prefault('127.0.0.1:5700'),
    /**
     * Secrets a framework may present: as the `ticket` request header on each call, or once through
     * `AuthenticationService.Authenticate` (the peer connection is then trusted). Empty turns auth off,
     * which only a loopback `listen` allows. Never logged. @defaultValue []
     */
    tickets: z.array(z.string().min(1)).default([]),
    /**
     * How a KOOK text channel is shown (kritor.md §6): `group` → scene GROUP with peer = channel id
     * (koishi and Karin only handle GROUP/FRIEND); `guild` → scene GUILD with peer = guild id and
     * sub_peer = channel id (nonebot, which replies through GuildService.SendChannelMessage).
     * DMs are FRIEND either way. @defaultValue 'group'
     */
    sceneMode: z.enum(['group', 'guild']).default('group'),
    /**
     * Encoded events kept per event stream while its client reads slower than events arrive (grpc-js
     * `write()` returned false). When full, the oldest queued event is dropped and counted, so a stalled
     * client costs at most this many events of memory and never slows the others. @defaultValue 1024
     */
    queueSize: z.int().min(1).max(1_000_000).default(1024),
    /**
     * Largest request accepted. grpc-js defaults to 4 MiB, but koishi- and Lagrange-style clients inline
     * media bytes in SendMessage (kritor.md §7). @defaultValue 33554432 (32 MiB)
     */
    maxReceiveMessageBytes: z
      .int()
      .min(4 * MiB)
      .max(1024 * MiB)
      .default(32 * MiB),
    /**
     * Interval of server HTTP/2 keepalive pings. grpc-js servers send none by default, so a framework
     * that vanished without a FIN would keep its streams (and their queues) forever (kritor.md §7).
     * @defaultValue 60000
     */
    keepaliveTimeMs: z
      .int()
      .min(1_000)
      .max(24 * 3_600_000)
      .default(60_000),
    /** How long a keepalive ping may stay unanswered before the connection is closed. @defaultValue 20000 */
    keepaliveTimeoutMs: z.int().min(1_000).max(600_000).default(20_000),
    /**
     * Also serve `kookbridge.v1.ExtensionService` on the same listener: KOOK-only events (voice, button
     * clicks, edits, guild changes) and raw KOOK API calls. Stock frameworks never call it. @defaultValue true
     */
    extensionService: z.boolean().default(true),
  })
  .superRefine((config, ctx) => {
    if (!isLoopback(config.listen.host) && config.tickets.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['listen'],
        message: `refusing a non-loopback kritor bind (${config.listen.host}) without kritor.tickets: anyone who can reach it could drive the bot`,
      })
    }
  })

export type KritorConfig = z.infer<typeof KritorSchema>
export type KritorConfigInput = z.input<typeof KritorSchema>
