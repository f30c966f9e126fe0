import { fail, KOOK_BAD_REQUEST, KOOK_FORBIDDEN } from '../sim-api-failure.js'
import { systemEvent } from '../sim-event-factory.js'
import { paginate } from '../sim-paginate.js'
import type { SimParams } from '../sim-params.js'
import type { SimApiContext, SimRoute } from '../sim-route.js'
import { guildSummary, guildView, memberUserView, roleView, userView } from '../sim-views.js'
import { Permission, type SimGuild, type SimMember } from '../sim-world.js'

/** A guild the bot belongs to; KOOK answers as if any other guild did not exist. */
function botGuild(ctx: SimApiContext, params: SimParams): SimGuild {
  const guildId = params.string('guild_id')
  const guild = ctx.world.guild(guildId)
  if (!guild || !ctx.world.member(guildId, ctx.world.bot.id)) {
    fail(KOOK_BAD_REQUEST, `服务器不存在 (unknown guild ${guildId})`)
  }
  return guild
}

function requirePermission(ctx: SimApiContext, guild: SimGuild, bit: Permission): void {
  if (!ctx.world.can(guild.id, ctx.world.bot.id, bit)) {
    fail(KOOK_FORBIDDEN, `你没有权限 (the bot lacks permission bit ${bit})`)
  }
}

function guildMember(ctx: SimApiContext, guild: SimGuild, userId: string): SimMember {
  const member = ctx.world.member(guild.id, userId)
  if (!member) fail(KOOK_BAD_REQUEST, `用户不在该服务器内 (user ${userId} is not a member)`)
  return member
}

/** Removes a member; the owner cannot be removed by anyone. */
function removeMember(ctx: SimApiContext, guild: SimGuild, userId: string): void {
  if (guild.user_id === userId) fail(KOOK_FORBIDDEN, '不能对服务器主进行该操作 (the owner cannot be removed)')
  ctx.world.members = ctx.world.members.filter((m) => !(m.guild_id === guild.id && m.user_id === userId))
}

function muteUser(params: SimParams): string {
  // The docs say user_id, Kook.Net sends target_id (kook.md §5): accept either.
  const userId = params.optionalString('user_id') || params.optionalString('target_id')
  if (!userId) fail(KOOK_BAD_REQUEST, 'user_id 不能为空 (missing parameter user_id)')
  return userId
}

function muteType(params: SimParams): 1 | 2 {
  const type = params.int('type')
  if (type !== 1 && type !== 2) fail(KOOK_BAD_REQUEST, 'type 不合法 (1 = microphone, 2 = headset)')
  return type
}

function roleChange(ctx: SimApiContext, params: SimParams, grant: boolean) {
  const guild = botGuild(ctx, params)
  requirePermission(ctx, guild, Permission.ManageRoles)
  const member = guildMember(ctx, guild, params.string('user_id'))
  const roleId = params.int('role_id')
  if (!ctx.world.guildRoles(guild.id).some((r) => r.role_id === roleId)) {
    fail(KOOK_BAD_REQUEST, `角色不存在 (unknown role ${roleId})`)
  }
  if (grant && !member.roles.includes(roleId)) member.roles.push(roleId)
  if (!grant) member.roles = member.roles.filter((r) => r !== roleId)
  return { user_id: member.user_id, guild_id: guild.id, roles: member.roles }
}

export const guildRoutes = {
  'guild/list': {
    method: 'GET',
    run: (ctx, { params }) => paginate(ctx.world.botGuilds().map(guildSummary), params),
  },
  'guild/view': {
    method: 'GET',
    run: (ctx, { params }) => guildView(ctx.world, botGuild(ctx, params)),
  },
  'guild/user-list': {
    method: 'GET',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const search = params.optionalString('search')?.toLowerCase()
      const roleId = params.has('role_id') ? params.int('role_id') : undefined
      const only = params.optionalString('filter_user_id')
      const users = ctx.world
        .guildMembers(guild.id)
        .filter((m) => only === undefined || m.user_id === only)
        .filter((m) => roleId === undefined || m.roles.includes(roleId))
        .flatMap((m) => {
          const user = ctx.world.user(m.user_id)
          return user ? [memberUserView(ctx.world, user, guild.id)] : []
        })
        .filter(
          (u) =>
            search === undefined ||
            String(u['username']).toLowerCase().includes(search) ||
            String(u['nickname']).toLowerCase().includes(search),
        )
      const online = users.filter((u) => u['online'] === true).length
      return {
        ...paginate(users, params),
        user_count: users.length,
        online_count: online,
        offline_count: users.length - online,
      }
    },
  },
  'guild/nickname': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const userId = params.optionalString('user_id') || ctx.world.bot.id
      if (userId !== ctx.world.bot.id) requirePermission(ctx, guild, Permission.ManageNicknames)
      const member = guildMember(ctx, guild, userId)
      // Omitting nickname clears it; a given one must be 2–64 characters (kook.md §5).
      const nickname = params.optionalString('nickname') ?? ''
      const length = [...nickname].length
      if (nickname !== '' && (length < 2 || length > 64)) {
        fail(KOOK_BAD_REQUEST, 'nickname 长度必须在 2-64 之间')
      }
      member.nickname = nickname
      const shown = nickname || ctx.world.user(userId)?.username || ''
      const body = { user_id: userId, nickname: shown }
      ctx.emit(systemEvent('GROUP', guild.id, 'updated_guild_member', body, ctx.clock()))
      return []
    },
  },
  'guild/kickout': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      requirePermission(ctx, guild, Permission.Kick)
      // The parameter is target_id; satori sends user_id and fails here, as it does on KOOK (kook.md §6).
      const userId = params.string('target_id')
      guildMember(ctx, guild, userId)
      removeMember(ctx, guild, userId)
      const now = ctx.clock()
      ctx.emit(systemEvent('GROUP', guild.id, 'exited_guild', { user_id: userId, exited_at: now }, now))
      return []
    },
  },
  'guild/leave': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      removeMember(ctx, guild, ctx.world.bot.id)
      const now = ctx.clock()
      ctx.emit(systemEvent('PERSON', ctx.world.bot.id, 'self_exited_guild', { guild_id: guild.id }, now))
      return []
    },
  },
  'guild-role/list': {
    method: 'GET',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      return paginate(ctx.world.guildRoles(guild.id).map(roleView), params)
    },
  },
  'guild-role/grant': { method: 'POST', run: (ctx, { params }) => roleChange(ctx, params, true) },
  'guild-role/revoke': { method: 'POST', run: (ctx, { params }) => roleChange(ctx, params, false) },
  'guild-mute/list': {
    method: 'GET',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const ids = (type: 1 | 2) =>
        ctx.world.mutes.filter((m) => m.guild_id === guild.id && m.type === type).map((m) => m.user_id)
      return { mic: { type: 1, user_ids: ids(1) }, headset: { type: 2, user_ids: ids(2) } }
    },
  },
  'guild-mute/create': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const userId = muteUser(params)
      const type = muteType(params)
      requirePermission(ctx, guild, type === 1 ? Permission.Mute : Permission.Deafen)
      guildMember(ctx, guild, userId)
      if (!ctx.world.mutes.some((m) => m.guild_id === guild.id && m.user_id === userId && m.type === type)) {
        ctx.world.mutes.push({ guild_id: guild.id, user_id: userId, type })
        const body = { guild_id: guild.id, user_id: userId, type }
        ctx.emit(systemEvent('GROUP', guild.id, 'add_guild_mute', body, ctx.clock()))
      }
      return []
    },
  },
  'guild-mute/delete': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const userId = muteUser(params)
      const type = muteType(params)
      requirePermission(ctx, guild, type === 1 ? Permission.Mute : Permission.Deafen)
      const before = ctx.world.mutes.length
      ctx.world.mutes = ctx.world.mutes.filter(
        (m) => !(m.guild_id === guild.id && m.user_id === userId && m.type === type),
      )
      if (ctx.world.mutes.length !== before) {
        const body = { guild_id: guild.id, user_id: userId, type }
        ctx.emit(systemEvent('GROUP', guild.id, 'delete_guild_mute', body, ctx.clock()))
      }
      return []
    },
  },
  'blacklist/create': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      requirePermission(ctx, guild, Permission.Ban)
      const userId = params.string('target_id')
      if (!ctx.world.user(userId)) fail(KOOK_BAD_REQUEST, `用户不存在 (unknown user ${userId})`)
      const delMsgDays = params.int('del_msg_days', 0)
      if (delMsgDays < 0 || delMsgDays > 7) fail(KOOK_BAD_REQUEST, 'del_msg_days 只能为 0-7')
      removeMember(ctx, guild, userId)
      const remark = params.optionalString('remark') ?? ''
      const now = ctx.clock()
      ctx.world.blacklist = ctx.world.blacklist.filter(
        (b) => !(b.guild_id === guild.id && b.user_id === userId),
      )
      ctx.world.blacklist.push({ guild_id: guild.id, user_id: userId, remark, created_time: now })
      // Only added_block_list: the member is gone, but no exited_guild is sent beside it, so a bridge
      // mapping both to "member left" does not count the ban twice. user_id is an *array* (kook.md §4).
      const body = { operator_id: ctx.world.bot.id, remark, user_id: [userId] }
      ctx.emit(systemEvent('GROUP', guild.id, 'added_block_list', body, now))
      return []
    },
  },
  'blacklist/delete': {
    method: 'POST',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      requirePermission(ctx, guild, Permission.Ban)
      const userId = params.string('target_id')
      const before = ctx.world.blacklist.length
      ctx.world.blacklist = ctx.world.blacklist.filter(
        (b) => !(b.guild_id === guild.id && b.user_id === userId),
      )
      if (ctx.world.blacklist.length === before) fail(KOOK_BAD_REQUEST, `用户不在黑名单中 (${userId})`)
      const body = { operator_id: ctx.world.bot.id, user_id: [userId] }
      ctx.emit(systemEvent('GROUP', guild.id, 'deleted_block_list', body, ctx.clock()))
      return []
    },
  },
  'blacklist/list': {
    method: 'GET',
    run(ctx, { params }) {
      const guild = botGuild(ctx, params)
      const items = ctx.world.blacklist
        .filter((b) => b.guild_id === guild.id)
        .map((b) => {
          const user = ctx.world.user(b.user_id)
          return {
            user_id: b.user_id,
            created_time: b.created_time,
            remark: b.remark,
            user: user ? userView(user) : { id: b.user_id },
          }
        })
      return paginate(items, params)
    },
  },
} as const satisfies Record<string, SimRoute>
