import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import { RawGatewayClient } from './raw-gateway-client.js'
import { callApi } from './sim-api-call.js'

const GUILD = '6016389914000001'
const GENERAL = '48818200000000001'
const ALICE = '2418200001'
const CAROL = '2418200003'
const ALICE_CHAT = '3b4aa448b8e8b9c87a1b3770792e7433'

let sim: KookSimulator
let client: RawGatewayClient

beforeEach(async () => {
  sim = await KookSimulator.start()
  const { body } = await callApi<{ url: string }>(sim, 'gateway/index', { compress: 0 })
  client = await RawGatewayClient.connect(body.data.url)
  await client.next((f) => f.s === 1)
})

afterEach(async () => {
  await client.close()
  await sim.close()
})

async function upload(name: string | undefined, bytes = Buffer.from('PNGDATA')): Promise<Response> {
  const form = new FormData()
  if (name === undefined) form.append('file', 'no file name here')
  else form.append('file', new Blob([bytes], { type: 'image/png' }), name)
  return fetch(`${sim.apiBase}/asset/create`, {
    method: 'POST',
    headers: { Authorization: `Bot ${sim.token}` },
    body: form,
  })
}

describe('envelope, auth and routing', () => {
  it('wraps data in {code: 0, message, data} and knows the bot through user/me', async () => {
    const me = await callApi(sim, 'user/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ code: 0, message: '', data: { id: sim.bot.id, bot: true } })
    expect(sim.bot.id).toMatch(/^\d{10}$/)
  })

  it('answers 401 with an envelope without the Bot token, 404 for unknown routes, 40000 naming a missing param', async () => {
    expect((await callApi(sim, 'user/me', {}, { token: 'wrong' })).status).toBe(401)
    const unknown = await callApi(sim, 'message/teleport', {})
    expect(unknown.status).toBe(404)
    expect(unknown.body.code).toBe(404)
    const missing = await callApi(sim, 'message/create', { content: 'hi' })
    expect(missing.status).toBe(200)
    expect(missing.body.code).toBe(40000)
    expect(missing.body.message).toContain('target_id')
  })

  it('records every call with route, params and status', async () => {
    await callApi(sim, 'user/view', { user_id: ALICE, guild_id: GUILD })
    expect(sim.requests.at(-1)).toMatchObject({
      route: 'user/view',
      method: 'GET',
      params: { user_id: ALICE, guild_id: GUILD },
      status: 200,
      code: 0,
    })
  })

  it('user/view adds the guild nickname, roles and join time only with guild_id', async () => {
    const plain = await callApi(sim, 'user/view', { user_id: ALICE })
    expect(plain.body.data).not.toHaveProperty('roles')
    const member = await callApi(sim, 'user/view', { user_id: ALICE, guild_id: GUILD })
    expect(member.body.data).toMatchObject({ nickname: 'Alice the owner', roles: [109472], is_master: true })
  })

  it('finds no channel when a client sends a 17-digit id as a JSON number', async () => {
    const res = await fetch(`${sim.apiBase}/message/create`, {
      method: 'POST',
      headers: { Authorization: `Bot ${sim.token}`, 'Content-Type': 'application/json' },
      body: `{"target_id": ${GENERAL}, "content": "hi"}`,
    })
    expect(((await res.json()) as { code: number }).code).toBe(40000)
  })
})

describe('message/create', () => {
  it('echoes the message as a GROUP event authored by the bot, with the nonce and the resolved quote', async () => {
    const posted = sim.postMessage({ channelId: GENERAL, authorId: ALICE, content: 'original' })
    await client.events(1)
    const answer = await callApi(sim, 'message/create', {
      target_id: GENERAL,
      content: 'reply (met)2418200001(met)',
      quote: posted['msg_id'],
      nonce: 'n-42',
    })
    expect(answer.body.code).toBe(0)
    const { msg_id, msg_timestamp, nonce } = answer.body.data
    expect(msg_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(typeof msg_timestamp).toBe('number')
    expect(nonce).toBe('n-42')

    const [echo] = await client.events(1)
    expect(echo?.d).toMatchObject({
      channel_type: 'GROUP',
      type: 9,
      target_id: GENERAL,
      author_id: sim.bot.id,
      msg_id,
      nonce: 'n-42',
      extra: {
        guild_id: GUILD,
        channel_name: 'general',
        mention: [ALICE],
        author: { id: sim.bot.id, bot: true },
        kmarkdown: { raw_content: 'reply @Alice the owner' },
        quote: {
          id: posted['msg_id'],
          rong_id: posted['msg_id'],
          content: 'original',
          author: { id: ALICE },
        },
      },
    })
    expect(sim.messages).toMatchObject([
      { msgId: msg_id, channelId: GENERAL, nonce: 'n-42', authorId: sim.bot.id },
    ])
  })

  it('does not echo or keep temp messages (temp_target_id), like KOOK', async () => {
    const answer = await callApi(sim, 'message/create', {
      target_id: GENERAL,
      content: 'only for Alice',
      temp_target_id: ALICE,
    })
    expect(answer.body.code).toBe(0)
    await client.nothing((f) => f.s === 0, 80)
    expect(sim.messages.at(-1)).toMatchObject({ tempTargetId: ALICE })
    expect((await callApi(sim, 'message/view', { msg_id: answer.body.data.msg_id })).body.code).toBe(40000)
  })

  it('accepts card JSON arrays only', async () => {
    const bad = await callApi(sim, 'message/create', {
      target_id: GENERAL,
      type: 10,
      content: '{"type":"card"}',
    })
    expect(bad.body.code).toBe(40000)
    const card = JSON.stringify([{ type: 'card', modules: [] }])
    expect(
      (await callApi(sim, 'message/create', { target_id: GENERAL, type: 10, content: card })).body.code,
    ).toBe(0)
  })

  it('edits (type 9/10 only), recalls with a deleted_message event to the guild, and views messages', async () => {
    const text = await callApi(sim, 'message/create', { target_id: GENERAL, type: 1, content: 'plain' })
    const kmd = await callApi(sim, 'message/create', { target_id: GENERAL, content: 'v1' })
    await client.events(2)
    const textId = text.body.data.msg_id
    const kmdId = kmd.body.data.msg_id
    expect((await callApi(sim, 'message/update', { msg_id: textId, content: 'x' })).body.code).toBe(40000)
    expect((await callApi(sim, 'message/update', { msg_id: kmdId, content: 'v2' })).body.code).toBe(0)
    expect((await client.events(1))[0]?.d).toMatchObject({
      type: 255,
      target_id: GUILD,
      extra: { type: 'updated_message', body: { msg_id: kmdId, content: 'v2', channel_id: GENERAL } },
    })
    expect((await callApi(sim, 'message/view', { msg_id: kmdId })).body.data).toMatchObject({ content: 'v2' })

    expect((await callApi(sim, 'message/delete', { msg_id: kmdId })).body.code).toBe(0)
    expect((await client.events(1))[0]?.d).toMatchObject({
      channel_type: 'GROUP',
      type: 255,
      target_id: GUILD,
      author_id: '1',
      extra: { type: 'deleted_message', body: { msg_id: kmdId, channel_id: GENERAL, channel_type: 1 } },
    })
    expect(sim.messages.find((m) => m.msgId === kmdId)?.deleted).toBe(true)
    expect((await callApi(sim, 'message/view', { msg_id: kmdId })).body.code).toBe(40000)
  })

  it('emits reaction events with KOOK emoji ids and lists who reacted', async () => {
    const posted = sim.postMessage({ content: 'react to me' })
    await client.events(1)
    await callApi(sim, 'message/add-reaction', { msg_id: posted['msg_id'], emoji: '👍' })
    expect((await client.events(1))[0]?.d).toMatchObject({
      target_id: GUILD,
      extra: {
        type: 'added_reaction',
        body: {
          msg_id: posted['msg_id'],
          user_id: sim.bot.id,
          channel_id: GENERAL,
          emoji: { id: '[#128077;]' },
        },
      },
    })
    const list = await callApi(sim, 'message/reaction-list', { msg_id: posted['msg_id'], emoji: '👍' })
    expect(list.body.data).toMatchObject([{ id: sim.bot.id, reaction_time: expect.any(Number) }])
    await callApi(sim, 'message/delete-reaction', { msg_id: posted['msg_id'], emoji: '👍' })
    expect((await client.events(1))[0]?.d).toMatchObject({ extra: { type: 'deleted_reaction' } })
  })
})

describe('direct messages', () => {
  it('defaults to type 1 and echoes a PERSON event to the receiving user with the chat code', async () => {
    const answer = await callApi(sim, 'direct-message/create', {
      target_id: ALICE,
      content: 'psst',
      nonce: 'dm-1',
    })
    expect(answer.body.code).toBe(0)
    const [echo] = await client.events(1)
    expect(echo?.d).toMatchObject({
      channel_type: 'PERSON',
      type: 1,
      target_id: ALICE,
      author_id: sim.bot.id,
      nonce: 'dm-1',
      extra: { code: ALICE_CHAT, author: { id: sim.bot.id } },
    })
    expect(sim.messages.at(-1)).toMatchObject({ chatCode: ALICE_CHAT, targetUserId: ALICE, type: 1 })
    const view = await callApi(sim, 'direct-message/view', {
      chat_code: ALICE_CHAT,
      msg_id: answer.body.data.msg_id,
    })
    expect(view.body.data).toMatchObject({ content: 'psst', author_id: sim.bot.id })
  })

  it('opens a new chat for a user without one, and user-chat/create returns the same code', async () => {
    await callApi(sim, 'direct-message/create', { target_id: CAROL, type: 9, content: '**hi**' })
    const [echo] = await client.events(1)
    const code = (echo?.d?.['extra'] as { code?: string } | undefined)?.code
    expect(code).toMatch(/^[0-9a-f]{32}$/)
    expect((await callApi(sim, 'user-chat/create', { target_id: CAROL })).body.data.code).toBe(code)
  })

  it('postMessage with userId produces a DM from that user to the bot', async () => {
    const d = sim.postMessage({ userId: ALICE, content: 'hello bot' })
    expect(d).toMatchObject({ channel_type: 'PERSON', target_id: sim.bot.id, author_id: ALICE })
    expect((await client.events(1))[0]?.d).toMatchObject({ extra: { code: ALICE_CHAT } })
  })
})

describe('rate limits', () => {
  it('sends X-Rate-Limit headers on every response and counts the bucket down', async () => {
    const first = await callApi(sim, 'guild/list')
    expect(first.headers.get('x-rate-limit-bucket')).toBe('guild/list')
    const remaining = Number(first.headers.get('x-rate-limit-remaining'))
    expect(Number(first.headers.get('x-rate-limit-limit'))).toBeGreaterThan(remaining)
    const second = await callApi(sim, 'guild/list')
    expect(Number(second.headers.get('x-rate-limit-remaining'))).toBe(remaining - 1)
  })

  it('refuses with 429 once a scripted bucket is exhausted, sharing buckets across routes', async () => {
    sim.rateLimit('message/create', { limit: 2, remaining: 1, resetSeconds: 5, bucket: 'message' })
    const ok = await callApi(sim, 'message/create', { target_id: GENERAL, content: 'a' })
    expect(ok.body.code).toBe(0)
    expect(ok.headers.get('x-rate-limit-remaining')).toBe('0')
    expect(ok.headers.get('x-rate-limit-bucket')).toBe('message')
    const limited = await callApi(sim, 'message/create', { target_id: GENERAL, content: 'b' })
    expect(limited.status).toBe(429)
    expect(limited.body.code).toBe(429)
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(0)
    expect(limited.headers.get('x-rate-limit-global')).toBeNull()
    expect(sim.messages).toHaveLength(1)
  })

  it('scripts one-off failures: 429 (global), a KOOK code, an HTTP status', async () => {
    sim.failNext('user/me', { status: 429, global: true, resetSeconds: 3 })
    sim.failNext('guild/list', { code: 40300, message: '你没有权限' })
    sim.failNext('channel/list', { status: 503 })
    const limited = await callApi(sim, 'user/me')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('x-rate-limit-global')).not.toBeNull()
    expect(limited.headers.get('x-rate-limit-reset')).toBe('3')
    expect((await callApi(sim, 'user/me')).status).toBe(200)
    expect((await callApi(sim, 'guild/list')).body).toMatchObject({ code: 40300, message: '你没有权限' })
    expect((await callApi(sim, 'channel/list', { guild_id: GUILD })).status).toBe(503)
  })
})

describe('assets and media messages', () => {
  it('stores an upload, serves it back, and accepts its URL in an image message', async () => {
    const res = await upload('cat.png')
    const body = (await res.json()) as { code: number; data: { url: string } }
    expect(body.code).toBe(0)
    expect(body.data.url).toMatch(new RegExp(`^${sim.origin}/assets/[0-9a-f]+/cat\\.png$`))
    const served = await fetch(body.data.url)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await served.arrayBuffer()).toString()).toBe('PNGDATA')

    const sent = await callApi(sim, 'message/create', { target_id: GENERAL, type: 2, content: body.data.url })
    expect(sent.body.code).toBe(0)
    expect((await client.events(1))[0]?.d).toMatchObject({
      type: 2,
      extra: { attachments: { type: 'image', url: body.data.url, name: 'cat.png', size: 7 } },
    })
  })

  it('refuses media URLs it did not host (资源不存在) and uploads without a file name', async () => {
    const foreign = await callApi(sim, 'message/create', {
      target_id: GENERAL,
      type: 2,
      content: 'https://example.com/cat.png',
    })
    expect(foreign.body).toMatchObject({ code: 40000, message: '资源不存在' })
    const nameless = (await (await upload(undefined)).json()) as { code: number }
    expect(nameless.code).toBe(40000)
  })
})

describe('guilds, members and channels', () => {
  it('paginates guild/user-list with KOOK meta, 50 per page at most', async () => {
    for (let i = 0; i < 118; i++)
      sim.world.members.push({ ...sim.world.members[3]!, user_id: `9${i}`, nickname: '' })
    for (let i = 0; i < 118; i++) sim.world.addUser({ id: `9${i}`, username: `extra${i}` })
    const seen = new Set<string>()
    let page = 1
    let pageTotal = Number.POSITIVE_INFINITY
    while (page <= pageTotal) {
      const answer = await callApi(sim, 'guild/user-list', { guild_id: GUILD, page, page_size: 100 })
      const { items, meta } = answer.body.data
      expect(meta).toMatchObject({ page, page_size: 50, total: 122 })
      pageTotal = meta.page_total
      for (const item of items) seen.add(item.id)
      page++
    }
    expect(pageTotal).toBe(3)
    expect(seen.size).toBe(122)
  })

  it('lists only text channels by default, voice with type 2; ids stay strings', async () => {
    const text = await callApi(sim, 'channel/list', { guild_id: GUILD })
    expect(text.body.data.items.map((c: { name: string }) => c.name)).toEqual(['general', 'random'])
    expect(text.body.data.items[0].id).toBe(GENERAL)
    const voice = await callApi(sim, 'channel/list', { guild_id: GUILD, type: 2 })
    expect(voice.body.data.items).toMatchObject([{ type: 2 }])
  })

  it('kicks with target_id (not user_id) and emits exited_guild', async () => {
    expect((await callApi(sim, 'guild/kickout', { guild_id: GUILD, user_id: CAROL })).body.code).toBe(40000)
    expect((await callApi(sim, 'guild/kickout', { guild_id: GUILD, target_id: CAROL })).body.code).toBe(0)
    expect((await client.events(1))[0]?.d).toMatchObject({
      target_id: GUILD,
      extra: { type: 'exited_guild', body: { user_id: CAROL } },
    })
    expect(sim.world.member(GUILD, CAROL)).toBeUndefined()
  })

  it('refuses moderation with 40300 once the bot loses its role', async () => {
    sim.world.member(GUILD, sim.bot.id)!.roles = []
    expect((await callApi(sim, 'guild/kickout', { guild_id: GUILD, target_id: CAROL })).body.code).toBe(40300)
  })
})

describe('history, DM edits and bans', () => {
  it('pages message/list by cursor: newest by default, before/after a msg_id', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(String(sim.postMessage({ content: `m${i}` })['msg_id']))
    const latest = await callApi(sim, 'message/list', { target_id: GENERAL, page_size: 2 })
    expect(latest.body.data.items.map((m: { content: string }) => m.content)).toEqual(['m3', 'm4'])
    const before = await callApi(sim, 'message/list', { target_id: GENERAL, msg_id: ids[3], flag: 'before' })
    expect(before.body.data.items.map((m: { content: string }) => m.content)).toEqual(['m0', 'm1', 'm2'])
    const after = await callApi(sim, 'message/list', { target_id: GENERAL, msg_id: ids[3], flag: 'after' })
    expect(after.body.data.items.map((m: { content: string }) => m.content)).toEqual(['m4'])
  })

  it('pages direct-message/list by chat_code or by target_id, both sides of the chat, DM item shape', async () => {
    sim.postMessage({ userId: ALICE, content: 'from alice' })
    await callApi(sim, 'direct-message/create', { chat_code: ALICE_CHAT, type: 9, content: 'from bot' })
    const byCode = await callApi(sim, 'direct-message/list', { chat_code: ALICE_CHAT })
    const byUser = await callApi(sim, 'direct-message/list', { target_id: ALICE })
    const items = byCode.body.data.items as Array<{ content: string; author_id: string; author?: unknown }>
    expect(items.map((m) => [m.content, m.author_id])).toEqual([
      ['from alice', ALICE],
      ['from bot', sim.bot.id],
    ])
    // DM items name the author by id only (kook.md §5), unlike channel items.
    expect(items[0]).not.toHaveProperty('author')
    expect(byUser.body.data.items).toEqual(byCode.body.data.items)
    const older = await callApi(sim, 'direct-message/list', {
      chat_code: ALICE_CHAT,
      msg_id: sim.messages.at(-1)?.msgId,
      flag: 'before',
    })
    expect(older.body.data.items.map((m: { content: string }) => m.content)).toEqual(['from alice'])
  })

  it('edits and recalls the bot’s DMs with PERSON events naming the chat', async () => {
    const sent = await callApi(sim, 'direct-message/create', {
      chat_code: ALICE_CHAT,
      type: 9,
      content: 'v1',
    })
    await client.events(1)
    const msgId = sent.body.data.msg_id
    await callApi(sim, 'direct-message/update', { msg_id: msgId, content: 'v2' })
    await callApi(sim, 'direct-message/delete', { msg_id: msgId })
    const [updated, deleted] = await client.events(2)
    expect(updated?.d).toMatchObject({
      channel_type: 'PERSON',
      extra: {
        type: 'updated_private_message',
        body: { msg_id: msgId, content: 'v2', chat_code: ALICE_CHAT },
      },
    })
    expect(deleted?.d).toMatchObject({
      extra: {
        type: 'deleted_private_message',
        body: { msg_id: msgId, chat_code: ALICE_CHAT, target_id: ALICE },
      },
    })
  })

  it('bans with added_block_list (user_id is an array) and lists the blacklist', async () => {
    await callApi(sim, 'blacklist/create', { guild_id: GUILD, target_id: CAROL, remark: 'spam' })
    expect((await client.events(1))[0]?.d).toMatchObject({
      target_id: GUILD,
      extra: {
        type: 'added_block_list',
        body: { operator_id: sim.bot.id, remark: 'spam', user_id: [CAROL] },
      },
    })
    await client.nothing((f) => f.s === 0, 50)
    const list = await callApi(sim, 'blacklist/list', { guild_id: GUILD })
    expect(list.body.data.items).toMatchObject([{ user_id: CAROL, remark: 'spam' }])
    expect(sim.world.member(GUILD, CAROL)).toBeUndefined()
  })

  it('can drop the connection after the route ran: the message exists but the client never heard back', async () => {
    sim.failNext('message/create', { drop: 'after' })
    await expect(
      callApi(sim, 'message/create', { target_id: GENERAL, content: 'lost ack' }),
    ).rejects.toThrow()
    expect(sim.messages).toMatchObject([{ content: 'lost ack' }])
    expect(sim.requests.at(-1)).toMatchObject({ route: 'message/create', status: 0 })
  })
})
