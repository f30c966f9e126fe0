/**
 * The configuration schema: the only home of defaults. Types are derived with `z.infer`.
 * Secrets (token, verifyToken, encryptKey) may come from the environment instead of the file
 * (see `load-config.ts`); they are redacted from every log line.
 */
import { z } from 'zod'
import { KritorSchema } from './kritor-schema.js'
import { isLoopback, listenAddress } from './listen-address.js'
import { OneBotSchema } from './onebot-schema.js'

export const KOOK_API_BASE = 'https://www.kookapp.cn/api/v3'

export const GatewaySchema = z.strictObject({
  /** Ask KOOK for zlib-compressed binary frames (KOOK's own default). Off saves ~3 µs CPU per event (inflate-frame.ts). */
  compress: z.boolean().default(true),
  /** Frames with a future sn wait here for the gap to fill (KOOK may deliver out of order). */
  reorderBuffer: z.int().min(1).max(10_000).default(50),
  /** How long a gap may stay open before the buffered frames are processed anyway (and the gap counted). */
  reorderTimeoutMs: z.int().min(10).max(60_000).default(3_000),
  /** Persist the session so a restart resumes instead of losing the events in between. */
  persistSession: z.boolean().default(true),
})

export const WebhookSchema = z.strictObject({
  /** Where KOOK's POSTs arrive. KOOK must reach it, so a public bind is allowed (it requires verifyToken). */
  listen: listenAddress.prefault('127.0.0.1:8600'),
  path: z.string().startsWith('/').default('/kook/webhook'),
  /** The console's "Verify Token"; every event must carry it. Env: KOOK_VERIFY_TOKEN. */
  verifyToken: z.string().min(1).optional(),
  /** The console's "Encrypt Key" when encryption is on. Env: KOOK_ENCRYPT_KEY. */
  encryptKey: z.string().min(1).optional(),
})

export const BotSchema = z
  .strictObject({
    /** A short name for logs, metrics and the data directory. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, "_" and "-" only')
      .default('main'),
    /** KOOK bot token. Env: KOOK_TOKEN (first bot) or KOOK_TOKEN_<NAME>. Without one, the demo runs. */
    token: z.string().min(1).optional(),
    mode: z.enum(['ws', 'webhook']).default('ws'),
    /** KOOK HTTP API base URL. The simulator and tests point it at loopback. */
    apiBase: z.url({ protocol: /^https?$/ }).default(KOOK_API_BASE),
    gateway: GatewaySchema.prefault({}),
    webhook: WebhookSchema.prefault({}),
    /** The bot's own messages come back from KOOK as events; by default they are not fed to frameworks. */
    selfMessages: z.enum(['drop', 'keep']).default('drop'),
    /** Messages of other bots: keep by default; drop to avoid bot loops (KOOK bans bot↔bot loops). */
    otherBots: z.enum(['keep', 'drop']).default('keep'),
    /** Extra mapping files (YAML) whose rows replace, disable or add to the shipped table. */
    mappings: z.array(z.string()).default([]),
    onebot: OneBotSchema.prefault({}),
    kritor: KritorSchema.prefault({}),
  })
  .superRefine((bot, ctx) => {
    if (bot.mode === 'webhook' && bot.token !== undefined && bot.webhook.verifyToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook', 'verifyToken'],
        message: 'webhook mode needs verifyToken (or KOOK_VERIFY_TOKEN): without it anyone could post events',
      })
    }
    if (!isLoopback(bot.webhook.listen.host) && bot.mode === 'webhook' && !bot.webhook.verifyToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook', 'listen'],
        message: 'refusing a non-loopback webhook listener without verifyToken',
      })
    }
  })

export const ConfigSchema = z
  .strictObject({
    /** Where the SQLite store and other state live. Relative paths are relative to the config file. */
    dataDir: z.string().default('./data'),
    /** `sqlite` (a file per process in dataDir) or `memory` (lost on exit; tests and the demo). */
    store: z.enum(['sqlite', 'memory']).default('sqlite'),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
    /** Prometheus text metrics at `http://<listen>/metrics`; off when absent. */
    metrics: z.strictObject({ listen: listenAddress.optional() }).prefault({}),
    bots: z.array(BotSchema).min(1).prefault([{}]),
  })
  .superRefine((config, ctx) => {
    if (config.metrics.listen && !isLoopback(config.metrics.listen.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics', 'listen'],
        message: 'metrics have no access token, so they are served on loopback only',
      })
    }
    const seen = new Map<string, number>()
    config.bots.forEach((bot, index) => {
      const first = seen.get(bot.name)
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['bots', index, 'name'],
          message: `duplicate bot name "${bot.name}" (also bots[${first}])`,
        })
      } else seen.set(bot.name, index)
    })
  })

export type Config = z.infer<typeof ConfigSchema>
export type ConfigInput = z.input<typeof ConfigSchema>
export type BotConfig = z.infer<typeof BotSchema>
export type GatewayConfig = z.infer<typeof GatewaySchema>
export type WebhookConfig = z.infer<typeof WebhookSchema>
