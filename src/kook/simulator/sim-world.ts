import { simIds } from './sim-ids.js'

/** A KOOK user (kook.md §3 "author"). Field names are KOOK's own, so views are plain copies. */
export interface SimUser {
  id: string
  username: string
  /** The 4 digits of `username#1234`. */
  identify_num: string
  avatar: string
  vip_avatar: string
  online: boolean
  bot: boolean
  /** 0/1 normal, 10 banned. */
  status: number
  is_vip: boolean
  mobile_verified: boolean
  os: string
}

export interface SimGuild {
  id: string
  name: string
  topic: string
  /** The owner. */
  user_id: string
  icon: string
  notify_type: number
  region: string
  enable_open: boolean
  open_id: number
  default_channel_id: string
  welcome_channel_id: string
  boost_num: number
  level: number
}

export interface SimChannel {
  id: string
  guild_id: string
  name: string
  /** 0 category, 1 text, 2 voice. */
  type: number
  /** The creator. */
  user_id: string
  parent_id: string
  level: number
  topic: string
  slow_mode: number
  limit_amount: number
  is_category: boolean
}

export interface SimRole {
  guild_id: string
  /** KOOK role ids are integers (uint32), unlike every other id. */
  role_id: number
  name: string
  color: number
  position: number
  hoist: number
  mentionable: number
  /** Bit set; bit 0 = administrator (kook.md §5). */
  permissions: number
}

export interface SimMember {
  guild_id: string
  user_id: string
  /** The guild nickname; empty = none (the username shows). */
  nickname: string
  roles: number[]
  joined_at: number
  active_time: number
}

/** A DM session between the bot and `user_id`. */
export interface SimChat {
  code: string
  user_id: string
  created_at: number
}

export interface SimBlacklistEntry {
  guild_id: string
  user_id: string
  remark: string
  created_time: number
}

export interface SimMute {
  guild_id: string
  user_id: string
  /** 1 microphone, 2 headset. */
  type: 1 | 2
}

export interface SimWorldInit {
  bot: SimUser
  /** Every known user; the bot is added if missing. */
  users: SimUser[]
  guilds: SimGuild[]
  channels: SimChannel[]
  roles: SimRole[]
  members: SimMember[]
  chats: SimChat[]
  blacklist: SimBlacklistEntry[]
  mutes: SimMute[]
}

/** KOOK permission bits used by the simulator's checks (kook.md §5). */
export const Permission = {
  Admin: 0,
  ManageChannels: 5,
  Kick: 6,
  Ban: 7,
  ManageRoles: 10,
  ViewChannels: 11,
  SendMessages: 12,
  ManageMessages: 13,
  Upload: 14,
  MentionAll: 17,
  AddReaction: 18,
  Deafen: 24,
  Mute: 25,
  ManageNicknames: 26,
} as const
export type Permission = (typeof Permission)[keyof typeof Permission]

function bits(...positions: number[]): number {
  // Bit 26 still fits in a 32-bit signed int, so plain arithmetic stays exact.
  return positions.reduce((mask, bit) => mask + 2 ** bit, 0)
}

// Fixed ids so the demo and test output are stable. The channel ids have 17 digits and lie above 2^53:
// GENERAL and RANDOM differ only in the last digit and collapse to the *same* double, so a client that
// round-trips them through `Number` sends the wrong channel (and gets "频道不存在").
const BOT_ID = '3141592653'
const GUILD_ID = '6016389914000001'
const GENERAL_ID = '48818200000000001'
const RANDOM_ID = '48818200000000002'
const VOICE_ID = '4881820000000003'
const ALICE_ID = '2418200001'
const BOB_ID = '2418200002'
const CAROL_ID = '2418200003'
const JOINED_AT = 1_700_000_000_000

const ROLE_EVERYONE = 0
const ROLE_ADMIN = 702
const ROLE_BOT = 703
const ROLE_MEMBER = 109472

function avatar(name: string): string {
  return `https://img.kookapp.cn/avatars/2024-01/${name}.png/icon`
}

function user(id: string, username: string, identifyNum: string, extra: Partial<SimUser> = {}): SimUser {
  return {
    id,
    username,
    identify_num: identifyNum,
    avatar: avatar(username),
    vip_avatar: avatar(username),
    online: true,
    bot: false,
    status: 1,
    is_vip: false,
    mobile_verified: true,
    os: 'Websocket',
    ...extra,
  }
}

function textChannel(id: string, name: string, extra: Partial<SimChannel> = {}): SimChannel {
  return {
    id,
    guild_id: GUILD_ID,
    name,
    type: 1,
    user_id: ALICE_ID,
    parent_id: '',
    level: 100,
    topic: '',
    slow_mode: 0,
    limit_amount: 0,
    is_category: false,
    ...extra,
  }
}

function member(userId: string, nickname: string, roles: number[]): SimMember {
  return {
    guild_id: GUILD_ID,
    user_id: userId,
    nickname,
    roles,
    joined_at: JOINED_AT,
    active_time: JOINED_AT,
  }
}

/** The bot user of the default world, merged with an override. */
export function defaultBot(override: Partial<SimUser> = {}): SimUser {
  return user(BOT_ID, 'kookbridge-sim', '0001', { bot: true, ...override })
}

/**
 * The default world: one guild owned by Alice, text channels `general` and `random`, a voice channel, Alice
 * (owner), Bob (admin role, bit 0), Carol (no role) and the bot (a role with moderation bits but no admin
 * bit), plus a DM chat between the bot and Alice. Any collection given in `init` replaces the default one.
 */
export function defaultWorldInit(init: Partial<SimWorldInit> = {}): SimWorldInit {
  const bot = init.bot ?? defaultBot()
  const guild: SimGuild = {
    id: GUILD_ID,
    name: 'kookbridge sim',
    topic: 'a pretend KOOK guild on loopback',
    user_id: ALICE_ID,
    icon: avatar('guild'),
    notify_type: 1,
    region: 'shanghai',
    enable_open: false,
    open_id: 0,
    default_channel_id: GENERAL_ID,
    welcome_channel_id: GENERAL_ID,
    boost_num: 0,
    level: 0,
  }
  const role = (role_id: number, name: string, permissions: number, position: number): SimRole => ({
    guild_id: GUILD_ID,
    role_id,
    name,
    color: role_id === ROLE_EVERYONE ? 0 : 0x1abc9c,
    position,
    hoist: 0,
    mentionable: role_id === ROLE_EVERYONE ? 0 : 1,
    permissions,
  })
  return {
    bot,
    users: init.users ?? [
      bot,
      user(ALICE_ID, 'Alice', '1234'),
      user(BOB_ID, 'Bob', '5678'),
      user(CAROL_ID, 'Carol', '9012', { online: false }),
    ],
    guilds: init.guilds ?? [guild],
    channels: init.channels ?? [
      textChannel(GENERAL_ID, 'general'),
      textChannel(RANDOM_ID, 'random', { topic: 'off topic' }),
      textChannel(VOICE_ID, 'Lounge', { type: 2, limit_amount: 25 }),
    ],
    roles: init.roles ?? [
      role(ROLE_EVERYONE, '@全体成员', bits(Permission.ViewChannels, Permission.SendMessages, 18), 999),
      role(ROLE_ADMIN, 'Admin', bits(Permission.Admin), 1),
      role(
        ROLE_BOT,
        'Bot',
        bits(
          Permission.ManageChannels,
          Permission.Kick,
          Permission.Ban,
          Permission.ManageRoles,
          Permission.ViewChannels,
          Permission.SendMessages,
          Permission.ManageMessages,
          Permission.Upload,
          Permission.MentionAll,
          Permission.AddReaction,
          Permission.Deafen,
          Permission.Mute,
          Permission.ManageNicknames,
        ),
        2,
      ),
      role(ROLE_MEMBER, 'Member', bits(Permission.ViewChannels, Permission.SendMessages), 3),
    ],
    members: init.members ?? [
      member(bot.id, 'Bridge', [ROLE_BOT]),
      member(ALICE_ID, 'Alice the owner', [ROLE_MEMBER]),
      member(BOB_ID, 'Bobby', [ROLE_ADMIN, ROLE_MEMBER]),
      member(CAROL_ID, '', []),
    ],
    chats: init.chats ?? [
      { code: '3b4aa448b8e8b9c87a1b3770792e7433', user_id: ALICE_ID, created_at: JOINED_AT },
    ],
    blacklist: init.blacklist ?? [],
    mutes: init.mutes ?? [],
  }
}

/**
 * The simulator's mutable state: guilds, channels, users, members, roles, DM chats. Tests may edit the
 * arrays directly (e.g. remove the bot's roles to provoke 40300); the lookups always read the live arrays.
 */
export class SimWorld implements SimWorldInit {
  bot: SimUser
  users: SimUser[]
  guilds: SimGuild[]
  channels: SimChannel[]
  roles: SimRole[]
  members: SimMember[]
  chats: SimChat[]
  blacklist: SimBlacklistEntry[]
  mutes: SimMute[]

  constructor(init: Partial<SimWorldInit> = {}) {
    const full = defaultWorldInit(init)
    this.bot = full.bot
    this.users = full.users
    if (!this.users.some((u) => u.id === this.bot.id)) this.users.unshift(this.bot)
    this.guilds = full.guilds
    this.channels = full.channels
    this.roles = full.roles
    this.members = full.members
    this.chats = full.chats
    this.blacklist = full.blacklist
    this.mutes = full.mutes
  }

  user(id: string): SimUser | undefined {
    return this.users.find((u) => u.id === id)
  }

  guild(id: string): SimGuild | undefined {
    return this.guilds.find((g) => g.id === id)
  }

  channel(id: string): SimChannel | undefined {
    return this.channels.find((c) => c.id === id)
  }

  member(guildId: string, userId: string): SimMember | undefined {
    return this.members.find((m) => m.guild_id === guildId && m.user_id === userId)
  }

  guildMembers(guildId: string): SimMember[] {
    return this.members.filter((m) => m.guild_id === guildId)
  }

  guildChannels(guildId: string): SimChannel[] {
    return this.channels.filter((c) => c.guild_id === guildId)
  }

  guildRoles(guildId: string): SimRole[] {
    return this.roles.filter((r) => r.guild_id === guildId)
  }

  /** Guilds the bot is a member of (guild/list only shows those). */
  botGuilds(): SimGuild[] {
    return this.guilds.filter((g) => this.member(g.id, this.bot.id) !== undefined)
  }

  /** The first text channel of the bot's first guild: where `postMessage` talks by default. */
  defaultChannel(): SimChannel | undefined {
    const guild = this.botGuilds()[0]
    return guild ? this.guildChannels(guild.id).find((c) => c.type === 1) : undefined
  }

  chatByCode(code: string): SimChat | undefined {
    return this.chats.find((c) => c.code === code)
  }

  /** The DM chat with `userId`, created on first use like KOOK does on direct-message/create. */
  chatWith(userId: string, now: number): SimChat {
    let chat = this.chats.find((c) => c.user_id === userId)
    if (!chat) {
      chat = { code: simIds.chatCode(), user_id: userId, created_at: now }
      this.chats.push(chat)
    }
    return chat
  }

  /** Whether `userId` holds `bit` in `guildId`: owners and administrators (bit 0) hold every bit. */
  can(guildId: string, userId: string, bit: Permission): boolean {
    if (this.guild(guildId)?.user_id === userId) return true
    const member = this.member(guildId, userId)
    if (!member) return false
    const roles = this.guildRoles(guildId).filter((r) => r.role_id === 0 || member.roles.includes(r.role_id))
    const mask = roles.reduce((acc, r) => acc | r.permissions, 0)
    return (mask & 1) === 1 || (mask & (2 ** bit)) !== 0
  }

  /** Adds a user (fresh 10-digit id unless given) and returns it. */
  addUser(partial: Partial<SimUser> & { username: string }): SimUser {
    const created = user(partial.id ?? simIds.numeric(10), partial.username, simIds.identifyNum(), partial)
    this.users.push(created)
    return created
  }
}
