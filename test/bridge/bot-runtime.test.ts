import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BotRuntime } from '../../src/bridge/bot-runtime.js'
import { BotSchema } from '../../src/config/schema.js'
import { KookSimulator } from '../../src/kook/simulator/kook-simulator.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'

const FIXTURE_DIR = new URL('../fixtures/kook/', import.meta.url)

/** Every fixture event, with a unique msg_id: the docs reuse truncated ids across examples. */
function fixtureEvents(): Array<{ file: string; d: Record<string, unknown> }> {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file, index) => {
      const frame = JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')) as {
        d: Record<string, unknown>
      }
      return { file, d: { ...frame.d, msg_id: `fixture-${index}-${String(frame.d['msg_id'])}` } }
    })
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function setup(
  overrides: Record<string, unknown> = {},
  store: 'memory' | { dataDir: string } = 'memory',
) {
  const sim = await KookSimulator.start()
  cleanup.push(() => sim.close())
  const config = BotSchema.parse({
    token: sim.token,
    apiBase: sim.apiBase,
    gateway: { compress: true, reorderTimeoutMs: 200 },
    ...overrides,
  })
  const runtime = await BotRuntime.start({ config, store })
  cleanup.push(() => runtime.stop())
  const events: BridgeEvent[] = []
  runtime.hub.subscribe((e) => events.push(e))
  return { sim, runtime, events }
}

describe('BotRuntime on the KOOK simulator', () => {
  it('delivers every seed event kind through gateway, mapping and hub, once and in order', async () => {
    const { sim, events } = await setup()
    await sim.waitForConnection(5000)
    const fixtures = fixtureEvents()
    for (const { d } of fixtures) sim.inject(d)
    // Each fixture gives at least one BridgeEvent; forEach rows (block lists, batch channels) give more.
    // Rows with forEach (block lists, batch channel events) emit several events, suffixed `:<index>`.
    const baseIds = () => [...new Set(events.map((e) => e.eventId.replace(/:\d+$/, '')))]
    await until(() => baseIds().length >= fixtures.length)
    const order = baseIds()
    expect(order).toEqual(fixtures.map((f) => f.d['msg_id']))
    const unmatched = events.filter((e) => e.type === 'extension' && e.name === 'kook.unmatched')
    expect(unmatched.map((e) => e.eventId)).toEqual([])
  })

  it("does not feed the bot's own messages back, but indexes what it sent", async () => {
    const { sim, runtime, events } = await setup()
    await sim.waitForConnection(5000)
    const channel = sim.world.channels.find((c) => c.type === 1)!
    const sent = await runtime.ops.run({
      op: 'sendMessage',
      target: { scene: 'channel', channelId: channel.id },
      elements: [{ type: 'text', text: 'hello' }],
    })
    sim.postMessage({ channelId: channel.id, content: 'after' })
    await until(() => events.some((e) => e.type === 'message'))
    const messages = events.filter((e) => e.type === 'message')
    expect(messages.map((m) => (m.type === 'message' ? m.plainText : ''))).toEqual(['after'])
    expect(runtime.store.getMessage(sent.messageIds[0]!)?.channelId).toBe(channel.id)
  })

  it('keeps a malformed event raw, counts it, and keeps serving', async () => {
    const { sim, runtime, events } = await setup()
    await sim.waitForConnection(5000)
    sim.inject({ channel_type: 'GROUP', type: 'not-a-number', msg_id: 'broken-1', target_id: '1' })
    sim.postMessage({ content: 'still here' })
    await until(() => events.some((e) => e.type === 'message'))
    const broken = events.find((e) => e.eventId === 'broken-1')
    expect(broken?.type).toBe('extension')
    expect(broken?.raw['type']).toBe('not-a-number')
    expect(runtime.metrics.total('kookbridge_events_malformed_total')).toBe(1)
  })

  it('refuses to start with a token KOOK rejects, saying so', async () => {
    const sim = await KookSimulator.start()
    cleanup.push(() => sim.close())
    const config = BotSchema.parse({ token: 'wrong-token', apiBase: sim.apiBase })
    await expect(BotRuntime.start({ config, store: 'memory' })).rejects.toMatchObject({ code: 'KOOK_AUTH' })
  })

  it('receives encrypted, compressed webhook events in webhook mode', async () => {
    const { sim, runtime, events } = await setup({
      mode: 'webhook',
      webhook: { listen: '127.0.0.1:0', verifyToken: 'vt-123', encryptKey: 'enc-key' },
    })
    const address = runtime.webhookAddress!
    const url = `http://${address.host}:${address.port}/kook/webhook`
    const [fixture] = fixtureEvents().filter((f) => f.file === 'GROUP.text.json')
    const answer = await sim.webhook.pushTo(url, fixture!.d, {
      verifyToken: 'vt-123',
      encryptKey: 'enc-key',
      compress: true,
    })
    expect(answer.status).toBe(200)
    await until(() => events.length > 0)
    expect(events[0]?.type).toBe('message')
    const refused = await sim.webhook.pushTo(url, fixture!.d, { verifyToken: 'other', encryptKey: 'enc-key' })
    expect(refused.status).toBe(403)
  })

  it('resumes after a restart from the persisted session without losing or repeating events', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kookbridge-runtime-'))
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const sim = await KookSimulator.start()
    cleanup.push(() => sim.close())
    const config = BotSchema.parse({ token: sim.token, apiBase: sim.apiBase })
    const seen: string[] = []
    const first = await BotRuntime.start({ config, store: { dataDir } })
    first.hub.subscribe((e) => seen.push(e.type === 'message' ? e.plainText : e.type))
    await sim.waitForConnection(5000)
    sim.postMessage({ content: 'one' })
    await until(() => seen.includes('one'))
    await first.stop()
    sim.postMessage({ content: 'two' })
    const second = await BotRuntime.start({ config, store: { dataDir } })
    cleanup.push(() => second.stop())
    second.hub.subscribe((e) => seen.push(e.type === 'message' ? e.plainText : e.type))
    await until(() => seen.includes('two'))
    sim.postMessage({ content: 'three' })
    await until(() => seen.includes('three'))
    expect(seen).toEqual(['one', 'two', 'three'])
    expect(sim.gatewayConnections.at(-1)?.url).toContain('resume=1')
  })
})
