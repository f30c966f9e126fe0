// The hand-written encoder of the hot kritor events must give the very bytes protobufjs's generated
// code gives (encode-wire.ts): compared here over every element kind, both scene modes, ids above
// 2^53, invalid ids, lengths that need 2- and 3-byte varints, and non-ASCII text.
import { describe, expect, it } from 'vitest'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { EmojiFaceIds } from '../../src/kritor/emoji-face-ids.js'
import { type EncodeEventContext, encodeEvent } from '../../src/kritor/encode-event.js'
import { encodePushMessage } from '../../src/kritor/encode-push-message.js'
import { encodeMessageStructure, encodeReactionStructure } from '../../src/kritor/encode-wire.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'
import type { Element } from '../../src/model/element.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import {
  BIG_CHANNEL_ID,
  channelMessage,
  DEFAULT_CHANNEL_ID,
  directMessage,
  GUILD_ID,
  notices,
  USER_ID,
} from './support/bridge-events.js'
import { protoObject } from './support/proto-object.js'

const EventType = kritor.event.EventType

function context(sceneMode: 'group' | 'guild'): EncodeEventContext {
  return {
    store: new MemoryStore(),
    sceneMode,
    faceIds: new EmojiFaceIds(),
    defaultChannelOf: (guildId) => (guildId === GUILD_ID ? DEFAULT_CHANNEL_ID : undefined),
  }
}

/** What the generated code writes for the same structure. */
function generated(structure: kritor.event.IEventStructure): Buffer {
  return Buffer.from(kritor.event.EventStructure.encode(structure).finish())
}

const long = (n: number) => 'x'.repeat(n)

const ELEMENT_SETS: Array<[string, Element[]]> = [
  ['text', [{ type: 'text', text: 'hi' }]],
  ['empty text', [{ type: 'text', text: '' }]],
  ['no elements (fallback text)', []],
  ['non-ASCII and emoji', [{ type: 'text', text: '你好 wörld 👍🏽 ok' }]],
  ['text of 127 bytes', [{ type: 'text', text: long(127) }]],
  ['text of 128 bytes', [{ type: 'text', text: long(128) }]],
  ['text of 20,000 bytes', [{ type: 'text', text: long(20_000) }]],
  [
    'text of 1.5 MB (beyond the scratch space, which grows and shrinks back)',
    [{ type: 'text', text: long(1_500_000) }],
  ],
  ['long non-ASCII text', [{ type: 'text', text: '字'.repeat(3_000) }]],
  [
    'mentions of every kind',
    [
      { type: 'mention', kind: 'user', id: USER_ID },
      { type: 'mention', kind: 'user', id: BIG_CHANNEL_ID },
      { type: 'mention', kind: 'user', id: 'xxxx' },
      { type: 'mention', kind: 'user', id: '18446744073709551615' },
      { type: 'mention', kind: 'all' },
      { type: 'mention', kind: 'here' },
      { type: 'mention', kind: 'role', id: '702', name: 'admins' },
      { type: 'mention', kind: 'channel', id: BIG_CHANNEL_ID, name: 'general' },
      { type: 'text', text: ' hello' },
    ],
  ],
  [
    'reply',
    [
      { type: 'reply', messageId: 'abc' },
      { type: 'text', text: 'x' },
    ],
  ],
  [
    'media',
    [
      { type: 'image', url: 'https://img.kookapp.cn/a.png' },
      { type: 'video', url: 'https://img.kookapp.cn/a.mp4' },
      { type: 'audio', url: 'https://img.kookapp.cn/a.mp3' },
      { type: 'file', url: 'https://img.kookapp.cn/a.zip', name: 'a.zip', size: 123_456 },
      { type: 'file', url: 'https://img.kookapp.cn/b.zip' },
    ],
  ],
  [
    'emoji, kmarkdown, card, buttons',
    [
      { type: 'emoji', kind: 'unicode', id: '😀' },
      { type: 'emoji', kind: 'guild', id: '123/abc', name: 'smile' },
      { type: 'kmarkdown', content: '**bold** (met)all(met)' },
      { type: 'card', json: JSON.stringify([{ type: 'card', modules: [{ text: long(300) }] }]) },
      {
        type: 'buttons',
        buttons: [
          { text: 'go', action: 'link', value: 'https://kookapp.cn' },
          { text: 'ok', action: 'return', value: 'v', theme: 'secondary' },
        ],
      },
    ],
  ],
]

describe('encodeMessageStructure', () => {
  for (const sceneMode of ['group', 'guild'] as const) {
    for (const [name, elements] of ELEMENT_SETS) {
      it(`writes protobufjs's bytes: ${name} (${sceneMode} mode)`, () => {
        for (const event of [channelMessage(elements), directMessage(elements)]) {
          const body = encodePushMessage(event, context(sceneMode))
          const fast = encodeMessageStructure(EventType.EVENT_TYPE_MESSAGE, body)
          expect(fast.toString('hex')).toBe(
            generated({ type: EventType.EVENT_TYPE_MESSAGE, message: body }).toString('hex'),
          )
        }
      })
    }
  }

  it('writes every uint64 form as protobufjs does: large, negative, fractional numbers and Longs', () => {
    for (const time of [0, 1, 127, 128, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 40), 1.5]) {
      const body: kritor.common.IPushMessageBody = {
        time,
        message_seq: { low: -1, high: 7 } as unknown as number,
        sender: { uid: '', uin: '9007199254740993', nick: '', role: -2 as kritor.common.Role },
        contact: { scene: -1 as kritor.common.Scene, peer: '' },
        elements: [{ type: kritor.common.Element.ElementType.AT, at: { uid: 'a', uin: 0 } }],
      }
      expect(encodeMessageStructure(EventType.EVENT_TYPE_MESSAGE, body).toString('hex')).toBe(
        generated({ type: EventType.EVENT_TYPE_MESSAGE, message: body }).toString('hex'),
      )
    }
  })

  it('hands an element with more than one member, or an unknown one, to the generated encoder', () => {
    const T = kritor.common.Element.ElementType
    const elements: kritor.common.IElement[] = [
      { type: T.TEXT, text: { text: 'a' }, at: { uid: 'b' } },
      { type: T.IMAGE, image: { file: new Uint8Array([1, 2, 3]), file_url: 'u' } },
      { type: T.FACE, face: { id: 4 } },
      { text: { text: 'no type' } },
      { type: T.TEXT },
    ]
    const body: kritor.common.IPushMessageBody = { message_id: 'm', elements }
    expect(encodeMessageStructure(EventType.EVENT_TYPE_MESSAGE, body).toString('hex')).toBe(
      generated({ type: EventType.EVENT_TYPE_MESSAGE, message: body }).toString('hex'),
    )
  })

  it('returns a buffer of its own for each event (grpc-js may still hold the previous one)', () => {
    const body = encodePushMessage(channelMessage([{ type: 'text', text: 'one' }]), context('group'))
    const first = encodeMessageStructure(EventType.EVENT_TYPE_MESSAGE, body)
    const copy = Buffer.from(first)
    encodeMessageStructure(
      EventType.EVENT_TYPE_MESSAGE,
      encodePushMessage(channelMessage([{ type: 'text', text: 'two!' }]), context('group')),
    )
    expect(first.equals(copy)).toBe(true)
  })
})

describe('encodeReactionStructure', () => {
  it('writes protobufjs bytes for channel reactions, added and removed', () => {
    for (const added of [true, false]) {
      const event: BridgeEvent = { ...notices.reaction, added }
      const encoded = encodeEvent(event, context('group'))
      const decoded = kritor.event.EventStructure.decode(encoded?.bytes ?? new Uint8Array())
      expect(encoded?.stream).toBe('notice')
      expect(encoded?.bytes.toString('hex')).toBe(
        generated(protoObject('kritor.event.EventStructure', decoded, { longs: String })).toString('hex'),
      )
      expect(decoded.notice?.group_react_message_with_emoji?.is_set).toBe(added)
    }
  })

  it('writes protobufjs bytes for a reaction notice, however its numbers are given', () => {
    const NoticeType = kritor.event.NoticeEvent.NoticeType
    for (const group_id of [0, 300, BIG_CHANNEL_ID, '18446744073709551615']) {
      for (const face_id of [0, 76, 2 ** 31]) {
        const notice: kritor.event.INoticeEvent = {
          time: 1_735_716_085,
          notice_id: 'a1b2c3d4-0000-4000-8000-00000000beef',
          type: NoticeType.GROUP_REACT_MESSAGE_WITH_EMOJI,
          group_react_message_with_emoji: { group_id, message_id: 'm', face_id, is_set: face_id === 0 },
        }
        expect(encodeReactionStructure(EventType.EVENT_TYPE_NOTICE, notice)?.toString('hex')).toBe(
          generated({ type: EventType.EVENT_TYPE_NOTICE, notice }).toString('hex'),
        )
      }
    }
  })

  it('leaves every other notice to the generated encoder', () => {
    const notice: kritor.event.INoticeEvent = {
      type: kritor.event.NoticeEvent.NoticeType.GROUP_RECALL,
      group_react_message_with_emoji: { group_id: 1 },
      group_recall: { group_id: 1 },
    }
    expect(encodeReactionStructure(EventType.EVENT_TYPE_NOTICE, notice)).toBeUndefined()
    expect(encodeReactionStructure(EventType.EVENT_TYPE_NOTICE, { group_recall: {} })).toBeUndefined()
  })
})
