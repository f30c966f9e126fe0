/**
 * Guild facts the events do not carry: the owner and which roles hold the administrator bit. KOOK
 * message events give the author's role ids but not what they mean, so `roleOf` answers from a cache
 * of guild/view, refreshed in the background; it never makes an event wait on the network.
 */
import type { KookApi } from '../kook/api/kook-api.js'
import type { KookGuildDetail } from '../kook/api/responses.js'
import type { MemberRole } from '../model/bridge-event.js'
import type { Logger } from '../util/logger.js'

/** KOOK permission bit 0: administrator (kook.md §5). */
const ADMIN_BIT = 1

interface Entry {
  guild?: KookGuildDetail
  fetchedAt: number
  pending?: Promise<KookGuildDetail>
}

export class GuildDirectory {
  readonly #api: KookApi
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #logger: Logger | undefined
  readonly #entries = new Map<string, Entry>()

  constructor(options: { api: KookApi; ttlMs?: number; now?: () => number; logger?: Logger }) {
    this.#api = options.api
    this.#ttlMs = options.ttlMs ?? 5 * 60_000
    this.#now = options.now ?? Date.now
    this.#logger = options.logger
  }

  /** guild/view, cached for the TTL. */
  async guild(guildId: string): Promise<KookGuildDetail> {
    const entry = this.#entries.get(guildId)
    if (entry?.guild && this.#now() - entry.fetchedAt < this.#ttlMs) return entry.guild
    if (entry?.pending) return entry.pending
    const pending = this.#api.call('guild/view', { guild_id: guildId })
    const next: Entry = { fetchedAt: entry?.fetchedAt ?? 0, pending }
    if (entry?.guild) next.guild = entry.guild
    this.#entries.set(guildId, next)
    try {
      const guild = await pending
      this.#entries.set(guildId, { guild, fetchedAt: this.#now() })
      return guild
    } catch (error) {
      const failed: Entry = { fetchedAt: next.fetchedAt }
      if (next.guild) failed.guild = next.guild
      this.#entries.set(guildId, failed)
      throw error
    }
  }

  /** Role from cached facts; `unknown` until the guild was fetched once (the fetch starts now). */
  roleOf(guildId: string, userId: string, roles: readonly number[]): MemberRole {
    const entry = this.#entries.get(guildId)
    if (!entry?.guild || this.#now() - entry.fetchedAt >= this.#ttlMs) {
      if (!entry?.pending) {
        this.guild(guildId).catch((error: unknown) => {
          this.#logger?.debug({ err: error, guildId }, 'guild/view for role lookup failed')
        })
      }
      if (!entry?.guild) return 'unknown'
    }
    return roleFromGuild(entry.guild, userId, roles)
  }

  /** Forgets a guild (after guild or role change events). */
  invalidate(guildId: string): void {
    this.#entries.delete(guildId)
  }
}

export function roleFromGuild(guild: KookGuildDetail, userId: string, roles: readonly number[]): MemberRole {
  if (guild.user_id === userId) return 'owner'
  for (const role of guild.roles ?? []) {
    if ((role.permissions & ADMIN_BIT) !== 0 && roles.includes(role.role_id)) return 'admin'
  }
  return 'member'
}
