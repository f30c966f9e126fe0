import { z } from 'zod'
import { isLoopback, listenAddress } from './listen-address.js'

/**
 * OneBot v11 endpoint settings of one bot. Every default lives here and nowhere else; the profile data
 * in `onebot/profiles.ts` holds per-framework facts (handshake calls, segment support), not settings.
 */

/** One reverse WebSocket upstream (the framework is the server, e.g. Karin at `ws://host:7777/`). */
export const ReverseWsSchema = z.strictObject({
  /** `ws://` or `wss://` URL of the framework. Karin accepts exactly `/`, `/onebot/v11/ws` and `/onebot/v11/ws/`. */
  url: z.url({ protocol: /^wss?$/ }),
  /**
   * Secret sent as `Authorization: Bearer <token>` (Karin requires exactly that form, karin.md §2).
   * Falls back to the endpoint's `accessToken`.
   */
  accessToken: z.string().min(1).optional(),
  /** First reconnect delay (OneBot spec default 3000 ms); doubles with jitter up to `maxReconnectIntervalMs`. */
  reconnectIntervalMs: z.int().min(1).max(600_000).default(3_000),
  /** Ceiling of the reconnect backoff. */
  maxReconnectIntervalMs: z.int().min(1).max(3_600_000).default(60_000),
})

/** One HTTP POST event receiver (the framework's webhook URL, e.g. Karin's `http://host:7777/onebot`). */
export const HttpPostSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** HMAC-SHA1 key: each POST carries `X-Signature: sha1=<hex>` over the exact body. Karin: `post_token`. */
  secret: z.string().min(1).optional(),
  /** How long one POST may take before it is abandoned (and counted). */
  timeoutMs: z.int().min(1).max(120_000).default(5_000),
})

export const OneBotSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Which framework's quirks to honour (onebot-v11.md §A2). */
    profile: z.enum(['karin', 'koishi', 'nonebot', 'zerobot']).default('karin'),
    /**
     * Secret that forward WS and HTTP API clients must present (`Authorization: Bearer|Token <t>` or
     * `?access_token=`), and the default token sent to reverse WS upstreams. Required for a non-loopback bind.
     */
    accessToken: z.string().min(1).optional(),
    /** `array` (segments; Karin ignores anything else, karin.md §3) or `string` (CQ codes). */
    messageFormat: z.enum(['array', 'string']).default('array'),
    /**
     * How a KOOK text channel is shown: `group` (sub_type normal; the only form Karin 1.x accepts) or the
     * go-cqhttp `guild` form (string guild_id/channel_id), for consumers with guild support.
     */
    channelAs: z.enum(['group', 'guild']).default('group'),
    /** Heartbeat meta event interval; 0 turns heartbeats off. */
    heartbeatIntervalMs: z.int().min(0).max(3_600_000).default(30_000),
    /** Reverse WS upstreams (Universal role). Each one receives every event exactly once. */
    reverseWs: z.array(ReverseWsSchema).default([]),
    /** Forward WS server (`/`, `/api`, `/event`); off when `listen` is absent. */
    forwardWs: z.strictObject({ listen: listenAddress.optional() }).prefault({}),
    /** HTTP API server (`/<action>`); off when `listen` is absent. */
    httpApi: z
      .strictObject({
        listen: listenAddress.optional(),
        /** Largest request body accepted (base64 media travel in the body). */
        maxBodyBytes: z
          .int()
          .min(1024)
          .default(48 * 1024 * 1024),
      })
      .prefault({}),
    /** HTTP POST event receivers. */
    httpPost: z.array(HttpPostSchema).default([]),
    /**
     * Directories `file://` media may be read from (symlinks and `..` resolved first). Empty: every
     * `file://` is refused. Relative paths resolve against the working directory.
     */
    fileRoots: z.array(z.string().min(1)).default([]),
    /** Largest media accepted from `file://` or `base64://`. */
    maxMediaBytes: z
      .int()
      .min(1)
      .default(32 * 1024 * 1024),
    /**
     * Quiet time after the consumer's handshake calls are answered before events flow: Karin attaches
     * its event listener a few microtasks after the `get_version_info` reply, and drops events that
     * arrive earlier (karin.md §7.5; 20 ms was measured to be enough).
     */
    handshakeSettleMs: z.int().min(0).max(10_000).default(20),
    /**
     * Release held events after this long even if the consumer never makes its handshake calls.
     * Absent: the profile's value (2000 ms for karin and koishi; no hold for nonebot and zerobot).
     */
    handshakeTimeoutMs: z.int().min(0).max(60_000).optional(),
    /** Events kept per consumer while it is down or slow; the oldest are dropped (and counted) beyond this. */
    bufferSize: z.int().min(0).max(1_000_000).default(1_000),
  })
  .superRefine((config, ctx) => {
    for (const key of ['forwardWs', 'httpApi'] as const) {
      const listen = config[key].listen
      if (listen && !isLoopback(listen.host) && config.accessToken === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key, 'listen'],
          message: `refusing a non-loopback bind (${listen.host}) without onebot.accessToken`,
        })
      }
    }
    // The same upstream twice would receive every event twice (onebots#66).
    const seen = new Map<string, number>()
    config.reverseWs.forEach((upstream, index) => {
      const first = seen.get(upstream.url)
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['reverseWs', index, 'url'],
          message: `duplicate reverse WS url (also reverseWs[${first}]): it would receive every event twice`,
        })
      } else seen.set(upstream.url, index)
      if (upstream.maxReconnectIntervalMs < upstream.reconnectIntervalMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['reverseWs', index, 'maxReconnectIntervalMs'],
          message: 'must be at least reconnectIntervalMs',
        })
      }
    })
  })

export type OneBotConfig = z.infer<typeof OneBotSchema>
export type OneBotConfigInput = z.input<typeof OneBotSchema>
export type ReverseWsConfig = z.infer<typeof ReverseWsSchema>
export type HttpPostConfig = z.infer<typeof HttpPostSchema>
