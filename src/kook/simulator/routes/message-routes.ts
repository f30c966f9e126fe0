import { fail, KOOK_BAD_REQUEST, KOOK_FORBIDDEN } from '../sim-api-failure.js'
import { messageEvent, systemEvent } from '../sim-event-factory.js'
import { simIds } from '../sim-ids.js'
import { analyseKmarkdown } from '../sim-kmarkdown.js'
import type { SimMessage } from '../sim-message-store.js'
import type { SimParams } from '../sim-params.js'
import type { SimApiContext, SimRoute } from '../sim-route.js'
import { quoteView } from '../sim-views.js'
import { Permission } from '../sim-world.js'
import {
  addReaction,
  applyQuoteEdit,
  editable,
  listPage,
  mayRemoveReactionOf,
  reactionList,
  removeReaction,
  validateContent,
  viewOf,
} from './message-actions.js'

/** A live (not deleted) channel message, or KOOK's "message not found". */
function channelMessage(ctx: SimApiContext, params: SimParams): SimMessage {
  const m = ctx.store.get(params.string('msg_id'))
  if (!m || m.deleted || m.channelId === undefined) fail(KOOK_BAD_REQUEST, '消息不存在 (unknown msg_id)')
  return m
}

function textChannel(ctx: SimApiContext, channelId: string) {
  const channel = ctx.world.channel(channelId)
  if (!channel) fail(KOOK_BAD_REQUEST, `频道不存在 (unknown channel ${channelId})`)
  if (channel.type === 0) fail(KOOK_BAD_REQUEST, '分组不能发送消息 (a category has no chat)')
  if (!ctx.world.member(channel.guild_id, ctx.world.bot.id)) fail(KOOK_FORBIDDEN, '你不在该服务器内')
  return channel
}

export const messageRoutes = {
  'message/create': {
    method: 'POST',
    run(ctx, { params }) {
      const channel = textChannel(ctx, params.string('target_id'))
      const content = params.string('content')
      // KOOK's default for channel messages is KMarkdown (kook.md §5).
      const type = params.int('type', 9)
      validateContent(ctx, type, content)
      const quote = params.optionalString('quote')
      const nonce = params.optionalString('nonce')
      const temp = params.optionalString('temp_target_id')
      const m: SimMessage = {
        msgId: simIds.message(),
        channelId: channel.id,
        guildId: channel.guild_id,
        type,
        content,
        authorId: ctx.world.bot.id,
        deleted: false,
        createdAt: ctx.clock(),
        via: 'api',
        reactions: [],
        ...(quote ? { quote } : {}),
        ...(nonce ? { nonce } : {}),
        ...(temp ? { tempTargetId: temp } : {}),
      }
      ctx.store.add(m)
      // Temp messages are shown to one user only and never stored or echoed (kook.md §8.14). Others come
      // back as a GROUP event authored by the bot — on KOOK often before this HTTP response (kook.md §8.1);
      // here it is built and sent right after the answer, in the same tick (sim-api-server.ts).
      if (!temp) ctx.emit(() => messageEvent(ctx, m))
      return { msg_id: m.msgId, msg_timestamp: m.createdAt, nonce: nonce ?? '' }
    },
  },
  'message/update': {
    method: 'POST',
    run(ctx, { params }) {
      const m = channelMessage(ctx, params)
      const content = params.string('content')
      editable(ctx, m, content)
      m.content = content
      applyQuoteEdit(m, params)
      m.updatedAt = ctx.clock()
      const facts = analyseKmarkdown(m.type === 9 ? content : '', ctx.world, m.guildId)
      const quoted = m.quote ? ctx.store.get(m.quote) : undefined
      const body = {
        channel_id: m.channelId,
        content,
        mention: facts.mention,
        mention_all: facts.mention_all,
        mention_here: facts.mention_here,
        mention_roles: facts.mention_roles,
        updated_at: m.updatedAt,
        msg_id: m.msgId,
        channel_type: ctx.world.channel(m.channelId ?? '')?.type ?? 1,
        kmarkdown: facts.kmarkdown,
        ...(quoted ? { quote: quoteView(ctx.world, quoted) } : {}),
      }
      ctx.emit(systemEvent('GROUP', m.guildId ?? '', 'updated_message', body, m.updatedAt))
      return []
    },
  },
  'message/delete': {
    method: 'POST',
    run(ctx, { params }) {
      const m = channelMessage(ctx, params)
      const bot = ctx.world.bot.id
      if (m.authorId !== bot && !ctx.world.can(m.guildId ?? '', bot, Permission.ManageMessages)) {
        fail(KOOK_FORBIDDEN, '你没有权限 (deleting others’ messages needs "manage messages")')
      }
      m.deleted = true
      // deleted_message names no operator (kook.md §8.12).
      const body = {
        msg_id: m.msgId,
        channel_id: m.channelId,
        channel_type: ctx.world.channel(m.channelId ?? '')?.type ?? 1,
      }
      ctx.emit(systemEvent('GROUP', m.guildId ?? '', 'deleted_message', body, ctx.clock()))
      return []
    },
  },
  'message/view': {
    method: 'GET',
    run: (ctx, { params }) => viewOf(ctx, channelMessage(ctx, params)),
  },
  'message/list': {
    method: 'GET',
    run(ctx, { params }) {
      const channel = textChannel(ctx, params.string('target_id'))
      return { items: listPage(ctx, ctx.store.conversation({ channelId: channel.id }), params) }
    },
  },
  'message/add-reaction': {
    method: 'POST',
    run(ctx, { params }) {
      addReaction(ctx, channelMessage(ctx, params), params.string('emoji'), ctx.world.bot.id)
      return []
    },
  },
  'message/delete-reaction': {
    method: 'POST',
    run(ctx, { params }) {
      const m = channelMessage(ctx, params)
      const userId = params.optionalString('user_id') || ctx.world.bot.id
      mayRemoveReactionOf(ctx, m, userId)
      removeReaction(ctx, m, params.string('emoji'), userId)
      return []
    },
  },
  'message/reaction-list': {
    method: 'GET',
    run: (ctx, { params }) => reactionList(ctx, channelMessage(ctx, params), params.string('emoji')),
  },
} as const satisfies Record<string, SimRoute>
