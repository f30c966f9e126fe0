import { fail, KOOK_BAD_REQUEST, KOOK_FORBIDDEN } from '../sim-api-failure.js'
import { systemEvent } from '../sim-event-factory.js'
import type { SimMessage } from '../sim-message-store.js'
import type { SimParams } from '../sim-params.js'
import type { SimApiContext } from '../sim-route.js'
import { type Json, kookEmojiId, MEDIA_TYPES, messageView, userView } from '../sim-views.js'
import { Permission } from '../sim-world.js'

/**
 * What message/* and direct-message/* share: content validation, cursor listing, reactions and quotes.
 * Channel and DM flavours differ only in scope (GROUP vs PERSON events) and addressing.
 */

const SENDABLE_TYPES = new Set([1, 2, 3, 4, 8, 9, 10])

/** Rejects content KOOK would refuse for `type`. */
export function validateContent(ctx: SimApiContext, type: number, content: string): void {
  if (!SENDABLE_TYPES.has(type)) fail(KOOK_BAD_REQUEST, `type 不合法 (unsupported message type ${type})`)
  if (MEDIA_TYPES[type] && !ctx.assets.byUrl(content)) {
    // Real KOOK only sends media it hosts: a URL not returned by asset/create is refused (kook.md §6).
    fail(KOOK_BAD_REQUEST, '资源不存在')
  }
  if (type === 10 && !isCardArray(content)) {
    fail(KOOK_BAD_REQUEST, '卡片消息格式不正确 (card content must be a JSON array of cards)')
  }
}

function isCardArray(content: string): boolean {
  try {
    return Array.isArray(JSON.parse(content))
  } catch {
    return false
  }
}

/** Only KMarkdown and card messages can be edited (kook.md §5), and only by their author. */
export function editable(ctx: SimApiContext, m: SimMessage, content: string): void {
  if (m.authorId !== ctx.world.bot.id) fail(KOOK_FORBIDDEN, '只能修改自己的消息 (not your message)')
  if (m.type !== 9 && m.type !== 10) {
    fail(KOOK_BAD_REQUEST, '只能修改 KMarkdown 和卡片消息 (only type 9 and 10 can be edited)')
  }
  if (m.type === 10) validateContent(ctx, 10, content)
}

/** `quote` on update: absent keeps it, `""` removes it (kook.md §5). */
export function applyQuoteEdit(m: SimMessage, params: SimParams): void {
  const quote = params.optionalString('quote')
  if (quote === undefined) return
  if (quote === '') delete m.quote
  else m.quote = quote
}

/**
 * message/list and direct-message/list are cursor-style: without `msg_id` the newest `page_size`;
 * with it, `flag` = before (older), after (newer) or around (centred on it, included). Oldest first.
 */
export function listPage(ctx: SimApiContext, messages: SimMessage[], params: SimParams): Json[] {
  const pageSize = Math.min(100, Math.max(1, params.int('page_size', 50)))
  const msgId = params.optionalString('msg_id')
  let page: SimMessage[]
  if (!msgId) {
    page = messages.slice(-pageSize)
  } else {
    const at = messages.findIndex((m) => m.msgId === msgId)
    if (at < 0) fail(KOOK_BAD_REQUEST, '消息不存在 (msg_id not found)')
    const flag = params.optionalString('flag') ?? 'before'
    if (flag === 'after') page = messages.slice(at + 1, at + 1 + pageSize)
    else if (flag === 'around') {
      const start = Math.max(0, at - Math.floor(pageSize / 2))
      page = messages.slice(start, start + pageSize)
    } else page = messages.slice(Math.max(0, at - pageSize), at)
  }
  return page.map((m) => viewOf(ctx, m))
}

/** The message/view (or direct-message/view) rendering of a stored message. */
export function viewOf(ctx: SimApiContext, m: SimMessage): Json {
  return messageView(ctx.world, ctx.store, ctx.assets, m)
}

/** Where reaction events go and what their body carries besides msg_id/user_id/emoji. */
function reactionEvent(
  ctx: SimApiContext,
  m: SimMessage,
  added: boolean,
  userId: string,
  emoji: string,
): Json {
  const now = ctx.clock()
  const emojiBody = { id: emoji, name: emoji }
  if (m.chatCode !== undefined) {
    const type = added ? 'private_added_reaction' : 'private_deleted_reaction'
    const body = { msg_id: m.msgId, user_id: userId, chat_code: m.chatCode, emoji: emojiBody }
    return systemEvent('PERSON', ctx.world.bot.id, type, body, now)
  }
  const channel = m.channelId ? ctx.world.channel(m.channelId) : undefined
  const body = {
    channel_id: m.channelId,
    emoji: emojiBody,
    user_id: userId,
    msg_id: m.msgId,
    channel_type: channel?.type ?? 1,
  }
  return systemEvent('GROUP', m.guildId ?? '', added ? 'added_reaction' : 'deleted_reaction', body, now)
}

/**
 * Adds `userId`'s reaction and emits the event; adding the same reaction twice changes nothing and emits
 * nothing. Returns the event `d`, or undefined when nothing changed.
 */
export function addReaction(
  ctx: SimApiContext,
  m: SimMessage,
  emoji: string,
  userId: string,
): Json | undefined {
  const id = kookEmojiId(emoji)
  if (m.reactions.some((r) => r.emoji === id && r.userId === userId)) return undefined
  m.reactions.push({ emoji: id, userId, at: ctx.clock() })
  const d = reactionEvent(ctx, m, true, userId, id)
  ctx.emit(d)
  return d
}

export function removeReaction(ctx: SimApiContext, m: SimMessage, emoji: string, userId: string): void {
  const id = kookEmojiId(emoji)
  const at = m.reactions.findIndex((r) => r.emoji === id && r.userId === userId)
  if (at < 0) return
  m.reactions.splice(at, 1)
  ctx.emit(reactionEvent(ctx, m, false, userId, id))
}

/** Removing someone else's reaction needs "manage messages" in the channel's guild. */
export function mayRemoveReactionOf(ctx: SimApiContext, m: SimMessage, userId: string): void {
  const bot = ctx.world.bot.id
  if (userId === bot) return
  if (m.guildId === undefined || !ctx.world.can(m.guildId, bot, Permission.ManageMessages)) {
    fail(KOOK_FORBIDDEN, '你没有权限 (cannot remove reactions of others)')
  }
}

/** reaction-list: an *array* of users with `reaction_time` (kook.md §8.11). */
export function reactionList(ctx: SimApiContext, m: SimMessage, emoji: string): Json[] {
  const id = kookEmojiId(emoji)
  return m.reactions
    .filter((r) => r.emoji === id)
    .map((r) => {
      const user = ctx.world.user(r.userId)
      return { ...(user ? userView(user) : { id: r.userId }), reaction_time: r.at }
    })
}
