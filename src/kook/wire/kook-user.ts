/**
 * The KOOK User object as it appears inside events: message `extra.author`, `quote.author`, button
 * click `user_info`, and the legacy `joined_guild` body. Only `id` is required: KOOK omits fields by
 * context (guild `nickname`/`roles` only in guild scope, `bot` missing from the docs' examples), and an
 * event is never refused for a missing display detail.
 */
import { z } from 'zod'
import { kookId, kookIntId, kookMillis } from './kook-scalars.js'

export const kookUserSchema = z.looseObject({
  id: kookId,
  /** Global display name (the part before `#`). */
  username: z.string().optional(),
  /** Nickname in the current guild; empty or absent in DMs. */
  nickname: z.string().optional(),
  /** The 4 digits after `#`: a display handle, not an id. KOOK writes it as a string. */
  identify_num: kookId.optional(),
  online: z.boolean().optional(),
  bot: z.boolean().optional(),
  /** 0/1 normal, 10 banned. */
  status: z.int().optional(),
  avatar: z.string().optional(),
  vip_avatar: z.string().optional(),
  is_vip: z.boolean().optional(),
  mobile_verified: z.boolean().optional(),
  /** Role ids of the user in the current guild. */
  roles: z.array(kookIntId).optional(),
  os: z.string().optional(),
  joined_at: kookMillis.optional(),
  active_time: kookMillis.optional(),
})
export type KookUser = z.output<typeof kookUserSchema>
