import { describe, expect, it } from 'vitest'
import { kookbridge } from '../../gen/kookbridge/v1/extension.js'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { EmojiFaceIds } from '../../src/kritor/emoji-face-ids.js'
import { type EncodeEventContext, encodeEvent } from '../../src/kritor/encode-event.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import {
  BIG_CHANNEL_ID,
  BOT_ID,
  channelMessage,
  DEFAULT_CHANNEL_ID,
  directMessage,
  GUILD_ID,
  MSG_ID,
  notices,
  OTHER_USER_ID,
  USER_ID,
  voiceJoined,
} from './support/bridge-events.js'
import { protoObject } from './support/proto-object.js'

function context(overrides: Partial<EncodeEventContext> = {}) {
  const invalid: string[] = []
  const ctx: EncodeEventContext = {
    store: new MemoryStore(),
    sceneMode: 'group',
    faceIds: new EmojiFaceIds(),
    defaultChannelOf: (guildId) => (guildId === GUILD_ID ? DEFAULT_CHANNEL_ID : undefined),
    onInvalidId: (id) => invalid.push(id),
    ...overrides,
  }
  return { ctx, invalid }
}

/** Encodes, then decodes the bytes as a client would (uint64 as strings, enum names). */
function roundTrip(event: BridgeEvent, ctx: EncodeEventContext) {
  const encoded = encodeEvent(event, ctx)
  if (encoded === undefined) return undefined
  if (encoded.stream === 'extension') {
    const message = kookbridge.v1.RegisterExtensionListenerResponse.decode(encoded.bytes)
    return {
      stream: encoded.stream,
      value: protoObject('kookbridge.v1.RegisterExtensionListenerResponse', message, { longs: String }),
    }
  }
  const message = kritor.event.EventStructure.decode(encoded.bytes)
  return {
    stream: encoded.stream,
    value: protoObject('kritor.event.EventStructure', message, {
      longs: String,
      enums: String,
      oneofs: true,
    }),
  }
}

function payload(event: BridgeEvent, ctx: EncodeEventContext, stream: 'notice' | 'message') {
  const out = roundTrip(event, ctx)
  if (out?.stream !== stream) throw new Error(`expected the ${stream} stream, got ${out?.stream}`)
  return (out.value as Record<string, Record<string, unknown>>)[stream] ?? {}
}

const notice = (event: BridgeEvent, ctx: EncodeEventContext) => payload(event, ctx, 'notice')
const message = (event: BridgeEvent, ctx: EncodeEventContext) => payload(event, ctx, 'message')

describe('encodeEvent: messages', () => {
  it('fills every field clients read: seq > 0, seconds, uin = id, nick and role never empty', () => {
    const { ctx } = context()
    const body = message(channelMessage([{ type: 'text', text: 'hi' }]), ctx)
    expect(body).toEqual({
      time: '1735716085',
      message_id: MSG_ID,
      message_seq: '1',
      contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID, sub_peer: GUILD_ID, _sub_peer: 'sub_peer' },
      sender: {
        uid: USER_ID,
        uin: USER_ID,
        _uin: 'uin',
        nick: 'Alice in KOOK',
        _nick: 'nick',
        role: 'ADMIN',
        _role: 'role',
      },
      elements: [{ type: 'TEXT', text: { text: 'hi' }, data: 'text' }],
    })
  })

  it('falls back to the username, then the id, for nick; MEMBER for unknown roles; never zero elements', () => {
    const { ctx } = context()
    const event = channelMessage([], {
      sender: { id: USER_ID, name: '', nickname: '', bot: false, roles: [], role: 'unknown' },
      plainText: '',
    })
    const body = message(event, ctx)
    expect(body['sender']).toMatchObject({ nick: USER_ID, role: 'MEMBER' })
    expect(body['elements']).toEqual([{ type: 'TEXT', text: { text: '' }, data: 'text' }])
  })

  it('keeps the message index seq: the same message gets the same seq, the next one a higher one', () => {
    const { ctx } = context()
    const first = message(channelMessage([{ type: 'text', text: 'a' }]), ctx)
    const again = message(channelMessage([{ type: 'text', text: 'a' }]), ctx)
    const next = message(channelMessage([{ type: 'text', text: 'b' }], { messageId: 'next' }), ctx)
    expect([first['message_seq'], again['message_seq'], next['message_seq']]).toEqual(['1', '1', '2'])
  })

  it('makes a DM a FRIEND contact with the other user as peer, even for the bot’s own DMs', () => {
    const { ctx } = context()
    expect(message(directMessage([{ type: 'text', text: 'hi' }]), ctx)['contact']).toEqual({
      scene: 'FRIEND',
      peer: USER_ID,
    })
    const own = directMessage([{ type: 'text', text: 'mine' }], {
      messageId: 'own',
      self: true,
      sender: { id: BOT_ID, name: 'bot', nickname: '', bot: true, roles: [], role: 'unknown' },
      raw: { target_id: OTHER_USER_ID },
    })
    expect(message(own, ctx)['contact']).toEqual({ scene: 'FRIEND', peer: OTHER_USER_ID })
  })

  it('encodes every element kind per kritor.md §6 and merges adjacent text', () => {
    const { ctx } = context()
    const body = message(
      channelMessage([
        { type: 'reply', messageId: 'quoted' },
        { type: 'mention', kind: 'user', id: USER_ID },
        { type: 'text', text: ' see ' },
        { type: 'mention', kind: 'role', id: '702', name: 'admins' },
        { type: 'text', text: ' in ' },
        { type: 'mention', kind: 'channel', id: BIG_CHANNEL_ID, name: 'news' },
        { type: 'mention', kind: 'here' },
        { type: 'emoji', kind: 'unicode', id: '👍' },
        { type: 'emoji', kind: 'guild', id: `${GUILD_ID}/abc`, name: 'party' },
        { type: 'image', url: 'https://img.kookapp.cn/a.png' },
        { type: 'video', url: 'https://img.kookapp.cn/a.mp4' },
        { type: 'audio', url: 'https://img.kookapp.cn/a.m4a' },
        { type: 'file', url: 'https://img.kookapp.cn/a.pdf', name: 'a.pdf', size: 42 },
        { type: 'kmarkdown', content: '**bold**' },
        { type: 'card', json: '[{"type":"card","modules":[]}]' },
        {
          type: 'buttons',
          buttons: [
            { text: 'Go', action: 'return', value: 'v1' },
            { text: 'Docs', action: 'link', value: 'https://kookapp.cn' },
          ],
        },
      ]),
      ctx,
    )
    const elements = body['elements'] as Array<Record<string, unknown>>
    expect(elements.map((e) => e['type'])).toEqual([
      'REPLY',
      'AT',
      'TEXT',
      'AT',
      'TEXT',
      'IMAGE',
      'VIDEO',
      'VOICE',
      'FILE',
      'MARKDOWN',
      'JSON',
      'KEYBOARD',
    ])
    expect(elements[1]).toMatchObject({ at: { uid: USER_ID, uin: USER_ID } })
    expect(elements[2]).toMatchObject({ text: { text: ' see @admins in #news' } })
    expect(elements[3]).toMatchObject({ at: { uid: 'all' } })
    expect(elements[4]).toMatchObject({ text: { text: `👍[:party:${GUILD_ID}/abc]` } })
    expect(elements[8]).toMatchObject({
      file: { name: 'a.pdf', size: '42', url: 'https://img.kookapp.cn/a.pdf' },
    })
    expect(elements[11]).toMatchObject({
      keyboard: {
        rows: [
          {
            buttons: [
              { id: '1', render_data: { label: 'Go' }, action: { type: 1, data: 'v1' } },
              { id: '2', render_data: { label: 'Docs' }, action: { type: 0, data: 'https://kookapp.cn' } },
            ],
          },
        ],
      },
    })
  })

  it('writes a placeholder (non-decimal) id as uin 0 and reports it', () => {
    const { ctx, invalid } = context()
    const body = message(
      channelMessage([{ type: 'text', text: 'x' }], {
        sender: { id: 'xxxxx', name: 'xxxxx', nickname: '', bot: false, roles: [], role: 'member' },
      }),
      ctx,
    )
    expect(body['sender']).toMatchObject({ uid: 'xxxxx', uin: '0' })
    expect(invalid).toEqual(['xxxxx'])
  })
})

describe('encodeEvent: notices', () => {
  it('recall in a channel: GROUP_RECALL on the channel, author from the message index as target and operator', () => {
    const { ctx } = context()
    ctx.store.putMessage({
      msgId: MSG_ID,
      scene: 'channel',
      channelId: BIG_CHANNEL_ID,
      userId: USER_ID,
      time: 1,
      parts: [MSG_ID],
    })
    expect(notice(notices.recall, ctx)).toMatchObject({
      type: 'GROUP_RECALL',
      time: '1735716085',
      notice_id: notices.recall.eventId,
      group_recall: {
        group_id: BIG_CHANNEL_ID,
        operator_uid: USER_ID,
        operator_uin: USER_ID,
        target_uid: USER_ID,
        target_uin: USER_ID,
        message_id: MSG_ID,
      },
    })
  })

  it('recall in a DM: PRIVATE_RECALL', () => {
    const { ctx } = context()
    expect(notice(notices.privateRecall, ctx)).toMatchObject({
      type: 'PRIVATE_RECALL',
      private_recall: { operator_uid: USER_ID, operator_uin: USER_ID, message_id: MSG_ID },
    })
  })

  it('guild-wide notices use the default channel in group mode, the guild in guild mode, never 0', () => {
    const group = context().ctx
    expect(notice(notices.increase, group)).toMatchObject({
      type: 'GROUP_MEMBER_INCREASE',
      group_member_increase: {
        group_id: DEFAULT_CHANNEL_ID,
        target_uid: USER_ID,
        target_uin: USER_ID,
        type: 'APPROVE',
      },
    })
    const guild = context({ sceneMode: 'guild' }).ctx
    expect(notice(notices.increase, guild)).toMatchObject({ group_member_increase: { group_id: GUILD_ID } })
    const unknown = context({ defaultChannelOf: () => undefined }).ctx
    expect(notice(notices.increase, unknown)).toMatchObject({ group_member_increase: { group_id: GUILD_ID } })
  })

  it('member decrease: LEAVE has no operator, KICK names it, KICK_ME has no target', () => {
    const { ctx } = context()
    const leave = notice(notices.leave, ctx)['group_member_decrease'] as Record<string, unknown>
    expect(leave).toMatchObject({ type: 'LEAVE', target_uid: USER_ID })
    expect(leave['operator_uid']).toBeUndefined()
    expect(notice(notices.kick, ctx)['group_member_decrease']).toMatchObject({
      type: 'KICK',
      operator_uid: OTHER_USER_ID,
      operator_uin: OTHER_USER_ID,
      target_uid: USER_ID,
    })
    const kickMe = notice(notices.kickMe, ctx)['group_member_decrease'] as Record<string, unknown>
    expect(kickMe).toMatchObject({ type: 'KICK_ME', group_id: DEFAULT_CHANNEL_ID })
    expect(kickMe['target_uid']).toBeUndefined()
  })

  it('voice mute → GROUP_MEMBER_BAN (-1 = until lifted), nickname → GROUP_CARD_CHANGED, pin → ESSENCE', () => {
    const { ctx } = context()
    expect(notice(notices.ban, ctx)).toMatchObject({
      type: 'GROUP_MEMBER_BAN',
      group_member_ban: {
        group_id: DEFAULT_CHANNEL_ID,
        operator_uid: OTHER_USER_ID,
        target_uid: USER_ID,
        duration: -1,
        type: 'BAN',
      },
    })
    expect(notice({ ...notices.ban, banned: false }, ctx)).toMatchObject({
      group_member_ban: { duration: 0, type: 'LIFT_BAN' },
    })
    expect(notice(notices.card, ctx)).toMatchObject({
      type: 'GROUP_CARD_CHANGED',
      group_card_changed: { group_id: DEFAULT_CHANNEL_ID, target_uid: USER_ID, new_card: 'new nick' },
    })
    expect(notice(notices.pin, ctx)).toMatchObject({
      type: 'GROUP_ESSENCE_CHANGED',
      group_essence_changed: {
        group_id: BIG_CHANNEL_ID,
        operator_uid: OTHER_USER_ID,
        message_id: MSG_ID,
        is_set: true,
      },
    })
  })

  it('channel reaction → GROUP_REACT_MESSAGE_WITH_EMOJI with the code point as face_id', () => {
    const { ctx } = context()
    expect(notice(notices.reaction, ctx)).toMatchObject({
      type: 'GROUP_REACT_MESSAGE_WITH_EMOJI',
      group_react_message_with_emoji: {
        group_id: BIG_CHANNEL_ID,
        message_id: MSG_ID,
        face_id: 128077,
        is_set: true,
      },
    })
  })

  it('sends what kritor cannot carry to the extension stream, never as a payload-less notice', () => {
    const { ctx } = context()
    for (const event of [notices.privateReaction, notices.userUpdated, voiceJoined]) {
      expect(roundTrip(event, ctx)?.stream).toBe('extension')
    }
    expect(roundTrip(voiceJoined, ctx)?.value).toEqual({
      name: 'voice_joined',
      time: String(voiceJoined.time),
      guild_id: GUILD_ID,
      channel_id: BIG_CHANNEL_ID,
      user_id: USER_ID,
      message_id: '',
      json: JSON.stringify({ user_id: USER_ID, channel_id: BIG_CHANNEL_ID }),
    })
  })

  it('cannot place a channel recall without a channel', () => {
    const { ctx } = context()
    const { channelId: _, ...withoutChannel } = notices.recall
    expect(encodeEvent(withoutChannel, ctx)).toBeUndefined()
  })
})
