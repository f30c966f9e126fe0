/**
 * kritor.friend.FriendService. KOOK has no friends list a bot can read; its DM sessions are the
 * nearest thing (the users the bot has talked to), so GetFriendList lists those.
 *
 * GetUidByUin / GetUinByUid are identities — a KOOK user id is both the uid string and the uin number —
 * but they matter: koishi resolves every @ it sends through GetUidByUin (kritor.md §2, koishi README
 * "cannot send at").
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { requireId } from '../decode-contact.js'
import { encodeFriend, encodeProfileCard } from '../encode-info.js'
import { idOfU64 } from '../kritor-ids.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.friend.FriendService']

export function friendService(deps: ServiceDeps): ServiceImpl<Service> {
  const profiles = async (uids: readonly string[], uins: ReadonlyArray<{ toString(): string } | number>) => {
    const ids = [
      ...uids.map((uid, i) => requireId(uid, `target_uids[${i}]`, 'user id')),
      ...uins.map((uin, i) => requireId(idOfU64(uin), `target_uins[${i}]`, 'user id')),
    ]
    const users = await Promise.all(ids.map((userId) => deps.ops.run({ op: 'getUser', userId })))
    return users.map(encodeProfileCard)
  }
  return {
    GetFriendList: async () => {
      const sessions = await deps.ops.run({ op: 'listDirectSessions' })
      return { friends_info: sessions.map(encodeFriend) }
    },
    GetUidByUin: async (request) => {
      const uid_map: Record<string, string> = {}
      for (const uin of request.target_uins) {
        const id = idOfU64(uin)
        if (id !== '') uid_map[id] = id
      }
      return { uid_map }
    },
    GetUinByUid: async (request) => {
      const uin_map: Record<string, string> = {}
      request.target_uids.forEach((uid, i) => {
        uin_map[uid] = requireId(uid, `target_uids[${i}]`, 'user id')
      })
      return { uin_map }
    },
    GetFriendProfileCard: async (request) => ({
      friends_profile_card: await profiles(request.target_uids, request.target_uins),
    }),
    GetStrangerProfileCard: async (request) => ({
      strangers_profile_card: await profiles(request.target_uids, request.target_uins),
    }),
    SetProfileCard: unimplemented('a KOOK bot cannot edit its profile through the API'),
    IsBlackListUser: unimplemented('KOOK has no user blacklist readable by bots'),
    VoteUser: unimplemented('KOOK has no profile likes'),
    UploadPrivateFile: unimplemented('send a FILE element with SendMessage instead'),
  }
}
