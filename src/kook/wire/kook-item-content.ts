/**
 * `content` of a type-12 (item / 道具, "poke") message: unlike every other type it can be a JSON object
 * rather than a string (kook.md §3, §8.11).
 */
import { z } from 'zod'
import { kookId, kookIntId } from './kook-scalars.js'

export const kookItemContentSchema = z.looseObject({
  /** `item`. */
  type: z.string().optional(),
  data: z
    .looseObject({
      /** Who used the item. */
      user_id: kookId.optional(),
      /** On whom. */
      target_id: kookId.optional(),
      item_id: kookIntId.optional(),
    })
    .optional(),
})
export type KookItemContent = z.output<typeof kookItemContentSchema>

/** `content` of a message: a string for every type, or an item object for type 12. */
export const kookMessageContentSchema = z.union([z.string(), kookItemContentSchema])
export type KookMessageContent = z.output<typeof kookMessageContentSchema>
