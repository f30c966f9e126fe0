/**
 * Hand-built BridgeEvents with KOOK-shaped ids: a 17-digit channel id above 2^53 (kook.md §7), a
 * 16-digit guild id below it, 10-digit user ids and UUID message ids.
 */
import type {
  BridgeEvent,
  ExtensionEvent,
  MessageEvent,
  NoticeEvent,
  RequestEvent,
  Sender,
} from '../../../src/model/bridge-event.js'
import type { Element } from '../../../src/model/element.js'

export const BOT_ID = '3000000001'
export const USER_ID = '2418200000'
export const OTHER_USER_ID = '57655610'
export const GUILD_ID = '6016389914000000'
/** Above Number.MAX_SAFE_INTEGER: must never reach a consumer as a raw number. */
export const BIG_CHANNEL_ID = '48818200000000000'
export const MSG_ID = '67db8e7c-8b5c-4b8c-9a3e-3f2c1f7e0a11'
export const QUOTED_MSG_ID = '0b5a3f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'
export const CHAT_CODE = '3b4aa448b8e8b9c87a1b3770792e7433'
export const TIME = 1_700_000_000_123

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

export function directMessage(elements: Element[]): MessageEvent {
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
  }
}

export const richElements: Element[] = [
  { type: 'reply', messageId: QUOTED_MSG_ID },
  { type: 'mention', kind: 'user', id: BOT_ID, name: 'bridge-bot' },
  { type: 'text', text: ' #ping [x] & y, ' },
  { type: 'emoji', kind: 'unicode', id: '👍' },
  { type: 'mention', kind: 'all' },
  { type: 'image', url: 'https://img.kookapp.cn/assets/a.png' },
  { type: 'emoji', kind: 'guild', id: `${GUILD_ID}/abc`, name: 'party' },
]

export const notices = {
  channelRecall: {
    ...base,
    type: 'notice.recall',
    scene: 'channel',
    messageId: MSG_ID,
    guildId: GUILD_ID,
    channelId: BIG_CHANNEL_ID,
  },
  directRecall: {
    ...base,
    type: 'notice.recall',
    scene: 'direct',
    messageId: MSG_ID,
    chatCode: CHAT_CODE,
    userId: USER_ID,
  },
  memberIncrease: { ...base, type: 'notice.member_increase', guildId: GUILD_ID, userId: USER_ID },
  memberDecrease: {
    ...base,
    type: 'notice.member_decrease',
    guildId: GUILD_ID,
    userId: USER_ID,
    reason: 'kick',
    operatorId: OTHER_USER_ID,
  },
  memberBan: {
    ...base,
    type: 'notice.member_ban',
    guildId: GUILD_ID,
    userId: USER_ID,
    banned: true,
    muteKind: 'mic',
    operatorId: OTHER_USER_ID,
  },
  memberCard: { ...base, type: 'notice.member_card', guildId: GUILD_ID, userId: USER_ID, card: 'New Nick' },
  pin: {
    ...base,
    type: 'notice.pin',
    pinned: true,
    messageId: MSG_ID,
    channelId: BIG_CHANNEL_ID,
    guildId: GUILD_ID,
    operatorId: OTHER_USER_ID,
  },
  channelReaction: {
    ...base,
    type: 'notice.reaction',
    added: true,
    scene: 'channel',
    messageId: MSG_ID,
    userId: OTHER_USER_ID,
    guildId: GUILD_ID,
    channelId: BIG_CHANNEL_ID,
    emoji: { id: '👍', name: 'thumbsup' },
  },
  directReaction: {
    ...base,
    type: 'notice.reaction',
    added: false,
    scene: 'direct',
    messageId: MSG_ID,
    userId: USER_ID,
    chatCode: CHAT_CODE,
    emoji: { id: `${GUILD_ID}/abc`, name: 'party' },
  },
  userUpdated: {
    ...base,
    type: 'notice.user_updated',
    userId: USER_ID,
    name: 'Alice2',
    avatar: 'https://img.kookapp.cn/avatars/a.png',
  },
} satisfies Record<string, NoticeEvent>

export const friendRequest: RequestEvent = {
  ...base,
  type: 'request',
  requestKind: 'friend',
  requestId: 'req-1',
  userId: USER_ID,
  comment: 'hi',
}

export const extension: ExtensionEvent = {
  ...base,
  type: 'extension',
  name: 'kook.message_btn_click',
  scene: 'channel',
  guildId: GUILD_ID,
  channelId: BIG_CHANNEL_ID,
  userId: USER_ID,
  messageId: MSG_ID,
  data: { value: 'vote-1' },
}

export const allEvents: Record<string, BridgeEvent> = {
  'group-message': channelMessage(richElements),
  'private-message': directMessage([{ type: 'text', text: 'hello' }]),
  'group-recall': notices.channelRecall,
  'friend-recall': notices.directRecall,
  'group-increase': notices.memberIncrease,
  'group-decrease': notices.memberDecrease,
  'group-ban': notices.memberBan,
  'group-card': notices.memberCard,
  essence: notices.pin,
  'group-msg-emoji-like': notices.channelReaction,
  'kook-private-reaction': notices.directReaction,
  'kook-user-updated': notices.userUpdated,
  'request-friend': friendRequest,
  'kook-extension': extension,
}
