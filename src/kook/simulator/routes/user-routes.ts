import { fail, KOOK_BAD_REQUEST } from '../sim-api-failure.js'
import { paginate } from '../sim-paginate.js'
import type { SimRoute } from '../sim-route.js'
import { chatView, memberUserView, userView } from '../sim-views.js'

export const userRoutes = {
  'gateway/index': {
    method: 'GET',
    // compress defaults to 1 on KOOK (kook.md §1); only an explicit 0 turns it off.
    run: (ctx, { params }) => ({ url: ctx.gatewayUrl(params.optionalString('compress') !== '0') }),
  },
  'user/me': {
    method: 'GET',
    run(ctx) {
      const bot = ctx.world.bot
      return {
        ...userView(bot),
        nickname: bot.username,
        mobile_prefix: '86',
        mobile: '',
        invited_count: 0,
        client_id: `sim-${bot.id}`,
        bot_status: 0,
      }
    },
  },
  'user/view': {
    method: 'GET',
    run(ctx, { params }) {
      const userId = params.string('user_id')
      const user = ctx.world.user(userId)
      if (!user) fail(KOOK_BAD_REQUEST, `用户不存在 (unknown user ${userId})`)
      const guildId = params.optionalString('guild_id')
      if (!guildId) return userView(user)
      if (!ctx.world.guild(guildId)) fail(KOOK_BAD_REQUEST, `服务器不存在 (unknown guild ${guildId})`)
      return memberUserView(ctx.world, user, guildId)
    },
  },
  'user-chat/list': {
    method: 'GET',
    run: (ctx, { params }) =>
      paginate(
        ctx.world.chats.map((c) => chatView(ctx.world, c, ctx.store)),
        params,
      ),
  },
  'user-chat/view': {
    method: 'GET',
    run(ctx, { params }) {
      const code = params.string('chat_code')
      const chat = ctx.world.chatByCode(code)
      if (!chat) fail(KOOK_BAD_REQUEST, `会话不存在 (unknown chat_code ${code})`)
      return chatView(ctx.world, chat, ctx.store)
    },
  },
  'user-chat/create': {
    method: 'POST',
    run(ctx, { params }) {
      const target = params.string('target_id')
      if (!ctx.world.user(target)) fail(KOOK_BAD_REQUEST, `用户不存在 (unknown user ${target})`)
      // Idempotent: the same chat code comes back for the same user (kook.md §7).
      return chatView(ctx.world, ctx.world.chatWith(target, ctx.clock()), ctx.store)
    },
  },
  'user-chat/delete': {
    method: 'POST',
    run(ctx, { params }) {
      const code = params.string('chat_code')
      const at = ctx.world.chats.findIndex((c) => c.code === code)
      if (at < 0) fail(KOOK_BAD_REQUEST, `会话不存在 (unknown chat_code ${code})`)
      ctx.world.chats.splice(at, 1)
      return []
    },
  },
} as const satisfies Record<string, SimRoute>
