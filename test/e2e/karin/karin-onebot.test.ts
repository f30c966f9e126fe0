/**
 * kookbridge as the OneBot v11 implementation of a real Karin 1.x (node-karin from the repo's devDependencies),
 * once over reverse WS and once over forward WS, one Karin process per transport shared by its cases.
 *
 * Every assertion is made where a KOOK user would see the effect: the KOOK API calls the simulator recorded
 * (and, for images, the bytes behind the uploaded URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimRequestRecord } from '../../../src/kook/simulator/sim-api-server.js'
import { BridgeUnderTest, type KarinTransport } from './bridge-under-test.js'
import { BLUE_PNG, KARIN_VERSION, RED_PNG } from './karin-project.js'

// The simulator's fixed world (src/kook/simulator/sim-world.ts). Both text channel ids are above 2^53 and
// differ only in the last digit: through Number() they are the same double, so a wrong mapping shows.
const GENERAL = '48818200000000001'
const RANDOM = '48818200000000002'
const ALICE = '2418200001'

const isSend = (r: SimRequestRecord) => r.route === 'message/create' || r.route === 'direct-message/create'
const param = (r: SimRequestRecord, key: string): unknown => r.params[key]

describe.each<KarinTransport>(['reverse', 'forward'])(`Karin ${KARIN_VERSION} over %s WS`, (transport) => {
  let bridge: BridgeUnderTest
  /** Replies the cases below expect in total; checked at the end for duplicates. */
  let expectedSends = 0

  beforeAll(async () => {
    bridge = await BridgeUnderTest.start(transport)
  })

  afterAll(async () => {
    await bridge?.stop()
  })

  /** Posts a user message and waits for the first matching KOOK API call after it. */
  async function trigger(
    post: Parameters<BridgeUnderTest['sim']['postMessage']>[0],
    match: (r: SimRequestRecord) => boolean,
    what: string,
  ): Promise<{ d: Record<string, unknown>; call: SimRequestRecord; from: number }> {
    const from = bridge.sim.requests.length
    const d = bridge.sim.postMessage(post) as Record<string, unknown>
    const call = await bridge.nextRequest(from, match, what)
    return { d, call, from }
  }

  it('answers #ping with pong in the channel it came from, exact 17-digit ids on both channels', async () => {
    for (const channelId of [GENERAL, RANDOM]) {
      const { call } = await trigger({ channelId, content: '#ping' }, isSend, `pong in ${channelId}`)
      expectedSends++
      expect(call.route).toBe('message/create')
      expect(param(call, 'target_id')).toBe(channelId)
      expect(param(call, 'content')).toContain('pong')
      expect(call.code).toBe(0)
    }
  })

  it('quotes the trigger when the plugin replies with reply: true', async () => {
    const { d, call } = await trigger({ channelId: GENERAL, content: '#quote' }, isSend, 'quoted pong')
    expectedSends++
    expect(param(call, 'target_id')).toBe(GENERAL)
    expect(param(call, 'content')).toContain('pong')
    expect(param(call, 'quote')).toBe(d['msg_id'])
  })

  it('mentions the sender when the plugin replies with at: true', async () => {
    const { call } = await trigger(
      { channelId: GENERAL, authorId: ALICE, content: '#at' },
      isSend,
      'pong with a mention',
    )
    expectedSends++
    expect(param(call, 'target_id')).toBe(GENERAL)
    expect(param(call, 'content')).toContain(`(met)${ALICE}(met)`)
    expect(param(call, 'content')).toContain('pong')
  })

  it.each([
    ['#img', 'base64://', RED_PNG],
    ['#imgfile', 'file://', BLUE_PNG],
  ])('uploads the %s image (%s) through asset/create and posts its URL', async (command, _form, png) => {
    const { call, from } = await trigger({ channelId: GENERAL, content: command }, isSend, 'image message')
    expectedSends++
    const upload = bridge.sim.requests.slice(from).findIndex((r) => r.route === 'asset/create')
    const send = bridge.sim.requests.indexOf(call) - from
    expect(upload).toBeGreaterThanOrEqual(0)
    expect(upload).toBeLessThan(send)
    expect(param(call, 'target_id')).toBe(GENERAL)
    expect(param(call, 'type')).toBe(2)
    const url = String(param(call, 'content'))
    expect(url.startsWith(`${bridge.sim.origin}/assets/`)).toBe(true)
    // What the KOOK client would download and show: the very pixels the plugin sent.
    const shown = Buffer.from(await (await fetch(url)).arrayBuffer())
    expect(shown.equals(png)).toBe(true)
  })

  it('recalls the message the plugin sent: delete_msg reaches message/delete with its KOOK msg_id', async () => {
    const { call: deleted } = await trigger(
      { channelId: GENERAL, content: '#recall' },
      (r) => r.route === 'message/delete',
      'message/delete',
    )
    expectedSends++
    const sent = bridge.sim.messages.filter((m) => m.content.includes('recall me'))
    expect(sent).toHaveLength(1)
    expect(sent[0]?.channelId).toBe(GENERAL)
    expect(param(deleted, 'msg_id')).toBe(sent[0]?.msgId)
    expect(deleted.code).toBe(0)
    expect(sent[0]?.deleted).toBe(true)
  })

  it('answers a DM #ping with a DM to the same user', async () => {
    const { call } = await trigger({ userId: ALICE, content: '#ping' }, isSend, 'DM pong')
    expectedSends++
    expect(call.route).toBe('direct-message/create')
    expect(param(call, 'target_id') ?? param(call, 'chat_code')).toBeDefined()
    if (param(call, 'target_id') !== undefined) expect(param(call, 'target_id')).toBe(ALICE)
    else expect(param(call, 'chat_code')).toBe(bridge.sim.world.chats.find((c) => c.user_id === ALICE)?.code)
    expect([1, 9]).toContain(param(call, 'type'))
    expect(param(call, 'content')).toContain('pong')
  })

  it('sent each reply exactly once', async () => {
    // Late duplicates (a replayed event, a retried send) would land within a few ms on loopback.
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(bridge.sim.requests.filter(isSend)).toHaveLength(expectedSends)
    expect(bridge.sim.requests.filter((r) => r.route === 'message/delete')).toHaveLength(1)
  })
})
