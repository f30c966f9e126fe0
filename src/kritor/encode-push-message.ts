/**
 * A MessageEvent → kritor `common.PushMessageBody`: the payload of MESSAGE events and of GetMessage
 * answers (kritor.md §3, §6).
 *
 * - contact: a channel message is GROUP {peer: channel id, sub_peer: guild id as information} in
 *   `group` scene mode, GUILD {peer: guild id, sub_peer: channel id} in `guild` mode; a DM is FRIEND
 *   {peer: the other user}.
 * - sender: uid = the KOOK user id and uin = the same number (koishi keys users by uin, Karin reads
 *   strings, nonebot ints); nick = guild nickname, else username, else the id — never empty, since
 *   nonebot 0.3 rejects an empty nick (betterproto drops defaults, kritor.md §7); role in channels is
 *   OWNER / ADMIN / MEMBER, never UNKNOWN (the zero value clients read as "absent").
 * - message_seq = the message index's record number: positive and increasing (nonebot rejects 0);
 *   time in seconds (KOOK sends milliseconds).
 */
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import type { MemberRole, MessageEvent } from '../model/bridge-event.js'
import { type BridgeStore, messageRecordOf } from '../store/bridge-store.js'
import { encodeElements } from './encode-elements.js'
import { u64Of } from './kritor-ids.js'

export type SceneMode = 'group' | 'guild'

export interface EncodeMessageContext {
  store: BridgeStore
  sceneMode: SceneMode
  onInvalidId?: ((id: string) => void) | undefined
}

const Scene = kritor.common.Scene
const Role = kritor.common.Role

export function roleOf(role: MemberRole): kritor.common.Role {
  switch (role) {
    case 'owner':
      return Role.OWNER
    case 'admin':
      return Role.ADMIN
    default:
      return Role.MEMBER
  }
}

/** The message's index record (the bot runtime indexed it already; putMessage returns that record). */
export function messageSeqOf(event: MessageEvent, store: BridgeStore): number {
  const known = store.getMessage(event.messageId)
  if (known !== undefined) return known.number
  return store.putMessage(messageRecordOf(event)).number
}

function contactOf(event: MessageEvent, ctx: EncodeMessageContext): kritor.common.IContact {
  if (event.scene === 'direct') {
    // The other party: the author, or (for the bot's own DMs, when kept) the user it wrote to.
    const peer = event.self ? String(event.raw['target_id'] ?? '') : event.sender.id
    return { scene: Scene.FRIEND, peer }
  }
  const channelId = event.channelId ?? ''
  if (ctx.sceneMode === 'guild') {
    return { scene: Scene.GUILD, peer: event.guildId ?? '', sub_peer: channelId }
  }
  const contact: kritor.common.IContact = { scene: Scene.GROUP, peer: channelId }
  if (event.guildId !== undefined) contact.sub_peer = event.guildId
  return contact
}

export function encodePushMessage(
  event: MessageEvent,
  ctx: EncodeMessageContext,
): kritor.common.IPushMessageBody {
  const { sender } = event
  const senderBody: kritor.common.ISender = {
    uid: sender.id,
    uin: u64Of(sender.id, ctx.onInvalidId),
    nick: sender.nickname || sender.name || sender.id,
  }
  if (event.scene === 'channel') senderBody.role = roleOf(sender.role)
  return {
    time: Math.floor(event.time / 1000),
    message_id: event.messageId,
    message_seq: messageSeqOf(event, ctx.store),
    contact: contactOf(event, ctx),
    sender: senderBody,
    elements: encodeElements(event.elements, event.plainText, ctx),
  }
}
