/**
 * `extra` of a message event (type ≠ 255), channel and DM alike (kook.md §3). Only `author` is
 * required: it is what makes a message attributable. Everything else is optional because KOOK omits
 * fields by scope (`guild_id`, `channel_name` only in GROUP; `kmarkdown` only for 9/10/12;
 * `attachments` only for media) and unknown fields pass through untouched.
 */
import { z } from 'zod'
import { kookAttachmentField } from './kook-attachment.js'
import { kookKMarkdownInfoSchema } from './kook-kmarkdown-info.js'
import { kookQuoteField } from './kook-quote.js'
import { kookFlag, kookId, kookIdList, kookIntId } from './kook-scalars.js'
import { kookUserSchema } from './kook-user.js'

export const kookMessageExtraSchema = z.looseObject({
  /** Same number as `d.type`. */
  type: z.int().optional(),
  /** GROUP only. */
  guild_id: kookId.optional(),
  channel_name: z.string().optional(),
  /**
   * Kind of channel the message was sent in: 1 text, 2 voice (voice channels have a chat too). An int,
   * not to be confused with the event's string `channel_type` (GROUP/PERSON).
   */
  channel_type: z.int().optional(),
  /** Mentioned user ids. Old events wrote numbers (kook.md §8.11): always strings here. */
  mention: kookIdList.optional(),
  mention_all: kookFlag.optional(),
  mention_here: kookFlag.optional(),
  mention_roles: z.array(kookIntId).optional(),
  /** Mentioned channel ids (`(chn)id(chn)`). */
  nav_channels: kookIdList.optional(),
  /** PERSON: the DM chat code (32 hex), needed by direct-message/view; GROUP: "". */
  code: z.string().optional(),
  author: kookUserSchema,
  kmarkdown: kookKMarkdownInfoSchema.optional(),
  attachments: kookAttachmentField.optional(),
  quote: kookQuoteField.optional(),
})
export type KookMessageExtra = z.output<typeof kookMessageExtraSchema>
