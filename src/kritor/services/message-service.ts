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
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
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
    GetHistoryMessage: unimplemented('message history is not served yet'),
    GetHistoryMessageBySeq: unimplemented('message history is not served yet'),
    UploadForwardMessage: unimplemented('KOOK has no forwarded-message bundles'),
    DownloadForwardMessage: unimplemented('KOOK has no forwarded-message bundles'),
    GetEssenceMessageList: unimplemented(
      'essence maps to KOOK pins, but EssenceMessageBody.group_id is uint32 and cannot hold a KOOK channel id',
    ),
    SetEssenceMessage: unimplemented('pinning messages is not served yet'),
    DeleteEssenceMessage: unimplemented('unpinning messages is not served yet'),
  }
}
