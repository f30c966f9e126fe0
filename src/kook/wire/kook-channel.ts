/**
 * The KOOK Channel object as carried by channel system events (`added_channel`, `updated_channel`,
 * `updated_server_type`, the `batch_*` bodies) and `live_status_changed`.
 */
import { z } from 'zod'
import { kookFlag, kookId, kookIntId } from './kook-scalars.js'

export const kookPermissionOverwriteSchema = z.looseObject({
  role_id: kookIntId,
  allow: z.number().optional(),
  deny: z.number().optional(),
})

export const kookChannelSchema = z.looseObject({
  id: kookId,
  name: z.string().optional(),
  /** Creator. */
  user_id: kookId.optional(),
  guild_id: kookId.optional(),
  /** An int in events, a boolean in the HTTP API (kook.md §8.11): a boolean here. */
  is_category: kookFlag.optional(),
  /** "" or "0" at the top level. */
  parent_id: kookId.optional(),
  /** Sort position; the docs' example sends `null`. */
  level: z.number().nullable().optional(),
  slow_mode: z.number().optional(),
  topic: z.string().optional(),
  /** 0 category, 1 text, 2 voice (4 thread, observed). */
  type: z.int().optional(),
  permission_overwrites: z.array(kookPermissionOverwriteSchema).optional(),
  /** `{user, allow, deny}` entries; kept loose, nothing downstream reads them yet. */
  permission_users: z.array(z.looseObject({})).optional(),
  permission_sync: kookFlag.optional(),
})
export type KookChannel = z.output<typeof kookChannelSchema>
