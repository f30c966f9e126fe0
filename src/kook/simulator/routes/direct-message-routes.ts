import { fail, KOOK_BAD_REQUEST, KOOK_FORBIDDEN } from '../sim-api-failure.js'
import { messageEvent, systemEvent } from '../sim-event-factory.js'
import { simIds } from '../sim-ids.js'
import type { SimMessage } from '../sim-message-store.js'
import type { SimParams } from '../sim-params.js'
import type { SimApiContext, SimRoute } from '../sim-route.js'
import type { SimChat } from '../sim-world.js'
import {
  addReaction,
  applyQuoteEdit,
  editable,
  listPage,
  reactionList,
  removeReaction,
  validateContent,
  viewOf,
} from './message-actions.js'

/** DMs are addressed by `chat_code` or by the user (`target_id`), which opens the chat if needed. */
function chatOf(ctx: SimApiContext, params: SimParams): SimChat {
  const code = params.optionalString('chat_code')
  if (code) {
    const chat = ctx.world.chatByCode(code)
    if (!chat) fail(KOOK_BAD_REQUEST, `会话不存在 (unknown chat_code ${code})`)
    return chat
  }
  const target = params.optionalString('target_id')
  if (!target) fail(KOOK_BAD_REQUEST, 'target_id 不能为空 (missing parameter target_id or chat_code)')
  if (!ctx.world.user(target)) fail(KOOK_BAD_REQUEST, `用户不存在 (unknown user ${target})`)
  if (target === ctx.world.bot.id) fail(KOOK_BAD_REQUEST, '不能给自己发送私信')
  return ctx.world.chatWith(target, ctx.clock())
}

function directMessage(ctx: SimApiContext, params: SimParams): SimMessage {
  const m = ctx.store.get(params.string('msg_id'))
  if (!m || m.deleted || m.chatCode === undefined) fail(KOOK_BAD_REQUEST, '消息不存在 (unknown msg_id)')
  return m
}

function ownDirectMessage(ctx: SimApiContext, params: SimParams): SimMessage {
  const m = directMessage(ctx, params)
  if (m.authorId !== ctx.world.bot.id) fail(KOOK_FORBIDDEN, '只能操作自己的消息 (not your message)')
  return m
}

/** PERSON system events about a DM go to the bot, naming both ends of the chat. */
function dmBody(ctx: SimApiContext, m: SimMessage) {
  return {
    chat_code: m.chatCode,
    msg_id: m.msgId,
    author_id: m.authorId,
    target_id: m.targetUserId ?? ctx.world.bot.id,
  }
}

export const directMessageRoutes = {
  'direct-message/create': {
    method: 'POST',
    run(ctx, { params }) {
      const chat = chatOf(ctx, params)
      const content = params.string('content')
      // Unlike message/create, KOOK defaults DMs to type 1 (plain text): KMarkdown tags show raw unless
      // the caller passes type 9 (kook.md §6, §8.8).
      const type = params.int('type', 1)
      validateContent(ctx, type, content)
      const quote = params.optionalString('quote')
      const nonce = params.optionalString('nonce')
      const m: SimMessage = {
        msgId: simIds.message(),
        chatCode: chat.code,
        targetUserId: chat.user_id,
        type,
        content,
        authorId: ctx.world.bot.id,
        deleted: false,
        createdAt: ctx.clock(),
        via: 'api',
        reactions: [],
        ...(quote ? { quote } : {}),
        ...(nonce ? { nonce } : {}),
      }
      ctx.store.add(m)
      ctx.emit(() => messageEvent(ctx, m))
      return { msg_id: m.msgId, msg_timestamp: m.createdAt, nonce: nonce ?? '' }
    },
  },
  'direct-message/update': {
    method: 'POST',
    run(ctx, { params }) {
      const m = ownDirectMessage(ctx, params)
      const content = params.string('content')
      editable(ctx, m, content)
      m.content = content
      applyQuoteEdit(m, params)
      m.updatedAt = ctx.clock()
      const body = { ...dmBody(ctx, m), content, updated_at: m.updatedAt }
      ctx.emit(systemEvent('PERSON', ctx.world.bot.id, 'updated_private_message', body, m.updatedAt))
      return []
    },
  },
  'direct-message/delete': {
    method: 'POST',
    run(ctx, { params }) {
      const m = ownDirectMessage(ctx, params)
      m.deleted = true
      const now = ctx.clock()
      const body = { ...dmBody(ctx, m), deleted_at: now }
      ctx.emit(systemEvent('PERSON', ctx.world.bot.id, 'deleted_private_message', body, now))
      return []
    },
  },
  'direct-message/view': {
    method: 'GET',
    run(ctx, { params }) {
      // KOOK needs both the chat code and the message id here (kook.md §5, §7).
      const code = params.string('chat_code')
      const m = directMessage(ctx, params)
      if (m.chatCode !== code) fail(KOOK_BAD_REQUEST, '消息不存在 (message is not in this chat)')
      return viewOf(ctx, m)
    },
  },
  'direct-message/list': {
    method: 'GET',
    run(ctx, { params }) {
      const chat = chatOf(ctx, params)
      return { items: listPage(ctx, ctx.store.conversation({ chatCode: chat.code }), params) }
    },
  },
  'direct-message/add-reaction': {
    method: 'POST',
    run(ctx, { params }) {
      addReaction(ctx, directMessage(ctx, params), params.string('emoji'), ctx.world.bot.id)
      return []
    },
  },
  'direct-message/delete-reaction': {
    method: 'POST',
    run(ctx, { params }) {
      removeReaction(ctx, directMessage(ctx, params), params.string('emoji'), ctx.world.bot.id)
      return []
    },
  },
  'direct-message/reaction-list': {
    method: 'GET',
    run: (ctx, { params }) => reactionList(ctx, directMessage(ctx, params), params.string('emoji')),
  },
} as const satisfies Record<string, SimRoute>
