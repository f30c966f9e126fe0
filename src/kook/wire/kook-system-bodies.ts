/**
 * Every KOOK system event (type 255) body, keyed by `extra.type` (kook.md §4), as one table.
 *
 * The table is data: the parser validates the envelope by hand, looks up the row for `extra.type` and
 * runs that one schema, never a union of all of them. A new event name needs a row (or the compiler
 * complains: `KOOK_SYSTEM_EVENT_NAMES` and the table must match), and an unlisted name still parses as
 * an unknown system event with its body kept raw.
 *
 * Bodies are lenient where KOOK is inconsistent (ids as numbers, 0/1 vs booleans, missing optional
 * fields) and loose: fields not declared here survive untouched.
 */
import { z } from 'zod'
import { kookAttachmentField } from './kook-attachment.js'
import { kookChannelSchema } from './kook-channel.js'
import { kookMessageContentSchema } from './kook-item-content.js'
import { kookKMarkdownInfoSchema } from './kook-kmarkdown-info.js'
import { kookQuoteField } from './kook-quote.js'
import { kookRoleSchema } from './kook-role.js'
import { kookFlag, kookId, kookIdList, kookIntCode, kookIntId, kookMillis } from './kook-scalars.js'
import { kookUserSchema } from './kook-user.js'

/** Every system event name kookbridge knows, by the name KOOK's docs use (aliases normalised). */
export const KOOK_SYSTEM_EVENT_NAMES = [
  'added_reaction',
  'deleted_reaction',
  'updated_message',
  'deleted_message',
  'embeds_append',
  'pinned_message',
  'unpinned_message',
  'added_channel',
  'updated_channel',
  'updated_server_type',
  'deleted_channel',
  'sort_channel',
  'batch_added_channel',
  'batch_updated_channel',
  'batch_deleted_channel',
  'updated_private_message',
  'deleted_private_message',
  'private_added_reaction',
  'private_deleted_reaction',
  'joined_guild',
  'exited_guild',
  'updated_guild_member',
  'guild_member_online',
  'guild_member_offline',
  'added_role',
  'deleted_role',
  'updated_role',
  'updated_guild',
  'deleted_guild',
  'added_block_list',
  'deleted_block_list',
  'added_emoji',
  'updated_emoji',
  'removed_emoji',
  'joined_channel',
  'exited_channel',
  'live_status_changed',
  'add_guild_mute',
  'delete_guild_mute',
  'user_updated',
  'self_joined_guild',
  'self_exited_guild',
  'message_btn_click',
] as const
export type KookSystemEventName = (typeof KOOK_SYSTEM_EVENT_NAMES)[number]

/**
 * Other spellings of the same event. KOOK's docs name the emoji-deletion event `removed_emoji`, while
 * Kook.Net (packet-derived) handles `deleted_emoji` (kook.md §4): both normalise to the docs' name, and
 * the parser keeps the name KOOK actually sent beside it.
 */
export const kookSystemEventAliases = {
  deleted_emoji: 'removed_emoji',
} as const satisfies Record<string, KookSystemEventName>

/** A row whose body shape depends on the event's scope (`d.channel_type`). */
export interface KookScopedBodies {
  /** Used for GROUP and BROADCAST. */
  readonly GROUP: z.ZodType
  readonly PERSON: z.ZodType
}
export type KookSystemBodyRow = z.ZodType | KookScopedBodies

// Reactions and message changes ------------------------------------------------------------------

/** Unicode emoji arrive as `[#<codepoint>;]`, guild emoji as `guildId/code` (kook.md §7). */
const emojiRef = z.looseObject({ id: z.string(), name: z.string().optional() })

const reactionBody = z.looseObject({
  msg_id: kookId,
  user_id: kookId,
  channel_id: kookId,
  emoji: emojiRef,
  channel_type: z.int().optional(),
})

const privateReactionBody = z.looseObject({
  msg_id: kookId,
  user_id: kookId,
  chat_code: z.string(),
  emoji: emojiRef,
})

const updatedMessageBody = z.looseObject({
  msg_id: kookId,
  channel_id: kookId,
  content: kookMessageContentSchema,
  mention: kookIdList.optional(),
  mention_all: kookFlag.optional(),
  mention_here: kookFlag.optional(),
  mention_roles: z.array(kookIntId).optional(),
  updated_at: kookMillis.optional(),
  channel_type: z.int().optional(),
  // Observed by SDKs, not documented (kook.md §4 [K]).
  kmarkdown: kookKMarkdownInfoSchema.optional(),
  quote: kookQuoteField.optional(),
  attachments: kookAttachmentField.optional(),
})

/** No `operator_id`: KOOK does not say who recalled a channel message (kook.md §8.12). */
const deletedMessageBody = z.looseObject({
  msg_id: kookId,
  channel_id: kookId,
  channel_type: z.int().optional(),
})

const updatedPrivateMessageBody = z.looseObject({
  msg_id: kookId,
  author_id: kookId,
  target_id: kookId,
  content: kookMessageContentSchema,
  chat_code: z.string(),
  updated_at: kookMillis.optional(),
  kmarkdown: kookKMarkdownInfoSchema.optional(),
  quote: kookQuoteField.optional(),
  attachments: kookAttachmentField.optional(),
})

const deletedPrivateMessageBody = z.looseObject({
  msg_id: kookId,
  author_id: kookId,
  target_id: kookId,
  chat_code: z.string(),
  deleted_at: kookMillis.optional(),
})

/**
 * Link previews attached to a message after it was sent. The message is named by `rong_id` (Kook.Net's
 * EmbedsAppendEvent); `msg_id` is accepted too in case KOOK renames it, one of the two is required.
 */
const embedsAppendBody = z
  .looseObject({
    rong_id: kookId.optional(),
    msg_id: kookId.optional(),
    channel_id: kookId,
    guild_id: kookId.optional(),
    embeds: z.array(z.looseObject({})),
  })
  .refine((body) => body.rong_id !== undefined || body.msg_id !== undefined, {
    message: 'expected the message id in rong_id (or msg_id)',
    path: ['rong_id'],
  })

const pinBody = z.looseObject({
  channel_id: kookId,
  operator_id: kookId,
  msg_id: kookId,
  channel_type: z.int().optional(),
})

// Channels ---------------------------------------------------------------------------------------

const deletedChannelBody = z.looseObject({
  id: kookId,
  /** The docs type it as a string but send a number. */
  deleted_at: kookMillis.optional(),
  type: z.int().optional(),
})

/** New order of the guild's channels: each category with its children ids. */
const sortChannelBody = z.looseObject({
  guild_id: kookId,
  channels: z.array(z.looseObject({ id: kookId, channels: kookIdList })),
})

/** The batch_* bodies are not objects but arrays (batch_added / batch_deleted), kook.md §8.11. */
const batchAddedChannelBody = z.array(kookChannelSchema)
const batchUpdatedChannelBody = z.looseObject({
  added_channel: kookChannelSchema.nullable().optional(),
  updated_channel: z.array(kookChannelSchema),
})
const batchDeletedChannelBody = z.array(z.looseObject({ id: kookId, deleted_at: kookMillis.optional() }))

// Members ----------------------------------------------------------------------------------------

/**
 * `{user_id, joined_at}` per the event page; the docs' generic "系统消息示例" shows the same event with a
 * User object instead (`id`, `username`, …, no `user_id`). Both are accepted: read `user_id ?? id`.
 */
const joinedGuildBody = z
  .looseObject({
    user_id: kookId.optional(),
    id: kookId.optional(),
    joined_at: kookMillis.optional(),
  })
  .refine((body) => body.user_id !== undefined || body.id !== undefined, {
    message: 'expected the member in user_id (or id, the User-object form)',
    path: ['user_id'],
  })

const exitedGuildBody = z.looseObject({ user_id: kookId, exited_at: kookMillis.optional() })

const updatedGuildMemberBody = z.looseObject({
  user_id: kookId,
  nickname: z.string().optional(),
  is_vip: z.boolean().optional(),
})

/** Sent to the bot (PERSON) for users sharing a guild with it; `guilds` are the shared guild ids. */
const memberPresenceBody = z.looseObject({
  user_id: kookId,
  event_time: kookMillis.optional(),
  guilds: kookIdList.optional(),
})

/** `user_id` is an array here: one ban can cover several users. */
const addedBlockListBody = z.looseObject({
  operator_id: kookId,
  remark: z.string().optional(),
  user_id: kookIdList,
})
const deletedBlockListBody = z.looseObject({ operator_id: kookId, user_id: kookIdList })

/** Voice mute (1 mic) or deafen (2 headset); SDKs saw `type` both as an int and as a string. */
const guildMuteBody = z.looseObject({
  user_id: kookId,
  guild_id: kookId.optional(),
  type: kookIntCode,
})

// Guild ------------------------------------------------------------------------------------------

const guildBody = z.looseObject({
  id: kookId,
  name: z.string().optional(),
  /** The owner. */
  user_id: kookId.optional(),
  icon: z.string().optional(),
  /** 1 all, 2 mentions only, 3 none. */
  notify_type: z.int().optional(),
  region: z.string().optional(),
  enable_open: kookFlag.optional(),
  open_id: kookId.optional(),
  default_channel_id: kookId.optional(),
  welcome_channel_id: kookId.optional(),
})

/**
 * PERSON-scoped `updated_guild` is a different event under the same name: only the bot's own nickname
 * in that guild changed (Kook.Net GuildUpdateSelfEvent).
 */
const selfGuildNicknameBody = z.looseObject({
  id: kookId,
  my_nickname: z.string().optional(),
})

const emojiBody = z.looseObject({
  /** `guildId/code`. */
  id: z.string(),
  name: z.string().optional(),
  emoji_type: z.int().optional(),
})

// Voice and live ---------------------------------------------------------------------------------

const joinedChannelBody = z.looseObject({
  user_id: kookId,
  channel_id: kookId,
  joined_at: kookMillis.optional(),
})
const exitedChannelBody = z.looseObject({
  user_id: kookId,
  channel_id: kookId,
  exited_at: kookMillis.optional(),
})

const liveInfo = z.looseObject({
  in_live: z.boolean().optional(),
  audience_count: z.number().optional(),
  audience_limit: z.number().optional(),
  live_thumb: z.string().nullable().optional(),
  live_start_time: kookMillis.nullable().optional(),
  tag: z.string().optional(),
  img_url: z.string().optional(),
})

const liveStatusChangedBody = z.looseObject({
  channel: kookChannelSchema,
  user: z.looseObject({ ...kookUserSchema.shape, live_info: liveInfo.optional() }),
})

// The bot itself ---------------------------------------------------------------------------------

/** Only sent to users who share a DM session or a friendship with the changed user. */
const userUpdatedBody = z.looseObject({
  user_id: kookId,
  username: z.string().optional(),
  avatar: z.string().optional(),
})

const selfGuildBody = z.looseObject({ guild_id: kookId })

/**
 * Always delivered with `d.channel_type` PERSON, even for a button in a channel: the real scope is
 * `body.channel_type` ("GROUP"/"PERSON"), with `target_id` the channel and `guild_id` (kook.md §8.10).
 * The docs' example has neither `channel_type` nor `guild_id`, and `target_id: ""`.
 */
const messageBtnClickBody = z.looseObject({
  msg_id: kookId,
  user_id: kookId,
  /** The button's `return-val`. */
  value: z.string(),
  target_id: kookId,
  channel_type: z.string().optional(),
  guild_id: kookId.optional(),
  user_info: kookUserSchema.optional(),
})

// The table --------------------------------------------------------------------------------------

export const kookSystemBodies = {
  added_reaction: reactionBody,
  deleted_reaction: reactionBody,
  updated_message: updatedMessageBody,
  deleted_message: deletedMessageBody,
  embeds_append: embedsAppendBody,
  pinned_message: pinBody,
  unpinned_message: pinBody,
  added_channel: kookChannelSchema,
  updated_channel: kookChannelSchema,
  /** A voice channel's server region changed; the body is the channel. */
  updated_server_type: kookChannelSchema,
  deleted_channel: deletedChannelBody,
  sort_channel: sortChannelBody,
  batch_added_channel: batchAddedChannelBody,
  batch_updated_channel: batchUpdatedChannelBody,
  batch_deleted_channel: batchDeletedChannelBody,
  updated_private_message: updatedPrivateMessageBody,
  deleted_private_message: deletedPrivateMessageBody,
  private_added_reaction: privateReactionBody,
  private_deleted_reaction: privateReactionBody,
  joined_guild: joinedGuildBody,
  exited_guild: exitedGuildBody,
  updated_guild_member: updatedGuildMemberBody,
  guild_member_online: memberPresenceBody,
  guild_member_offline: memberPresenceBody,
  added_role: kookRoleSchema,
  deleted_role: kookRoleSchema,
  updated_role: kookRoleSchema,
  updated_guild: { GROUP: guildBody, PERSON: selfGuildNicknameBody },
  deleted_guild: guildBody,
  added_block_list: addedBlockListBody,
  deleted_block_list: deletedBlockListBody,
  added_emoji: emojiBody,
  updated_emoji: emojiBody,
  removed_emoji: emojiBody,
  joined_channel: joinedChannelBody,
  exited_channel: exitedChannelBody,
  live_status_changed: liveStatusChangedBody,
  add_guild_mute: guildMuteBody,
  delete_guild_mute: guildMuteBody,
  user_updated: userUpdatedBody,
  self_joined_guild: selfGuildBody,
  self_exited_guild: selfGuildBody,
  message_btn_click: messageBtnClickBody,
} as const satisfies Record<KookSystemEventName, KookSystemBodyRow>

type Row<N extends KookSystemEventName> = (typeof kookSystemBodies)[N]

/** The body of system event `N` in scope `S` (PERSON vs GROUP only matters for scoped rows). */
export type KookSystemBody<N extends KookSystemEventName, S extends 'GROUP' | 'PERSON' = 'GROUP'> =
  Row<N> extends KookScopedBodies ? z.output<Row<N>[S]> : Row<N> extends z.ZodType ? z.output<Row<N>> : never

/** System event names whose body shape depends on the scope. */
export type KookScopedSystemEventName = {
  [N in KookSystemEventName]: Row<N> extends KookScopedBodies ? N : never
}[KookSystemEventName]
