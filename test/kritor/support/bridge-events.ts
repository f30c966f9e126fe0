/**
 * Hand-built BridgeEvents with KOOK-shaped ids: a 17-digit channel id above 2^53, a 16-digit guild id,
 * 10-digit user ids and UUID message ids.
 */
import type {
  ExtensionEvent,
  MessageEvent,
  NoticeEvent,
  RequestEvent,
  Sender,
} from '../../../src/model/bridge-event.js'
import type { Element } from '../../../src/model/element.js'

export const BOT_ID = '3541790628'
export const USER_ID = '1875604312'
export const OTHER_USER_ID = '2418239356'
export const GUILD_ID = '3987615236490215'
/** Above Number.MAX_SAFE_INTEGER: a JS number would round it. */
export const BIG_CHANNEL_ID = '45823170298430617'
export const DEFAULT_CHANNEL_ID = '4588163096275438'
export const MSG_ID = '67db8e7c-8b5c-4b8c-9a3e-3f2c1f7e0a11'
export const QUOTED_MSG_ID = '0b5a3f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'
export const CHAT_CODE = '6d0dbc5f466171d910bff4e12c88beea'
export const TIME = 1_735_716_085_977

export const sender: Sender = {
  id: USER_ID,
  name: 'Alice',
  nickname: 'Alice in KOOK',
  bot: false,
  roles: [702],
  role: 'admin',
}

const base = { eventId: MSG_ID, time: TIME, rowId: 'test', raw: { fixture: true } }

export function channelMessage(elements: Element[], extra: Partial<MessageEvent> = {}): MessageEvent {
  return {
    ...base,
    type: 'message',
    scene: 'channel',
    messageId: MSG_ID,
    kookType: 9,
    guildId: GUILD_ID,
    channelId: BIG_CHANNEL_ID,
    channelName: 'general',
    sender,
    elements,
    plainText: elements.map((e) => (e.type === 'text' ? e.text : '')).join(''),
    self: false,
    ...extra,
  }
}

export function directMessage(elements: Element[], extra: Partial<MessageEvent> = {}): MessageEvent {
  return {
    ...base,
    type: 'message',
    scene: 'direct',
    messageId: MSG_ID,
    kookType: 9,
    chatCode: CHAT_CODE,
    sender: { ...sender, nickname: '', role: 'unknown' },
    elements,
    plainText: '',
    self: false,
    ...extra,
  }
}

const noticeBase = { ...base, eventId: 'a1b2c3d4-0000-4000-8000-00000000beef' }

export const notices = {
  recall: {
    ...noticeBase,
    type: 'notice.recall',
    scene: 'channel',
    messageId: MSG_ID,
    guildId: GUILD_ID,
    channelId: BIG_CHANNEL_ID,
  },
  privateRecall: {
    ...noticeBase,
    type: 'notice.recall',
    scene: 'direct',
    messageId: MSG_ID,
    chatCode: CHAT_CODE,
    userId: USER_ID,
  },
  increase: { ...noticeBase, type: 'notice.member_increase', guildId: GUILD_ID, userId: USER_ID },
  leave: {
    ...noticeBase,
    type: 'notice.member_decrease',
    guildId: GUILD_ID,
    userId: USER_ID,
    reason: 'leave',
  },
  kick: {
    ...noticeBase,
    type: 'notice.member_decrease',
    guildId: GUILD_ID,
    userId: USER_ID,
    reason: 'kick',
    operatorId: OTHER_USER_ID,
  },
  kickMe: {
    ...noticeBase,
    type: 'notice.member_decrease',
    guildId: GUILD_ID,
    userId: BOT_ID,
    reason: 'kick_me',
  },
  ban: {
    ...noticeBase,
    type: 'notice.member_ban',
    guildId: GUILD_ID,
    userId: USER_ID,
    banned: true,
    muteKind: 'mic',
    operatorId: OTHER_USER_ID,
  },
  card: { ...noticeBase, type: 'notice.member_card', guildId: GUILD_ID, userId: USER_ID, card: 'new nick' },
  pin: {
    ...noticeBase,
    type: 'notice.pin',
    pinned: true,
    messageId: MSG_ID,
    channelId: BIG_CHANNEL_ID,
    guildId: GUILD_ID,
    operatorId: OTHER_USER_ID,
  },
  reaction: {
    ...noticeBase,
    type: 'notice.reaction',
    added: true,
    scene: 'channel',
    messageId: MSG_ID,
    userId: USER_ID,
    guildId: GUILD_ID,
    channelId: BIG_CHANNEL_ID,
    emoji: { id: '[#128077;]', name: '[#128077;]' },
  },
  privateReaction: {
    ...noticeBase,
    type: 'notice.reaction',
    added: false,
    scene: 'direct',
    messageId: MSG_ID,
    userId: USER_ID,
    chatCode: CHAT_CODE,
    emoji: { id: '[#128512;]', name: '[#128512;]' },
    raw: {
      extra: { type: 'private_deleted_reaction', body: { msg_id: MSG_ID, emoji: { id: '[#128512;]' } } },
    },
  },
  userUpdated: { ...noticeBase, type: 'notice.user_updated', userId: USER_ID, name: 'Alice2' },
} satisfies Record<string, NoticeEvent>

export const friendRequest: RequestEvent = {
  ...noticeBase,
  type: 'request',
  requestKind: 'friend',
  requestId: 'req-1',
  userId: USER_ID,
  comment: 'hi',
}

export const voiceJoined: ExtensionEvent = {
  ...noticeBase,
  type: 'extension',
  name: 'kook.voice_joined',
  guildId: GUILD_ID,
  channelId: BIG_CHANNEL_ID,
  userId: USER_ID,
  data: { user_id: USER_ID, channel_id: BIG_CHANNEL_ID },
  raw: { extra: { type: 'joined_channel', body: { user_id: USER_ID, channel_id: BIG_CHANNEL_ID } } },
}
