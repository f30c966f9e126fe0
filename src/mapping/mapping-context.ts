import type { MemberRole } from '../model/bridge-event.js'

/**
 * What the compiled table needs to know beyond the KOOK event itself. Passed to every `map` call;
 * keep one object per bot and reuse it (no allocation on the hot path).
 */
export interface MappingContext {
  /** The bot's own KOOK user id (from user/me): decides `self` on messages and who `kick_me` removed. */
  selfId: string
  /**
   * The role of a guild member. KOOK events carry no owner/admin facts (kook.md §9), so a caller with a
   * guild/role cache can answer here: owner if `guild.user_id === userId`, admin if one of `roles` has
   * permission bit 0. Without it every guild sender is `member`.
   */
  roleOf?: (guildId: string, userId: string, roles: readonly number[]) => MemberRole
}
