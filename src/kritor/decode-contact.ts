/**
 * kritor `common.Contact` of a request → where the message goes on KOOK (kritor.md §3, §6).
 *
 * - GROUP {peer: channel id} → the channel (a GROUP is always a channel: the bridge never emits a
 *   guild as GROUP, whatever the scene mode);
 * - GUILD {peer: guild id, sub_peer: channel id} → the channel;
 * - FRIEND or STRANGER {peer: user id} → a DM (KOOK can DM anyone who shares a guild with the bot);
 * - STRANGER_FROM_GROUP {peer: user id, sub_peer: channel id} → a KOOK temp message in the channel,
 *   shown to that user only (`temp_target_id`);
 * - NEARBY and unknown scenes → INVALID_ARGUMENT.
 */
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { MessageTarget } from '../model/operation.js'
import { isU64 } from './kritor-ids.js'

const Scene = kritor.common.Scene

function bad(message: string): BridgeError {
  return new BridgeError(ErrorCode.BadParams, message)
}

/** A KOOK id from a request string field, or BAD_PARAMS naming the field. */
export function requireId(value: string | null | undefined, field: string, what: string): string {
  const id = (value ?? '').trim()
  if (id === '') throw bad(`${field} is required (${what})`)
  if (!isU64(id) || id === '0')
    throw bad(`${field} must be a KOOK ${what} (decimal digits), got "${id.slice(0, 40)}"`)
  return id
}

export function decodeContactTarget(contact: kritor.common.IContact | null | undefined): MessageTarget {
  if (contact === null || contact === undefined) throw bad('contact is required')
  const scene = contact.scene ?? Scene.GROUP
  switch (scene) {
    case Scene.GROUP:
      return { scene: 'channel', channelId: requireId(contact.peer, 'contact.peer', 'channel id') }
    case Scene.GUILD:
      return { scene: 'channel', channelId: requireId(contact.sub_peer, 'contact.sub_peer', 'channel id') }
    case Scene.FRIEND:
    case Scene.STRANGER:
      return { scene: 'direct', userId: requireId(contact.peer, 'contact.peer', 'user id') }
    case Scene.STRANGER_FROM_GROUP:
      return {
        scene: 'channel',
        channelId: requireId(contact.sub_peer, 'contact.sub_peer', 'channel id'),
        tempUserId: requireId(contact.peer, 'contact.peer', 'user id'),
      }
    default:
      throw bad(`contact.scene ${kritor.common.Scene[scene] ?? scene} has no KOOK equivalent`)
  }
}
