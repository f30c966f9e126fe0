import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ActionContext } from '../../src/onebot/actions.js'
import { decodeMessage } from '../../src/onebot/decode-message.js'
import { type ActionEnv, handleAction } from '../../src/onebot/handle-action.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { Metrics } from '../../src/util/metrics.js'
import { BIG_CHANNEL_ID, BOT_ID, GUILD_ID, MSG_ID, sender, USER_ID } from './support/bridge-events.js'
import { FakeOps } from './support/fake-ops.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kookbridge-actions-'))
  await writeFile(join(dir, 'a.png'), 'png')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const PARTS = [
  '11111111-0000-4000-8000-000000000001',
  '11111111-0000-4000-8000-000000000002',
  '11111111-0000-4000-8000-000000000003',
]

function setup() {
  const store = new MemoryStore()
  const metrics = new Metrics()
  const ops = new FakeOps({
    sendMessage: () => ({ messageIds: [...PARTS], time: 1_700_000_000_000 }),
    recall: () => undefined,
    getChannel: (op) => ({ id: op.channelId, guildId: GUILD_ID, name: 'general', kind: 1 }),
    getGuild: (op) => ({ id: op.guildId, name: 'Guild', ownerId: USER_ID, memberCount: 42 }),
    listGuilds: () => [{ id: GUILD_ID, name: 'Guild', ownerId: USER_ID }],
    listChannels: (op) => [
      { id: BIG_CHANNEL_ID, guildId: op.guildId, name: 'general', kind: 1 },
      { id: '1000', guildId: op.guildId, name: 'voice', kind: 2 },
      { id: '1001', guildId: op.guildId, name: 'category', kind: 0 },
    ],
    getMember: (op) => ({
      id: op.userId,
      name: 'Alice',
      bot: false,
      guildId: op.guildId,
      nickname: 'Al',
      roles: [],
      role: 'owner',
      joinedAt: 1_600_000_000_000,
    }),
    getMessage: (op) => ({
      eventId: op.messageId,
      type: 'message',
      scene: 'channel',
      messageId: op.messageId,
      kookType: 9,
      guildId: GUILD_ID,
      channelId: BIG_CHANNEL_ID,
      sender,
      elements: [{ type: 'text', text: 'stored' }],
      plainText: 'stored',
      self: false,
      time: 1_700_000_000_000,
      rowId: 'x',
      raw: {},
    }),
    react: () => undefined,
    listDirectSessions: () => [{ chatCode: 'c', user: { id: USER_ID, name: 'Alice', bot: false } }],
  })
  const ctx: ActionContext = {
    bot: { id: BOT_ID, name: 'bridge', nickname: 'Bridge Bot' },
    selfId: store.numberFor('user', BOT_ID),
    store,
    ops,
    channelAs: 'group',
    extensionSegments: false,
    format: 'array',
    appVersion: '0.0.0-test',
    isOnline: () => true,
    decodeMessage: (message, autoEscape) =>
      decodeMessage(message, autoEscape, { store, fileRoots: [], maxMediaBytes: 1024 }),
  }
  const env: ActionEnv = { ctx, bot: 'main', metrics }
  const call = (action: string, params?: unknown, echo?: unknown) =>
    handleAction({ action, params, hasEcho: echo !== undefined, echo }, env)
  return { store, ops, metrics, ctx, env, call, group: store.numberFor('channel', BIG_CHANNEL_ID) }
}

describe('handleAction: envelope', () => {
  it.each([
    ['a string', '1'],
    ['a number', 7],
    ['an object', { seq: 3, tag: ['a'] }],
    ['null', null],
  ])('echoes %s back with its exact type', async (_name, echo) => {
    const { env } = setup()
    const response = await handleAction({ action: 'get_login_info', params: {}, hasEcho: true, echo }, env)
    expect(response.echo).toStrictEqual(echo)
    expect(response).toMatchObject({ status: 'ok', retcode: 0 })
  })

  it('omits echo when the call had none', async () => {
    const { call } = setup()
    expect(await call('get_login_info')).not.toHaveProperty('echo')
  })

  it('answers an unknown action with 1404 and its name', async () => {
    const { call } = setup()
    expect(await call('get_cookies', {}, 'e')).toMatchObject({
      status: 'failed',
      retcode: 1404,
      msg: 'UNKNOWN_ACTION',
      wording: 'unknown action: get_cookies',
      echo: 'e',
    })
  })

  it('answers bad params with 1400 naming the param, counts it, and keeps serving', async () => {
    const { call, metrics, ops } = setup()
    const response = await call('send_group_msg', { group_id: 'abc', message: 'x' })
    expect(response).toMatchObject({
      status: 'failed',
      retcode: 1400,
      message: 'send_group_msg: group_id: expected a number or a numeric string, got "abc"',
    })
    expect(await call('send_group_msg', { message: 'x' })).toMatchObject({
      message: 'send_group_msg: group_id: is required',
    })
    expect(
      metrics.value('kookbridge_onebot_bad_params_total', { bot: 'main', action: 'send_group_msg' }),
    ).toBe(2)
    expect(ops.calls).toEqual([])
    expect(await call('get_login_info')).toMatchObject({ status: 'ok' })
  })

  it('answers an _async call at once with status async and runs it in the background', async () => {
    const { call, ops, group } = setup()
    const response = await call('send_group_msg_async', { group_id: group, message: 'hi' }, 9)
    expect(response).toEqual({ status: 'async', retcode: 1, data: null, message: '', wording: '', echo: 9 })
    await vi.waitFor(() => expect(ops.ops('sendMessage')).toHaveLength(1))
  })
})

describe('handleAction: identity', () => {
  it('reports the same self number in get_login_info as in events, and a version Karin treats as "other"', async () => {
    const { call, ctx } = setup()
    expect((await call('get_login_info')).data).toEqual({ user_id: ctx.selfId, nickname: 'Bridge Bot' })
    expect((await call('get_version_info')).data).toMatchObject({
      app_name: 'kookbridge',
      protocol_version: 'v11',
    })
  })

  it('round-trips a 17-digit channel through its alias, as number or numeric string', async () => {
    const { call, ops, group } = setup()
    expect(Number.isSafeInteger(group)).toBe(true)
    await call('send_group_msg', { group_id: group, message: 'a' })
    await call('send_group_msg', { group_id: String(group), message: 'b' })
    await call('send_msg', { message_type: 'group', group_id: group, message: 'c' })
    expect(ops.ops('sendMessage').map((op) => op.target)).toEqual([
      { scene: 'channel', channelId: BIG_CHANNEL_ID },
      { scene: 'channel', channelId: BIG_CHANNEL_ID },
      { scene: 'channel', channelId: BIG_CHANNEL_ID },
    ])
    const info = await call('get_group_info', { group_id: String(group) })
    expect(info.data).toEqual({
      group_id: group,
      group_name: 'Guild / general',
      member_count: 42,
      max_member_count: 0,
    })
  })

  it('gives a message split into several KOOK messages one message_id whose recall removes every part', async () => {
    const { call, ops, group, store } = setup()
    const sent = await call('send_group_msg', {
      group_id: group,
      message: [{ type: 'text', data: { text: 'hi' } }],
    })
    const id = (sent.data as { message_id: number }).message_id
    expect(Number.isInteger(id) && id > 0 && id <= 2 ** 31 - 1).toBe(true)
    expect(store.getMessageByNumber(id)).toMatchObject({ msgId: PARTS[0], parts: PARTS, userId: BOT_ID })
    expect(await call('delete_msg', { message_id: String(id) })).toMatchObject({ status: 'ok' })
    expect(ops.ops('recall')).toEqual([{ op: 'recall', messageIds: PARTS }])
  })

  it('sends a private message to the KOOK user behind user_id', async () => {
    const { call, ops } = setup()
    await call('send_private_msg', { user_id: USER_ID, message: 'yo' })
    expect(ops.ops('sendMessage')[0]?.target).toEqual({ scene: 'direct', userId: USER_ID })
  })
})

describe('handleAction: actions onto operations', () => {
  it('get_msg returns the stored message with the same ids events use', async () => {
    const { call, store, group } = setup()
    const record = store.putMessage({
      msgId: MSG_ID,
      scene: 'channel',
      channelId: BIG_CHANNEL_ID,
      userId: USER_ID,
      time: 1,
      parts: [MSG_ID],
    })
    const response = await call('get_msg', { message_id: record.number })
    expect(response.data).toMatchObject({
      message_id: record.number,
      real_id: record.number,
      message_type: 'group',
      group_id: group,
      user_id: Number(USER_ID),
      sender: { user_id: Number(USER_ID), nickname: 'Alice' },
      message: [{ type: 'text', data: { text: 'stored' } }],
      raw_message: 'stored',
    })
    expect(await call('get_msg', { message_id: 424242 })).toMatchObject({
      status: 'failed',
      retcode: 100,
      msg: 'NOT_FOUND',
    })
  })

  it('lists every text channel of every guild as a group named "guild / channel"', async () => {
    const { call, group } = setup()
    expect((await call('get_group_list')).data).toEqual([
      { group_id: group, group_name: 'Guild / general', member_count: 0, max_member_count: 0 },
    ])
  })

  it('finds a member through the channel’s guild', async () => {
    const { call, ops, group } = setup()
    const response = await call('get_group_member_info', { group_id: group, user_id: USER_ID })
    expect(ops.ops('getMember')).toEqual([{ op: 'getMember', guildId: GUILD_ID, userId: USER_ID }])
    expect(response.data).toMatchObject({
      group_id: group,
      user_id: Number(USER_ID),
      card: 'Al',
      role: 'owner',
      join_time: 1_600_000_000,
    })
  })

  it('refuses set_group_ban with a readable reason instead of a silent success', async () => {
    const { call, ops, group } = setup()
    const response = await call('set_group_ban', { group_id: group, user_id: USER_ID, duration: 600 })
    expect(response).toMatchObject({ status: 'failed', retcode: 100, msg: 'UNSUPPORTED' })
    expect(response.wording).toContain('KOOK has no text mute')
    expect(ops.calls).toEqual([])
  })

  it('reacts with set_msg_emoji_like, and accepts booleans as strings', async () => {
    const { call, ops, store } = setup()
    const record = store.putMessage({
      msgId: MSG_ID,
      scene: 'channel',
      channelId: BIG_CHANNEL_ID,
      userId: USER_ID,
      time: 1,
      parts: [MSG_ID],
    })
    await call('set_msg_emoji_like', { message_id: record.number, emoji_id: '👍', set: 'false' })
    expect(ops.ops('react')).toEqual([{ op: 'react', messageId: MSG_ID, emoji: '👍', add: false }])
  })

  it('refuses file:// outside the roots with 1403', async () => {
    const { call, group } = setup()
    const response = await call('send_group_msg', {
      group_id: group,
      message: [{ type: 'image', data: { file: `file://${join(dir, 'a.png')}` } }],
    })
    expect(response).toMatchObject({ status: 'failed', retcode: 1403, msg: 'FILE_NOT_ALLOWED' })
  })

  it('answers can_send_image and get_friend_list', async () => {
    const { call } = setup()
    expect((await call('can_send_image')).data).toEqual({ yes: true })
    expect((await call('get_friend_list')).data).toEqual([
      { user_id: Number(USER_ID), nickname: 'Alice', remark: '' },
    ])
  })
})
