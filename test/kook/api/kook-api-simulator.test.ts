// The client against the project's KOOK simulator: the same fake KOOK the end-to-end tests and the demo use.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type BridgeError, ErrorCode, KookApiError } from '../../../src/errors/bridge-error.js'
import { KookApi } from '../../../src/kook/api/kook-api.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'

let sim: KookSimulator
let api: KookApi

beforeEach(async () => {
  sim = await KookSimulator.start()
  api = new KookApi({ baseUrl: sim.apiBase, token: sim.token, retryBackoffMs: 10 })
})
afterEach(async () => {
  await sim.close()
})

function channelId(): string {
  const channel = sim.world.defaultChannel()
  if (!channel) throw new Error('the simulator world has no text channel')
  return channel.id
}

function statuses(route: string): number[] {
  return sim.requests.filter((r) => r.route === route).map((r) => r.status)
}

describe('KookApi against the KOOK simulator', () => {
  it('reads the bot and posts a message that lands in the channel', async () => {
    const me = await api.call('user/me')
    expect(me.id).toBe(sim.bot.id)
    const sent = await api.call('message/create', { type: 9, target_id: channelId(), content: 'hello' })
    expect(sim.messages.map((m) => m.msgId)).toEqual([sent.msg_id])
    const viewed = await api.call('message/view', { msg_id: sent.msg_id })
    expect(viewed.content).toBe('hello')
  })

  it('lists every guild of the bot', async () => {
    const guilds = await api.listAll('guild/list')
    expect(guilds.map((g) => g.id).sort()).toEqual(
      sim.world
        .botGuilds()
        .map((g) => g.id)
        .sort(),
    )
  })

  it('honours an exhausted bucket so KOOK never has to answer 429', async () => {
    sim.rateLimit('message/create', { limit: 2, remaining: 1, resetSeconds: 0.3 })
    for (const content of ['a', 'b', 'c'])
      await api.call('message/create', { target_id: channelId(), content })
    expect(statuses('message/create')).toEqual([200, 200, 200])
    expect(sim.messages).toHaveLength(3)
  })

  it('sends a refused (429) message again once, and it is posted once', async () => {
    sim.failNext('message/create', { status: 429, resetSeconds: 0.1 })
    await api.call('message/create', { target_id: channelId(), content: 'once' })
    expect(statuses('message/create')).toEqual([429, 200])
    expect(sim.messages.map((m) => m.content)).toEqual(['once'])
  })

  it('does not post twice when the answer to message/create is lost', async () => {
    sim.failNext('message/create', { drop: 'after' })
    const error = await api
      .call('message/create', { target_id: channelId(), content: 'lost answer' })
      .catch((e) => e)
    expect((error as BridgeError).code).toBe(ErrorCode.Network)
    expect((error as BridgeError).details.mayHaveReached).toBe(true)
    expect(sim.messages.map((m) => m.content)).toEqual(['lost answer'])
  })

  it('surfaces a KOOK error code and a refused token', async () => {
    sim.failNext('message/create', { code: 40300, message: '你没有权限' })
    const denied = await api.call('message/create', { target_id: channelId(), content: 'x' }).catch((e) => e)
    expect(denied).toBeInstanceOf(KookApiError)
    expect((denied as KookApiError).kookCode).toBe(40300)

    sim.refuseToken(true)
    const refused = await api.call('user/me').catch((e) => e)
    expect((refused as BridgeError).code).toBe(ErrorCode.KookAuth)
  })

  it('uploads a file whose URL serves the same bytes, once for the same bytes', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
    const url = await api.upload(bytes, 'pic.png', 'image/png')
    expect(await api.upload(bytes, 'pic.png', 'image/png')).toBe(url)
    expect(statuses('asset/create')).toEqual([200])
    const served = await fetch(url)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes)
    const sent = await api.call('message/create', { type: 2, target_id: channelId(), content: url })
    expect(sent.msg_id).toBeTruthy()
  })
})
