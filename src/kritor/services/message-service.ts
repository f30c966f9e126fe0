/**
 * kritor.message.MessageService → sendMessage / recall / getMessage / react operations.
 *
 * - SendMessage: contact per decode-contact.ts (GROUP, GUILD, FRIEND, STRANGER, STRANGER_FROM_GROUP as
 *   a KOOK temp message), elements per decode-elements.ts. The passive ids (message_id, notice_id,
 *   request_id) name the event being answered, a QQ official-bot notion, not a quote: ignored
 *   (nonebot always sets one, kritor.md §6). message_id of the answer = the first KOOK msg_id of the
 *   send (one logical message may become several KOOK messages; recall removes them all).
 * - RecallMessage / GetMessage / ReactMessageWithEmoji need only message_id (nonebot sends nothing
 *   else): the message index knows the rest. GetMessageBySeq resolves the synthetic seq through it.
 * - GetHistoryMessage / GetHistoryMessageBySeq: the conversation (a channel, or a DM by user) from the
 *   contact, the messages up to and including the start message (the newest when none is given),
 *   oldest first, as Shamrock and Lagrange answer it; `count` defaults to 20 and is capped at KOOK's
 *   page size of 100. Every message carries the message_seq its event had (or a fresh persistent one).
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { Conversation } from '../../model/operation.js'
import { decodeContactTarget } from '../decode-contact.js'
import { decodeElements } from '../decode-elements.js'
import { encodePushMessage } from '../encode-push-message.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.message.MessageService']

function requireMessageId(value: string): string {
  const id = value.trim()
  if (id === '') throw new BridgeError(ErrorCode.BadParams, 'message_id is required (a KOOK msg_id)')
  return id
}

const DEFAULT_HISTORY_COUNT = 20

/** The conversation a history request reads: KOOK lists channels and DMs, not temp messages. */
function historyConversation(contact: Parameters<typeof decodeContactTarget>[0]): Conversation {
  const target = decodeContactTarget(contact)
  if (target.scene === 'direct') return target.userId ? { scene: 'direct', userId: target.userId } : target
  if (target.tempUserId !== undefined)
    throw new BridgeError(
      ErrorCode.BadParams,
      'KOOK keeps no history of temporary (STRANGER_FROM_GROUP) messages',
    )
  return { scene: 'channel', channelId: target.channelId }
}

function historyCount(count: number | null | undefined): number {
  // proto3 `optional uint32`: absent or 0 both mean "the default" to the clients that send it.
  return count === null || count === undefined || count === 0 ? DEFAULT_HISTORY_COUNT : count
}

export function messageService(deps: ServiceDeps): ServiceImpl<Service> {
  const getMessage = async (messageId: string) => {
    const event = await deps.ops.run({ op: 'getMessage', messageId })
    return {
      message: encodePushMessage(event, {
        store: deps.store,
        sceneMode: deps.sceneMode,
        onInvalidId: deps.onInvalidId,
      }),
    }
  }
  const history = async (
    target: Conversation,
    anchor: string | undefined,
    count: number | null | undefined,
  ) => {
    const known = anchor === undefined ? undefined : deps.store.getMessage(anchor)
    // KOOK would page another channel's history around a foreign msg_id; say what is wrong instead.
    const inTarget =
      known === undefined ||
      (target.scene === 'channel' ? known.channelId === target.channelId : known.scene === 'direct')
    if (!inTarget) throw new BridgeError(ErrorCode.BadParams, `message ${anchor} is not in this conversation`)
    const events = await deps.ops.run({
      op: 'getHistory',
      target,
      ...(anchor === undefined ? {} : { anchor, includeAnchor: true }),
      direction: 'before',
      count: historyCount(count),
    })
    const encode = { store: deps.store, sceneMode: deps.sceneMode, onInvalidId: deps.onInvalidId }
    return { messages: events.map((event) => encodePushMessage(event, encode)) }
  }
  return {
    SendMessage: async (request) => {
      const target = decodeContactTarget(request.contact)
      const elements = decodeElements(request.elements, deps)
      const result = await deps.ops.run({ op: 'sendMessage', target, elements })
      return { message_id: result.messageIds[0] ?? '', message_time: Math.floor(result.time / 1000) }
    },
    RecallMessage: async (request) => {
      const messageId = requireMessageId(request.message_id)
      // Every KOOK message of a logical send goes: the framework knows only the first id.
      const parts = deps.store.getMessage(messageId)?.parts
      await deps.ops.run({ op: 'recall', messageIds: parts && parts.length > 0 ? [...parts] : [messageId] })
      return {}
    },
    GetMessage: async (request) => getMessage(requireMessageId(request.message_id)),
    GetMessageBySeq: async (request) => {
      const seq = Number(String(request.message_seq))
      const record = Number.isSafeInteger(seq) && seq > 0 ? deps.store.getMessageByNumber(seq) : undefined
      if (record === undefined) {
        throw new BridgeError(
          ErrorCode.NotFound,
          `no message with message_seq ${String(request.message_seq)}`,
        )
      }
      return getMessage(record.msgId)
    },
    ReactMessageWithEmoji: async (request) => {
      const messageId = requireMessageId(request.message_id)
      const emoji = deps.faceIds.emojiOf(request.face_id)
      await deps.ops.run({ op: 'react', messageId, emoji, add: request.is_set })
      return {}
    },
    SendMessageByResId: unimplemented('KOOK has no forwarded-message bundles (res_id)'),
    SetMessageReaded: unimplemented('KOOK has no read receipts for bots'),
    GetHistoryMessage: async (request) => {
      const target = historyConversation(request.contact)
      const anchor = (request.start_message_id ?? '').trim()
      return history(target, anchor === '' ? undefined : anchor, request.count)
    },
    GetHistoryMessageBySeq: async (request) => {
      const target = historyConversation(request.contact)
      const raw = request.start_message_seq
      const seq = raw === null || raw === undefined ? 0 : Number(String(raw))
      if (seq === 0) return history(target, undefined, request.count)
      const record = Number.isSafeInteger(seq) && seq > 0 ? deps.store.getMessageByNumber(seq) : undefined
      if (record === undefined)
        throw new BridgeError(ErrorCode.NotFound, `no message with message_seq ${String(raw)}`)
      return history(target, record.msgId, request.count)
    },
    UploadForwardMessage: unimplemented('KOOK has no forwarded-message bundles'),
    DownloadForwardMessage: unimplemented('KOOK has no forwarded-message bundles'),
    GetEssenceMessageList: unimplemented(
      'essence maps to KOOK pins, but EssenceMessageBody.group_id is uint32 and cannot hold a KOOK channel id',
    ),
    SetEssenceMessage: unimplemented('pinning messages is not served yet'),
    DeleteEssenceMessage: unimplemented('unpinning messages is not served yet'),
  }
}
