/**
 * Guild → its default text channel, for guild-wide notices in group form (OneBot and kritor both): KOOK member events name only
 * the guild, while a OneBot group is a channel, so such a notice is reported on the channel the KOOK
 * client shows first. Looked up once per guild (op getGuild) and remembered for an hour; a failed lookup
 * is remembered too (as unknown) for a minute, so a burst of member events does not become a burst of
 * KOOK calls. Reads are synchronous so the encoder stays synchronous.
 */
import type { OperationRunner } from '../model/operation.js'
import type { Logger } from '../util/logger.js'

const KNOWN_TTL_MS = 60 * 60 * 1000
const UNKNOWN_TTL_MS = 60 * 1000

interface Entry {
  channelId: string | undefined
  expires: number
}

export class DefaultChannelCache {
  readonly #ops: OperationRunner
  readonly #logger: Logger | undefined
  readonly #now: () => number
  readonly #entries = new Map<string, Entry>()
  readonly #loading = new Map<string, Promise<void>>()

  constructor(ops: OperationRunner, options: { logger?: Logger | undefined; now?: () => number } = {}) {
    this.#ops = ops
    this.#logger = options.logger
    this.#now = options.now ?? Date.now
  }

  /** Whether a (fresh) answer is cached, even if that answer is "unknown". */
  has(guildId: string): boolean {
    const entry = this.#entries.get(guildId)
    return entry !== undefined && entry.expires > this.#now()
  }

  get(guildId: string): string | undefined {
    return this.#entries.get(guildId)?.channelId
  }

  /** Fetches the guild's default channel. Never rejects. */
  load(guildId: string): Promise<void> {
    let pending = this.#loading.get(guildId)
    if (!pending) {
      pending = this.#fetch(guildId).finally(() => this.#loading.delete(guildId))
      this.#loading.set(guildId, pending)
    }
    return pending
  }

  async #fetch(guildId: string): Promise<void> {
    try {
      const guild = await this.#ops.run({ op: 'getGuild', guildId })
      const channelId = guild.defaultChannelId || undefined
      this.#entries.set(guildId, {
        channelId,
        expires: this.#now() + (channelId ? KNOWN_TTL_MS : UNKNOWN_TTL_MS),
      })
    } catch (error) {
      this.#logger?.warn({ err: error, guildId }, 'cannot look up the default channel of a guild')
      const previous = this.#entries.get(guildId)?.channelId
      this.#entries.set(guildId, { channelId: previous, expires: this.#now() + UNKNOWN_TTL_MS })
    }
  }
}
