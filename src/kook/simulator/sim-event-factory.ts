import type { SimAssetStore } from './sim-asset-store.js'
import { simIds } from './sim-ids.js'
import { analyseKmarkdown } from './sim-kmarkdown.js'
import type { SimMessage, SimMessageStore } from './sim-message-store.js'
import { attachmentView, authorView, type Json, quoteView } from './sim-views.js'
import type { SimWorld } from './sim-world.js'

/** Where a message event's extra comes from. */
export interface SimEventSources {
  world: SimWorld
  store: SimMessageStore
  assets: SimAssetStore
}

/**
 * The `d` of a user or bot message event (kook.md §3), built from a stored message. Channel messages are
 * GROUP events with `target_id` = channel id; DMs are PERSON events with `target_id` = the receiving user
 * and `extra.code` = the chat code.
 */
export function messageEvent(sources: SimEventSources, m: SimMessage): Json {
  const { world, store, assets } = sources
  // KOOK fills mention arrays and `extra.kmarkdown` from KMarkdown bodies (type 9); cards (10) carry an
  // empty kmarkdown block; plain text (1) and media carry neither.
  const facts = analyseKmarkdown(m.type === 9 ? m.content : '', world, m.guildId)
  const quoted = m.quote ? store.get(m.quote) : undefined
  const attachments = attachmentView(assets, m.type, m.content)
  const extra: Json = {
    type: m.type,
    mention: facts.mention,
    mention_all: facts.mention_all,
    mention_roles: facts.mention_roles,
    mention_here: facts.mention_here,
    nav_channels: facts.nav_channels,
    author: authorView(world, m.authorId, m.guildId),
    ...(m.type === 9 || m.type === 10 ? { kmarkdown: facts.kmarkdown } : {}),
    ...(attachments ? { attachments } : {}),
    ...(quoted ? { quote: quoteView(world, quoted) } : {}),
    send_msg_device: 0,
  }
  const base = {
    type: m.type,
    author_id: m.authorId,
    content: m.content,
    msg_id: m.msgId,
    msg_timestamp: m.createdAt,
    // KOOK echoes the nonce given to message/create so a sender can match its own echo (kook.md §8.1).
    nonce: m.nonce ?? '',
  }
  if (m.chatCode !== undefined) {
    return {
      channel_type: 'PERSON',
      target_id: m.targetUserId ?? world.bot.id,
      ...base,
      extra: { ...extra, code: m.chatCode },
    }
  }
  const channel = m.channelId ? world.channel(m.channelId) : undefined
  return {
    channel_type: 'GROUP',
    target_id: m.channelId ?? '',
    ...base,
    extra: {
      ...extra,
      guild_id: m.guildId ?? channel?.guild_id ?? '',
      channel_name: channel?.name ?? '',
      // `extra.channel_type` is the channel's *int* type (1 text, 2 voice), unlike d.channel_type.
      channel_type: channel?.type ?? 1,
      code: '',
    },
  }
}

/**
 * A system event (type 255). In GROUP scope `target_id` is the guild id, in PERSON scope the receiving
 * user (kook.md §3); the author is always the system user "1" and the content a fixed placeholder.
 */
export function systemEvent(
  scope: 'GROUP' | 'PERSON',
  targetId: string,
  type: string,
  body: unknown,
  now: number,
): Json {
  return {
    channel_type: scope,
    type: 255,
    target_id: targetId,
    author_id: '1',
    content: '[系统消息]',
    extra: { type, body },
    msg_id: simIds.message(),
    msg_timestamp: now,
    nonce: '',
  }
}
