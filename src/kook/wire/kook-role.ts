/**
 * The KOOK Role object carried by `added_role` / `updated_role` / `deleted_role`.
 */
import { z } from 'zod'
import { kookFlag, kookIntId } from './kook-scalars.js'

export const kookRoleSchema = z.looseObject({
  /** uint32; frameworks want it as a string, which is the mapping's job. */
  role_id: kookIntId,
  name: z.string().optional(),
  color: z.number().optional(),
  position: z.number().optional(),
  /** Shown separately in the member list (0/1 on the wire). */
  hoist: kookFlag.optional(),
  mentionable: kookFlag.optional(),
  /** Permission bitmask (bit 0 administrator). */
  permissions: z.number().optional(),
})
export type KookRole = z.output<typeof kookRoleSchema>
