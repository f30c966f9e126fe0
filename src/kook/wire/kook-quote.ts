/**
 * `extra.quote` of a message: the message being replied to.
 */
import { z } from 'zod'
import { kookId, kookMillis } from './kook-scalars.js'
import { kookUserSchema } from './kook-user.js'

export const kookQuoteSchema = z.looseObject({
  id: kookId,
  /**
   * The quoted message's id as the message APIs know it. satori and lonelyevil read `rong_id` rather
   * than `id` (kook.md §3): take `rong_id ?? id`.
   */
  rong_id: kookId.optional(),
  /** KOOK message type of the quoted message. */
  type: z.int().optional(),
  content: z.string().optional(),
  create_at: kookMillis.optional(),
  author: kookUserSchema.optional(),
  can_jump: z.boolean().optional(),
})
export type KookQuote = z.output<typeof kookQuoteSchema>

/** "No quote" has been seen spelt as absent, `null`, `""` or `[]`; all but absent read as `null`. */
function emptyQuoteToNull(value: unknown): unknown {
  return value === '' || (Array.isArray(value) && value.length === 0) ? null : value
}

/** The `quote` field of a message extra: a quote or `null`. */
export const kookQuoteField = z.preprocess(emptyQuoteToNull, kookQuoteSchema.nullable())
