import { fail, KOOK_BAD_REQUEST } from '../sim-api-failure.js'
import { paginate } from '../sim-paginate.js'
import type { SimRoute } from '../sim-route.js'
import { channelSummary, channelView } from '../sim-views.js'

export const channelRoutes = {
  'channel/list': {
    method: 'GET',
    run(ctx, { params }) {
      const guildId = params.string('guild_id')
      if (!ctx.world.guild(guildId) || !ctx.world.member(guildId, ctx.world.bot.id)) {
        fail(KOOK_BAD_REQUEST, `服务器不存在 (unknown guild ${guildId})`)
      }
      // KOOK lists only text channels unless `type` says otherwise (kook.md §5): a client that wants
      // voice channels too must ask for type 2 separately.
      const type = params.int('type', 1)
      const parentId = params.optionalString('parent_id')
      const channels = ctx.world
        .guildChannels(guildId)
        .filter((c) => c.type === type && (parentId === undefined || c.parent_id === parentId))
      return paginate(channels.map(channelSummary), params)
    },
  },
  'channel/view': {
    method: 'GET',
    run(ctx, { params }) {
      const channelId = params.string('target_id')
      const channel = ctx.world.channel(channelId)
      if (!channel) fail(KOOK_BAD_REQUEST, `频道不存在 (unknown channel ${channelId})`)
      return channelView(channel)
    },
  },
} as const satisfies Record<string, SimRoute>
