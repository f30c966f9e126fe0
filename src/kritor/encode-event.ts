/**
 * BridgeEvent → the bytes of one kritor `event.EventStructure` (or of one kookbridge extension event),
 * encoded once per event and written as-is to every stream of its kind (performance.md §2).
 *
 * Where each BridgeEvent goes (kritor.md §3, §6):
 * - message → MESSAGE stream, PushMessageBody (see encode-push-message.ts);
 * - recall in a channel → GROUP_RECALL; in a DM → PRIVATE_RECALL. KOOK does not say who recalled a
 *   channel message (kook.md §8.12): operator = the author when known, as the common case;
 * - member joined / left / removed / blocked / voice-muted / nickname changed → GROUP_MEMBER_INCREASE /
 *   DECREASE (LEAVE, KICK, KICK_ME) / GROUP_MEMBER_BAN / GROUP_CARD_CHANGED. These are guild-wide on
 *   KOOK while a kritor group is a channel in `group` scene mode, so the group is the guild's default
 *   text channel (the one KOOK shows first; looked up through getGuild and cached by the endpoint), or
 *   the guild id itself while that is unknown — never 0. In `guild` mode the group is the guild.
 *   The ban is a KOOK *voice* mute (KOOK has no text mute): duration -1 means "until lifted".
 * - pin / unpin → GROUP_ESSENCE_CHANGED; reaction in a channel → GROUP_REACT_MESSAGE_WITH_EMOJI
 *   (face_id per emoji-face-ids.ts; kritor 1.0.3 cannot say who reacted). Channel-scoped notices use
 *   the channel as group in both scene modes: it is what the notice is about.
 * - request → REQUEST stream (FRIEND_APPLY / INVITED_GROUP); KOOK emits none today.
 * - everything kritor cannot express — extension events, DM reactions, profile changes — goes only to
 *   kookbridge's ExtensionService stream. Never as a NoticeEvent without a payload: that crashes
 *   nonebot's listener (kritor.md §6).
 *
 * Events that cannot be placed (a channel recall without a channel) encode to `undefined`; the endpoint
 * counts them.
 */
import { kookbridge } from '../../gen/kookbridge/v1/extension.js'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import type { BridgeEvent, NoticeEvent, RequestEvent } from '../model/bridge-event.js'
import type { EmojiFaceIds } from './emoji-face-ids.js'
import { type EncodeMessageContext, encodePushMessage } from './encode-push-message.js'
import { encodeMessageStructure, encodeReactionStructure } from './encode-wire.js'
import { u64Of } from './kritor-ids.js'

export type KritorStreamKind = 'message' | 'notice' | 'request'
/** The stream kinds of one endpoint: the four kritor event types (CORE has none) plus the extension. */
export type StreamKind = KritorStreamKind | 'extension'

export type EncodedEvent =
  | { stream: KritorStreamKind; bytes: Buffer }
  | { stream: 'extension'; name: string; bytes: Buffer }

export interface EncodeEventContext extends EncodeMessageContext {
  faceIds: EmojiFaceIds
  /** The text channel standing for a guild in guild-wide notices (`group` mode), when known. */
  defaultChannelOf(guildId: string): string | undefined
}

const EventType = kritor.event.EventType
const NoticeType = kritor.event.NoticeEvent.NoticeType
const RequestType = kritor.event.RequestEvent.RequestType
const Decrease = kritor.event.GroupMemberDecreasedNotice.GroupMemberDecreasedType
const Ban = kritor.event.GroupMemberBanNotice.GroupMemberBanType

type INotice = kritor.event.INoticeEvent

/** The stream an event belongs to, decided without encoding (the endpoint skips kinds nobody reads). */
export function streamOf(event: BridgeEvent): StreamKind {
  switch (event.type) {
    case 'message':
      return 'message'
    case 'request':
      return 'request'
    case 'extension':
    case 'notice.user_updated':
      return 'extension'
    case 'notice.reaction':
      return event.scene === 'channel' ? 'notice' : 'extension'
    default:
      return 'notice'
  }
}

/** Guild-wide notices need the guild's default channel in `group` mode: the guild to look up. */
export function guildOfGuildWideNotice(event: BridgeEvent): string | undefined {
  switch (event.type) {
    case 'notice.member_increase':
    case 'notice.member_decrease':
    case 'notice.member_ban':
    case 'notice.member_card':
      return event.guildId
    default:
      return undefined
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  // grpc-js copies the response with Buffer#copy; protobufjs hands out Buffers on Node already.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The two ids of a user, as kritor's `*_uid` / `*_uin` pairs want them. */
function person(id: string | undefined, ctx: EncodeEventContext): { uid: string; uin: number | string } {
  return id === undefined || id === '' ? { uid: '', uin: 0 } : { uid: id, uin: u64Of(id, ctx.onInvalidId) }
}

function guildGroup(guildId: string, ctx: EncodeEventContext): number | string {
  const group = ctx.sceneMode === 'guild' ? guildId : (ctx.defaultChannelOf(guildId) ?? guildId)
  return u64Of(group, ctx.onInvalidId)
}

function encodeNotice(event: NoticeEvent, ctx: EncodeEventContext): INotice | undefined {
  const base = { time: Math.floor(event.time / 1000), notice_id: event.eventId }
  const id = (value: string) => u64Of(value, ctx.onInvalidId)
  switch (event.type) {
    case 'notice.recall': {
      const author = person(event.userId ?? (ctx.store.getMessage(event.messageId)?.userId || undefined), ctx)
      if (event.scene === 'direct') {
        return {
          ...base,
          type: NoticeType.PRIVATE_RECALL,
          private_recall: {
            operator_uid: author.uid,
            operator_uin: author.uin,
            message_id: event.messageId,
            tip_text: '',
          },
        }
      }
      if (event.channelId === undefined) return undefined
      const operator = event.operatorId === undefined ? author : person(event.operatorId, ctx)
      return {
        ...base,
        type: NoticeType.GROUP_RECALL,
        group_recall: {
          group_id: id(event.channelId),
          operator_uid: operator.uid,
          operator_uin: operator.uin,
          target_uid: author.uid,
          target_uin: author.uin,
          message_id: event.messageId,
          tip_text: '',
        },
      }
    }
    case 'notice.member_increase': {
      // KOOK joins come from invite links: nobody approved them, and KOOK names no operator.
      const target = person(event.userId, ctx)
      return {
        ...base,
        type: NoticeType.GROUP_MEMBER_INCREASE,
        group_member_increase: {
          group_id: guildGroup(event.guildId, ctx),
          target_uid: target.uid,
          target_uin: target.uin,
          type: kritor.event.GroupMemberIncreasedNotice.GroupMemberIncreasedType.APPROVE,
        },
      }
    }
    case 'notice.member_decrease': {
      const notice: kritor.event.IGroupMemberDecreasedNotice = {
        group_id: guildGroup(event.guildId, ctx),
        type:
          event.reason === 'leave'
            ? Decrease.LEAVE
            : event.reason === 'kick'
              ? Decrease.KICK
              : Decrease.KICK_ME,
      }
      // kritor leaves the operator out for LEAVE and the target out for KICK_ME (kritor.md §3).
      if (event.reason !== 'leave' && event.operatorId !== undefined) {
        const operator = person(event.operatorId, ctx)
        notice.operator_uid = operator.uid
        notice.operator_uin = operator.uin
      }
      if (event.reason !== 'kick_me') {
        const target = person(event.userId, ctx)
        notice.target_uid = target.uid
        notice.target_uin = target.uin
      }
      return { ...base, type: NoticeType.GROUP_MEMBER_DECREASE, group_member_decrease: notice }
    }
    case 'notice.member_ban': {
      const operator = person(event.operatorId, ctx)
      const target = person(event.userId, ctx)
      return {
        ...base,
        type: NoticeType.GROUP_MEMBER_BAN,
        group_member_ban: {
          group_id: guildGroup(event.guildId, ctx),
          operator_uid: operator.uid,
          operator_uin: operator.uin,
          target_uid: target.uid,
          target_uin: target.uin,
          // KOOK voice mutes have no end time: -1 = until lifted (the OneBot encoder says the same).
          duration: event.banned ? -1 : 0,
          type: event.banned ? Ban.BAN : Ban.LIFT_BAN,
        },
      }
    }
    case 'notice.member_card': {
      const target = person(event.userId, ctx)
      return {
        ...base,
        type: NoticeType.GROUP_CARD_CHANGED,
        // KOOK's updated_guild_member names neither the operator nor the old nickname.
        group_card_changed: {
          group_id: guildGroup(event.guildId, ctx),
          target_uid: target.uid,
          target_uin: target.uin,
          new_card: event.card,
        },
      }
    }
    case 'notice.pin': {
      const operator = person(event.operatorId, ctx)
      const author = person(ctx.store.getMessage(event.messageId)?.userId, ctx)
      return {
        ...base,
        type: NoticeType.GROUP_ESSENCE_CHANGED,
        group_essence_changed: {
          group_id: id(event.channelId),
          operator_uid: operator.uid,
          operator_uin: operator.uin,
          target_uid: author.uid,
          target_uin: author.uin,
          message_id: event.messageId,
          is_set: event.pinned,
        },
      }
    }
    case 'notice.reaction': {
      if (event.scene !== 'channel' || event.channelId === undefined) return undefined
      return {
        ...base,
        type: NoticeType.GROUP_REACT_MESSAGE_WITH_EMOJI,
        group_react_message_with_emoji: {
          group_id: id(event.channelId),
          message_id: event.messageId,
          face_id: ctx.faceIds.faceIdOf(event.emoji.id),
          is_set: event.added,
        },
      }
    }
    case 'notice.user_updated':
      return undefined
  }
}

function encodeRequest(event: RequestEvent, ctx: EncodeEventContext): kritor.event.IRequestEvent {
  const base = { time: Math.floor(event.time / 1000), request_id: event.requestId }
  const user = person(event.userId, ctx)
  if (event.requestKind === 'friend') {
    return {
      ...base,
      type: RequestType.FRIEND_APPLY,
      friend_apply: { applier_uid: user.uid, applier_uin: user.uin, message: event.comment ?? '' },
    }
  }
  return {
    ...base,
    type: RequestType.INVITED_GROUP,
    invited_group: {
      group_id: event.guildId === undefined ? 0 : guildGroup(event.guildId, ctx),
      inviter_uid: user.uid,
      inviter_uin: user.uin,
    },
  }
}

/** The KOOK event's `extra.body`, or the whole event when it has none (extension.proto `json`). */
function kookBody(event: BridgeEvent): unknown {
  const extra = event.raw['extra']
  if (typeof extra === 'object' && extra !== null && 'body' in extra) {
    const body = (extra as { body?: unknown }).body
    if (body !== undefined && body !== null) return body
  }
  return event.raw
}

function extensionName(event: BridgeEvent): string {
  switch (event.type) {
    case 'extension':
      return event.name.startsWith('kook.') ? event.name.slice('kook.'.length) : event.name
    case 'notice.reaction':
      return event.added ? 'private_reaction_added' : 'private_reaction_removed'
    default:
      return event.type.startsWith('notice.') ? event.type.slice('notice.'.length) : event.type
  }
}

function idField(event: BridgeEvent, key: 'guildId' | 'channelId' | 'userId' | 'messageId'): string {
  const value = key in event ? (event as Partial<Record<typeof key, unknown>>)[key] : undefined
  return typeof value === 'string' ? value : ''
}

function encodeExtension(event: BridgeEvent): EncodedEvent {
  const name = extensionName(event)
  const bytes = kookbridge.v1.RegisterExtensionListenerResponse.encode({
    name,
    time: event.time,
    guild_id: idField(event, 'guildId'),
    channel_id: idField(event, 'channelId'),
    user_id: idField(event, 'userId'),
    message_id: idField(event, 'messageId'),
    json: JSON.stringify(kookBody(event)) ?? 'null',
  }).finish()
  return { stream: 'extension', name, bytes: toBuffer(bytes) }
}

/** Encodes an event for the stream `streamOf(event)` names; undefined when it cannot be placed. */
export function encodeEvent(event: BridgeEvent, ctx: EncodeEventContext): EncodedEvent | undefined {
  const stream = streamOf(event)
  if (stream === 'extension') return encodeExtension(event)
  let structure: kritor.event.IEventStructure
  if (event.type === 'message') {
    if (event.scene === 'channel' && event.channelId === undefined) return undefined
    // The two event shapes of nearly all traffic skip protobufjs (why and what it saved: encode-wire.ts).
    const bytes = encodeMessageStructure(EventType.EVENT_TYPE_MESSAGE, encodePushMessage(event, ctx))
    return { stream: 'message', bytes }
  } else if (event.type === 'request') {
    structure = { type: EventType.EVENT_TYPE_REQUEST, request: encodeRequest(event, ctx) }
  } else if (event.type === 'extension') {
    return encodeExtension(event)
  } else {
    const notice = encodeNotice(event, ctx)
    if (notice === undefined) return undefined
    const bytes = encodeReactionStructure(EventType.EVENT_TYPE_NOTICE, notice)
    if (bytes !== undefined) return { stream: 'notice', bytes }
    structure = { type: EventType.EVENT_TYPE_NOTICE, notice }
  }
  const bytes = kritor.event.EventStructure.encode(structure).finish()
  return { stream: stream as KritorStreamKind, bytes: toBuffer(bytes) }
}
