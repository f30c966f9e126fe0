import { status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import {
  BIG_CHANNEL_ID,
  channelMessage,
  GUILD_ID,
  MSG_ID,
  OTHER_USER_ID,
  QUOTED_MSG_ID,
  USER_ID,
} from '../support/bridge-events.js'
import { startEndpoint } from '../support/endpoint-harness.js'
import { failure } from '../support/expect-status.js'

const SEND = 'kritor.message.MessageService/SendMessage'
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

async function withSend() {
  const harness = await startEndpoint()
  harness.ops.handlers.sendMessage = () => ({ messageIds: ['kook-1', 'kook-2'], time: 1_735_716_090_123 })
  return harness
}

describe('MessageService', () => {
  it('sends text + @mention + reply + inline image bytes to a GROUP (= channel)', async () => {
    const { client, ops } = await withSend()
    const { response } = await client.unary(SEND, {
      contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID },
      elements: [
        { type: 'REPLY', reply: { message_id: QUOTED_MSG_ID } },
        { type: 'AT', at: { uid: USER_ID } },
        { type: 'TEXT', text: { text: ' hi *there*' } },
        { type: 'AT', at: { uid: 'all' } },
        { type: 'IMAGE', image: { file: PNG } },
      ],
      message_id: 'the-event-being-answered',
    })
    expect(response).toEqual({ message_id: 'kook-1', message_time: '1735716090' })
    const [op] = ops.ops('sendMessage')
    expect(op?.target).toEqual({ scene: 'channel', channelId: BIG_CHANNEL_ID })
    expect(op?.elements).toEqual([
      { type: 'reply', messageId: QUOTED_MSG_ID },
      { type: 'mention', kind: 'user', id: USER_ID },
      { type: 'text', text: ' hi *there*' },
      { type: 'mention', kind: 'all' },
      { type: 'image', url: '', data: expect.any(Uint8Array) },
    ])
    const image = op?.elements[4]
    expect(image?.type === 'image' && Buffer.from(image.data ?? []).equals(PNG)).toBe(true)
  })

  it('accepts media inlined in the request beyond grpc-js’s 4 MiB default (koishi sends bytes)', async () => {
    const { client, ops } = await withSend()
    const big = Buffer.alloc(6 * 1024 * 1024, 7)
    await client.unary(SEND, {
      contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID },
      elements: [{ type: 'VIDEO', video: { file: big } }],
    })
    const video = ops.ops('sendMessage')[0]?.elements[0]
    expect(video?.type === 'video' && video.data?.byteLength).toBe(big.byteLength)
    const strict = await startEndpoint({ maxReceiveMessageBytes: 4 * 1024 * 1024 })
    const refused = await failure(
      strict.client.unary(SEND, {
        contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID },
        elements: [{ type: 'VIDEO', video: { file: big } }],
      }),
    )
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED)
  })

  it('routes FRIEND to a DM, GUILD to its sub_peer channel and STRANGER_FROM_GROUP to a temp message', async () => {
    const { client, ops } = await withSend()
    const text = [{ type: 'TEXT', text: { text: 'x' } }]
    await client.unary(SEND, { contact: { scene: 'FRIEND', peer: USER_ID }, elements: text })
    await client.unary(SEND, {
      contact: { scene: 'GUILD', peer: GUILD_ID, sub_peer: BIG_CHANNEL_ID },
      elements: text,
    })
    await client.unary(SEND, {
      contact: { scene: 'STRANGER_FROM_GROUP', peer: OTHER_USER_ID, sub_peer: BIG_CHANNEL_ID },
      elements: text,
    })
    expect(ops.ops('sendMessage').map((op) => op.target)).toEqual([
      { scene: 'direct', userId: USER_ID },
      { scene: 'channel', channelId: BIG_CHANNEL_ID },
      { scene: 'channel', channelId: BIG_CHANNEL_ID, tempUserId: OTHER_USER_ID },
    ])
  })

  it.each([
    [
      { contact: { scene: 'GROUP', peer: 'general' }, elements: [{ text: { text: 'x' } }] },
      /contact\.peer must be a KOOK channel id/,
    ],
    [
      { contact: { scene: 'GUILD', peer: GUILD_ID }, elements: [{ text: { text: 'x' } }] },
      /contact\.sub_peer is required/,
    ],
    [
      { contact: { scene: 'NEARBY', peer: USER_ID }, elements: [{ text: { text: 'x' } }] },
      /NEARBY has no KOOK equivalent/,
    ],
    [{ contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID }, elements: [] }, /at least one element/],
    [
      {
        contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID },
        elements: [{ type: 'IMAGE', image: { file_name: 'a.png' } }],
      },
      /elements\[0\] \(image\): file_name refers to a file in a QQ protocol cache/,
    ],
    [
      { contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID }, elements: [{ type: 'POKE', poke: { id: 1 } }] },
      /elements\[0\] \(poke\): KOOK has no equivalent of POKE/,
    ],
    [
      { contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID }, elements: [{ type: 'AT', at: { uid: 'u_abc' } }] },
      /elements\[0\] \(at\): uid must be a KOOK user id/,
    ],
    [
      { contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID }, elements: [{ type: 'FACE', face: { id: 76 } }] },
      /elements\[0\] \(face\): face_id 76 is not an emoji/,
    ],
  ])('refuses bad arguments with INVALID_ARGUMENT and a readable message (%#)', async (request, message) => {
    const { client, ops } = await withSend()
    const error = await failure(client.unary(SEND, request))
    expect(error.code).toBe(status.INVALID_ARGUMENT)
    expect(error.details).toMatch(message)
    expect(error.metadata.get('kookbridge-error-code')).toEqual(['BAD_PARAMS'])
    expect(ops.ops('sendMessage')).toEqual([])
  })

  it('answers bytes that are not a SendMessageRequest with INVALID_ARGUMENT, and counts them', async () => {
    const { client, metrics } = await withSend()
    const error = await failure(client.raw(SEND, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])))
    expect(error.code).toBe(status.INVALID_ARGUMENT)
    expect(error.details).toMatch(/malformed request/)
    expect(metrics.total('kookbridge_kritor_bad_requests_total')).toBe(1)
  })

  it('recalls every KOOK part of a logical message by its first id', async () => {
    const { client, ops, store } = await withSend()
    ops.handlers.recall = () => undefined
    store.putMessage({
      msgId: 'kook-1',
      scene: 'channel',
      channelId: BIG_CHANNEL_ID,
      userId: '1',
      time: 1,
      parts: ['kook-1', 'kook-2'],
    })
    expect(
      (await client.unary('kritor.message.MessageService/RecallMessage', { message_id: 'kook-1' })).response,
    ).toEqual({})
    await client.unary('kritor.message.MessageService/RecallMessage', { message_id: 'unknown-id' })
    expect(ops.ops('recall').map((op) => op.messageIds)).toEqual([['kook-1', 'kook-2'], ['unknown-id']])
    const error = await failure(client.unary('kritor.message.MessageService/RecallMessage', {}))
    expect([error.code, error.details]).toEqual([
      status.INVALID_ARGUMENT,
      'message_id is required (a KOOK msg_id)',
    ])
  })

  it('GetMessage needs only message_id and answers the PushMessageBody an event would carry', async () => {
    const { client, ops, store } = await withSend()
    ops.handlers.getMessage = () => channelMessage([{ type: 'text', text: 'old news' }])
    const seq = store.putMessage({
      msgId: MSG_ID,
      scene: 'channel',
      userId: USER_ID,
      time: 1,
      parts: [MSG_ID],
    }).number
    const { response } = await client.unary('kritor.message.MessageService/GetMessage', {
      message_id: MSG_ID,
    })
    expect(ops.ops('getMessage')).toEqual([{ op: 'getMessage', messageId: MSG_ID }])
    expect(response['message']).toMatchObject({
      message_id: MSG_ID,
      message_seq: String(seq),
      contact: { scene: 'GROUP', peer: BIG_CHANNEL_ID },
      sender: { uid: USER_ID, uin: USER_ID, role: 'ADMIN' },
      elements: [{ type: 'TEXT', text: { text: 'old news' } }],
    })
    const bySeq = await client.unary('kritor.message.MessageService/GetMessageBySeq', {
      message_seq: String(seq),
    })
    expect(bySeq.response['message']).toMatchObject({ message_id: MSG_ID })
    const missing = await failure(
      client.unary('kritor.message.MessageService/GetMessageBySeq', { message_seq: '999' }),
    )
    expect(missing.code).toBe(status.NOT_FOUND)
  })

  it('passes a KOOK refusal through as NOT_FOUND', async () => {
    const { client } = await withSend()
    const error = await failure(
      client.unary('kritor.message.MessageService/GetMessage', { message_id: 'gone' }),
    )
    expect(error.code).toBe(status.NOT_FOUND)
  })

  it('reacts with the emoji whose code point is the face_id', async () => {
    const { client, ops } = await withSend()
    ops.handlers.react = () => undefined
    await client.unary('kritor.message.MessageService/ReactMessageWithEmoji', {
      message_id: MSG_ID,
      face_id: 128077,
      is_set: true,
    })
    await client.unary('kritor.message.MessageService/ReactMessageWithEmoji', {
      message_id: MSG_ID,
      face_id: 0x2764,
      is_set: false,
    })
    expect(ops.ops('react')).toEqual([
      { op: 'react', messageId: MSG_ID, emoji: '👍', add: true },
      { op: 'react', messageId: MSG_ID, emoji: '❤', add: false },
    ])
  })

  it('answers methods KOOK has no equivalent for with UNIMPLEMENTED and the reason', async () => {
    const { client } = await withSend()
    const error = await failure(client.unary('kritor.message.MessageService/UploadForwardMessage', {}))
    expect(error.code).toBe(status.UNIMPLEMENTED)
    expect(error.details).toMatch(/UploadForwardMessage: KOOK has no forwarded-message bundles/)
    const web = await failure(client.unary('kritor.web.WebService/GetCookies', {}))
    expect([web.code, web.details]).toEqual([
      status.UNIMPLEMENTED,
      '/kritor.web.WebService/GetCookies: KOOK bots have no web cookies',
    ])
  })
})
