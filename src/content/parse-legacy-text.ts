/**
 * Legacy KOOK text (message type 1) → Element[].
 *
 * Type 1 has no escapes and its own mention syntax (kook.md §3): `@name#userId`, `@role:ID;`,
 * `#channel:ID;`, `@全体成员` (all), `@在线成员` (here), and guild emoji `[:name:guildId/code]`. Since a
 * display name may itself contain `#`, a user mention is only recognised when its id is one KOOK lists
 * in `extra.mention` (when that list is given); otherwise the text stays text.
 */
import type { Element } from '../model/element.js'

const LEGACY_RE =
  /@全体成员|@在线成员|@role:(\d+);|#channel:(\d+);|\[:([^:\]\n]{1,64}):([^\]\s]{1,64})\]|@([^@#\n]{1,64}?)#(\d+)/g

export function parseLegacyText(text: string, mentionIds?: readonly string[]): Element[] {
  if (typeof text !== 'string' || text === '') return []
  const out: Element[] = []
  let last = 0
  const re = new RegExp(LEGACY_RE)
  let m = re.exec(text)
  while (m !== null) {
    const [whole, roleId, channelId, emojiName, emojiId, userName, userId] = m
    let el: Element | undefined
    if (whole === '@全体成员') el = { type: 'mention', kind: 'all' }
    else if (whole === '@在线成员') el = { type: 'mention', kind: 'here' }
    else if (roleId !== undefined) el = { type: 'mention', kind: 'role', id: roleId }
    else if (channelId !== undefined) el = { type: 'mention', kind: 'channel', id: channelId }
    else if (emojiName !== undefined && emojiId !== undefined)
      el = { type: 'emoji', kind: 'guild', id: emojiId, name: emojiName }
    else if (userId !== undefined && (mentionIds === undefined || mentionIds.includes(userId)))
      el = { type: 'mention', kind: 'user', id: userId, name: userName ?? '' }
    if (el === undefined) {
      // Not a mention after all: rescan from the next character (the name may hide a real one).
      re.lastIndex = m.index + 1
    } else {
      if (m.index > last) out.push({ type: 'text', text: text.slice(last, m.index) })
      out.push(el)
      last = m.index + whole.length
    }
    m = re.exec(text)
  }
  if (last < text.length) out.push({ type: 'text', text: text.slice(last) })
  return out
}
