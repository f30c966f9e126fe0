import type { SimWorld } from './sim-world.js'

/** What KOOK derives from a KMarkdown message body: the mention arrays and the `kmarkdown` extra. */
export interface KmarkdownFacts {
  mention: string[]
  mention_all: boolean
  mention_here: boolean
  mention_roles: number[]
  nav_channels: string[]
  kmarkdown: {
    raw_content: string
    mention_part: Array<{ id: string; username: string; full_name: string; avatar: string }>
    mention_role_part: Array<{ role_id: number; name: string; color: number; position: number }>
    channel_part: Array<{ id: string; guild_id: string; type: number; name: string }>
    item_part: unknown[]
  }
}

// (met|rol|chn) mentions; (emj) server emoji; formatting tags that leave no text behind.
const TAG =
  /\((met|rol|chn)\)([^()\s]+?)\(\1\)|\(emj\)([^()]*?)\(emj\)\[([^\]]*)\]|\(font\)\[[a-z]+\]|\((?:ins|spl|font)\)/g
const ESCAPED = /\\([!-/:-@[-`{-~])/g

/**
 * Reads `(met)id(met)`, `(met)all(met)`, `(met)here(met)`, `(rol)id(rol)` and `(chn)id(chn)` out of
 * KMarkdown the way KOOK fills `extra.mention*` and `extra.kmarkdown` (kook.md §3, §6). `raw_content` is
 * the plain text: tags become `@name` / `#channel`, backslash escapes are dropped, edges trimmed.
 */
export function analyseKmarkdown(content: string, world: SimWorld, guildId?: string): KmarkdownFacts {
  const facts: KmarkdownFacts = {
    mention: [],
    mention_all: false,
    mention_here: false,
    mention_roles: [],
    nav_channels: [],
    kmarkdown: { raw_content: '', mention_part: [], mention_role_part: [], channel_part: [], item_part: [] },
  }
  const raw = content.replace(TAG, (_whole, kind?: string, id?: string, emojiName?: string) => {
    if (emojiName !== undefined) return `[${emojiName}]`
    if (kind === undefined || id === undefined) return ''
    if (kind === 'met') return mentionUser(facts, world, id, guildId)
    if (kind === 'rol') {
      const role = guildId ? world.guildRoles(guildId).find((r) => String(r.role_id) === id) : undefined
      const roleId = Number(id)
      if (Number.isSafeInteger(roleId) && !facts.mention_roles.includes(roleId)) {
        facts.mention_roles.push(roleId)
        if (role) {
          const { role_id, name, color, position } = role
          facts.kmarkdown.mention_role_part.push({ role_id, name, color, position })
        }
      }
      return `@${role?.name ?? id}`
    }
    const channel = world.channel(id)
    if (!facts.nav_channels.includes(id)) {
      facts.nav_channels.push(id)
      if (channel) {
        const { guild_id, type, name } = channel
        facts.kmarkdown.channel_part.push({ id, guild_id, type, name })
      }
    }
    return `#${channel?.name ?? id}`
  })
  facts.kmarkdown.raw_content = raw.replace(ESCAPED, '$1').trim()
  return facts
}

function mentionUser(facts: KmarkdownFacts, world: SimWorld, id: string, guildId?: string): string {
  if (id === 'all') {
    facts.mention_all = true
    return '@全体成员'
  }
  if (id === 'here') {
    facts.mention_here = true
    return '@在线成员'
  }
  const user = world.user(id)
  const nickname = guildId ? world.member(guildId, id)?.nickname : undefined
  const shown = nickname || user?.username || id
  if (!facts.mention.includes(id)) {
    facts.mention.push(id)
    if (user) {
      facts.kmarkdown.mention_part.push({
        id,
        username: user.username,
        full_name: `${user.username}#${user.identify_num}`,
        avatar: user.avatar,
      })
    }
  }
  return `@${shown}`
}
