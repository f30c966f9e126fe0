/**
 * `extra.kmarkdown` of a message (types 9/10/12) and of message-update bodies: KOOK's own resolution of
 * the KMarkdown tags, so mentions can be named without an API call.
 */
import { z } from 'zod'
import { kookId, kookIntId } from './kook-scalars.js'

/** A user named by `(met)id(met)`. */
export const kookMentionPartSchema = z.looseObject({
  id: kookId,
  username: z.string().optional(),
  /** `username#1234`. */
  full_name: z.string().optional(),
  avatar: z.string().optional(),
})
export type KookMentionPart = z.output<typeof kookMentionPartSchema>

/** A role named by `(rol)id(rol)`. */
export const kookMentionRolePartSchema = z.looseObject({
  role_id: kookIntId,
  name: z.string().optional(),
  color: z.number().optional(),
})
export type KookMentionRolePart = z.output<typeof kookMentionRolePartSchema>

/** A channel named by `(chn)id(chn)`. */
export const kookChannelPartSchema = z.looseObject({
  id: kookId,
  guild_id: kookId.optional(),
  /** 1 text, 2 voice. */
  type: z.int().optional(),
  name: z.string().optional(),
})
export type KookChannelPart = z.output<typeof kookChannelPartSchema>

/** An item (道具) used in a type-12 message; only its id is stable enough to type. */
export const kookItemPartSchema = z.looseObject({
  id: kookIntId.optional(),
  name: z.string().optional(),
})
export type KookItemPart = z.output<typeof kookItemPartSchema>

export const kookKMarkdownInfoSchema = z.looseObject({
  /** Plain text with tags resolved to names and escapes removed; KOOK strips edge spaces. */
  raw_content: z.string().optional(),
  mention_part: z.array(kookMentionPartSchema).optional(),
  mention_role_part: z.array(kookMentionRolePartSchema).optional(),
  channel_part: z.array(kookChannelPartSchema).optional(),
  item_part: z.array(kookItemPartSchema).optional(),
})
export type KookKMarkdownInfo = z.output<typeof kookKMarkdownInfoSchema>
