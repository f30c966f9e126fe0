/**
 * The OneBot `message_id` of a KOOK message, allocating one when the message index does not know it
 * yet (a reply to an older message, a recall or reaction on one). Allocating is what lets a consumer
 * call `get_msg` / `delete_msg` with the number later: NoneBot calls `get_msg(int(id))` for every reply
 * segment (onebot-v11.md §A2). `place` says where the message lives; an unknown author is `''`.
 */
import type { Scene } from '../model/bridge-event.js'
import type { BridgeStore } from '../store/bridge-store.js'

export interface MessagePlace {
  scene: Scene
  guildId?: string | undefined
  channelId?: string | undefined
  chatCode?: string | undefined
  userId?: string | undefined
  time?: number | undefined
}

export function messageNumberFor(store: BridgeStore, msgId: string, place: MessagePlace): number {
  const known = store.getMessage(msgId)
  if (known) return known.number
  return store.putMessage({
    msgId,
    scene: place.scene,
    ...(place.guildId !== undefined && { guildId: place.guildId }),
    ...(place.channelId !== undefined && { channelId: place.channelId }),
    ...(place.chatCode !== undefined && { chatCode: place.chatCode }),
    userId: place.userId ?? '',
    time: place.time ?? 0,
    parts: [msgId],
  }).number
}
