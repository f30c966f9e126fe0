import type { SimAssetStore } from './sim-asset-store.js'
import { analyseKmarkdown } from './sim-kmarkdown.js'
import type { SimMessage, SimMessageStore } from './sim-message-store.js'
import type { SimChannel, SimChat, SimGuild, SimRole, SimUser, SimWorld } from './sim-world.js'

/**
 * How KOOK renders its objects in API responses and events (kook.md §3, §5). Pure functions from world
 * state to JSON-ready objects; nothing here mutates.
 */
export type Json = Record<string, unknown>

/** Message types whose content is a media URL, and the attachment kind KOOK reports for each. */
export const MEDIA_TYPES: Readonly<Record<number, 'image' | 'video' | 'file' | 'audio'>> = {
  2: 'image',
  3: 'video',
  4: 'file',
  8: 'audio',
}

export function userView(user: SimUser): Json {
  return {
    id: user.id,
    username: user.username,
    identify_num: user.identify_num,
    online: user.online,
    os: user.os,
    status: user.status,
    avatar: user.avatar,
    vip_avatar: user.vip_avatar,
    banner: '',
    bot: user.bot,
    is_vip: user.is_vip,
    mobile_verified: user.mobile_verified,
    tag_info: null,
  }
}

/** user/view with guild_id, guild/user-list items: the user plus guild-specific fields. */
export function memberUserView(world: SimWorld, user: SimUser, guildId: string): Json {
  const member = world.member(guildId, user.id)
  return {
    ...userView(user),
    nickname: member?.nickname || user.username,
    roles: member?.roles ?? [],
    joined_at: member?.joined_at ?? 0,
    active_time: member?.active_time ?? 0,
    is_master: world.guild(guildId)?.user_id === user.id,
  }
}

/** `extra.author` of a message event: the guild nickname and roles in GROUP scope, none in PERSON. */
export function authorView(world: SimWorld, userId: string, guildId?: string): Json {
  const user = world.user(userId)
  const member = guildId ? world.member(guildId, userId) : undefined
  return {
    id: userId,
    username: user?.username ?? userId,
    identify_num: user?.identify_num ?? '0000',
    nickname: member?.nickname || user?.username || userId,
    avatar: user?.avatar ?? '',
    vip_avatar: user?.vip_avatar ?? '',
    online: user?.online ?? false,
    bot: user?.bot ?? false,
    status: user?.status ?? 1,
    is_vip: user?.is_vip ?? false,
    os: user?.os ?? 'Websocket',
    roles: member?.roles ?? [],
  }
}

export function guildSummary(guild: SimGuild): Json {
  return { ...guild }
}

export function guildView(world: SimWorld, guild: SimGuild): Json {
  const botMember = world.member(guild.id, world.bot.id)
  return {
    ...guild,
    roles: world.guildRoles(guild.id).map(roleView),
    channels: world.guildChannels(guild.id).map(channelView),
    emojis: [],
    user_config: {
      notify_type: guild.notify_type,
      nickname: botMember?.nickname ?? '',
      role_ids: botMember?.roles ?? [],
      chat_setting: '1',
    },
  }
}

/** channel/list items carry only these fields. */
export function channelSummary(channel: SimChannel): Json {
  const { id, user_id, parent_id, name, type, level, limit_amount, is_category } = channel
  return { id, user_id, parent_id, name, type, level, limit_amount, is_category }
}

export function channelView(channel: SimChannel): Json {
  return {
    ...channel,
    has_password: false,
    permission_overwrites: [],
    permission_users: [],
    permission_sync: 1,
  }
}

export function roleView(role: SimRole): Json {
  const { guild_id: _guild, ...view } = role
  return view
}

export function chatView(world: SimWorld, chat: SimChat, store: SimMessageStore): Json {
  const user = world.user(chat.user_id)
  const latest = store.conversation({ chatCode: chat.code }).at(-1)
  return {
    code: chat.code,
    last_read_time: latest?.createdAt ?? chat.created_at,
    latest_msg_time: latest?.createdAt ?? chat.created_at,
    unread_count: 0,
    is_friend: false,
    is_blocked: false,
    is_target_blocked: false,
    target_info: {
      id: chat.user_id,
      username: user?.username ?? chat.user_id,
      online: user?.online ?? false,
      avatar: user?.avatar ?? '',
    },
  }
}

/**
 * KOOK reports unicode reactions as `[#<decimal code point>;]` (seed docs: `"id": "[#128226;]"`), while
 * clients send the raw character; guild emoji (`guildId/xxxx`) and already-encoded ids pass unchanged.
 */
export function kookEmojiId(emoji: string): string {
  if (/^(\[#\d+;\])+$/.test(emoji) || emoji.includes('/')) return emoji
  return [...emoji].map((ch) => `[#${ch.codePointAt(0)};]`).join('')
}

/** `extra.attachments` for a media message (type 2/3/4/8). */
export function attachmentView(assets: SimAssetStore, type: number, url: string): Json | undefined {
  const kind = MEDIA_TYPES[type]
  if (!kind) return undefined
  const asset = assets.byUrl(url)
  const name = asset?.name ?? decodeURIComponent(url.split('?')[0]?.split('/').pop() ?? '')
  return {
    type: kind,
    url,
    name,
    ...(asset ? { file_type: asset.contentType, size: asset.bytes.length } : {}),
  }
}

export function quoteView(world: SimWorld, message: SimMessage): Json {
  return {
    // Real events carry both; clients should read rong_id first (kook.md §3).
    id: message.msgId,
    rong_id: message.msgId,
    type: message.type,
    content: message.content,
    create_at: message.createdAt,
    author: authorView(world, message.authorId, message.guildId),
    can_jump: true,
  }
}

function reactionSummary(message: SimMessage, viewerId: string): Json[] {
  const byEmoji = new Map<string, { count: number; me: boolean }>()
  for (const r of message.reactions) {
    const entry = byEmoji.get(r.emoji) ?? { count: 0, me: false }
    entry.count++
    entry.me ||= r.userId === viewerId
    byEmoji.set(r.emoji, entry)
  }
  return [...byEmoji].map(([emoji, { count, me }]) => ({ emoji: { id: emoji, name: emoji }, count, me }))
}

/** message/view and message/list items; direct-message/view and direct-message/list items. */
export function messageView(
  world: SimWorld,
  store: SimMessageStore,
  assets: SimAssetStore,
  m: SimMessage,
): Json {
  const facts = analyseKmarkdown(m.type === 9 ? m.content : '', world, m.guildId)
  const quoted = m.quote ? store.get(m.quote) : undefined
  const common = {
    id: m.msgId,
    type: m.type,
    content: m.content,
    embeds: [],
    attachments: attachmentView(assets, m.type, m.content) ?? null,
    reactions: reactionSummary(m, world.bot.id),
    quote: quoted ? quoteView(world, quoted) : null,
    mention_info: {
      mention_part: facts.kmarkdown.mention_part,
      mention_role_part: facts.kmarkdown.mention_role_part,
      channel_part: facts.kmarkdown.channel_part,
      item_part: [],
    },
    create_at: m.createdAt,
  }
  if (m.chatCode !== undefined) {
    return { ...common, author_id: m.authorId, updated_at: m.updatedAt ?? 0, read_status: true }
  }
  return {
    ...common,
    author: authorView(world, m.authorId, m.guildId),
    mention: facts.mention,
    mention_all: facts.mention_all,
    mention_roles: facts.mention_roles,
    mention_here: facts.mention_here,
    channel_id: m.channelId,
    update_at: m.updatedAt ?? 0,
  }
}
