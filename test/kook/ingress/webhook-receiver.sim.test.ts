/**
 * The webhook receiver against the KOOK simulator's webhook side: KOOK's own body encodings (compress
 * unless the URL says compress=0, encryption under it), its challenge, its sn wrapping and retries.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { IngressEvent } from '../../../src/kook/ingress/ingress-event.js'
import { WebhookReceiver } from '../../../src/kook/ingress/webhook-receiver.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import { Metrics } from '../../../src/util/metrics.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/kook')
const VERIFY = 'console-verify-token'
const KEY = 'console-encrypt-key'
const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })

let sim: KookSimulator
let receiver: WebhookReceiver
let events: IngressEvent[]
let metrics: Metrics
let url: string

beforeEach(async () => {
  sim = await KookSimulator.start({ webhookRetryDelaysMs: [20, 40] })
  events = []
  metrics = new Metrics()
  receiver = new WebhookReceiver({
    host: '127.0.0.1',
    port: 0,
    path: '/kook/webhook',
    verifyToken: VERIFY,
    encryptKey: KEY,
    sink: (e) => events.push(e),
    metrics,
  })
  const { port } = await receiver.start()
  url = `http://127.0.0.1:${port}/kook/webhook`
})

afterEach(async () => {
  await sim.close()
  await receiver.stop()
})

const message = (msgId: string) => ({
  channel_type: 'GROUP',
  type: 9,
  target_id: '4881800000000',
  author_id: '2418200000',
  content: 'hello',
  msg_id: msgId,
  msg_timestamp: 1_700_000_000_000,
  nonce: '',
  extra: { type: 9, guild_id: '6016389914000000' },
})

describe('WebhookReceiver × simulator', () => {
  it.each([
    ['plain', { compress: false }],
    ['compressed', { compress: true }],
    ['encrypted', { compress: false, encryptKey: KEY }],
    ['compressed and encrypted', { compress: true, encryptKey: KEY }],
  ])('accepts a %s push within KOOK’s 1 s and delivers it', async (_name, encoding) => {
    const response = await sim.webhook.pushTo(url, message('m-1'), { verifyToken: VERIFY, ...encoding })
    expect(response.status).toBe(200)
    expect(response.elapsedMs).toBeLessThan(1_000)
    await waitFor(() => expect(events).toHaveLength(1))
    expect(events[0]?.data).toEqual(message('m-1'))
  })

  it.each([
    ['plain', {}],
    ['encrypted', { encryptKey: KEY }],
  ])('passes KOOK’s %s challenge', async (_name, encoding) => {
    const result = await sim.webhook.challenge(url, { verifyToken: VERIFY, ...encoding })
    expect(result.ok).toBe(true)
    expect(events).toEqual([])
  })

  it('fails the challenge of a console with another verify token', async () => {
    const result = await sim.webhook.challenge(url, { verifyToken: 'not-ours' })
    expect(result.status).toBe(403)
    expect(result.ok).toBe(false)
  })

  it('delivers a retried event once, even when the webhook sn wrapped in between', async () => {
    await sim.webhook.pushTo(url, message('again'), { verifyToken: VERIFY, sn: 65535 })
    await sim.webhook.pushTo(url, message('again'), { verifyToken: VERIFY, sn: 1 })
    await sim.webhook.pushTo(url, message('next'), { verifyToken: VERIFY, sn: 2 })
    await waitFor(() => expect(events.map((e) => e.data['msg_id'])).toEqual(['again', 'next']))
    expect(metrics.value('kook_webhook_duplicates_total')).toBe(1)
  })

  it('delivers every fixture event exactly once and in order (compressed and encrypted)', async () => {
    const names = readdirSync(FIXTURES)
      .filter((n) => n.endsWith('.json'))
      .sort()
    expect(names.length).toBeGreaterThan(0)
    // Docs fixtures repeat truncated msg_ids; a real stream never does (see gateway-client.sim.test.ts).
    const payloads = names.map((n, i) => {
      const { d } = JSON.parse(readFileSync(join(FIXTURES, n), 'utf8')) as { d: Record<string, unknown> }
      const { verify_token: _token, ...rest } = d
      return { ...rest, msg_id: `${String(d['msg_id'])}/${i}` }
    })
    for (const d of payloads) {
      const res = await sim.webhook.pushTo(url, d, { verifyToken: VERIFY, encryptKey: KEY, compress: true })
      expect(res.status).toBe(200)
    }
    await waitFor(() => expect(events).toHaveLength(payloads.length))
    expect(events.map((e) => e.data)).toEqual(payloads)
  })

  it('acks the simulator’s deliveries at the first attempt, so KOOK never retries', async () => {
    sim.addWebhookTarget(url, { verifyToken: VERIFY, encryptKey: KEY })
    sim.inject(message('pushed-1'))
    sim.inject(message('pushed-2'))
    await sim.webhook.idle()
    await waitFor(() => expect(events).toHaveLength(2))
    expect(new Set(events.map((e) => e.data['msg_id']))).toEqual(new Set(['pushed-1', 'pushed-2']))
    expect(sim.webhook.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 200],
      [1, 200],
    ])
  })
})
