import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inflateSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decryptWebhookPayload, webhookKey } from '../../../src/kook/ingress/webhook-decrypt.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'

interface Received {
  body: Buffer
  contentType: string | undefined
}

let sim: KookSimulator
let receiver: Server
let url: string
const received: Received[] = []
/** Status codes the receiver answers with, in order; then 200. */
let answers: number[] = []
let onRequest: (raw: Buffer, res: (status: number, body: string) => void) => void

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

beforeEach(async () => {
  received.length = 0
  answers = []
  onRequest = (_raw, reply) => reply(answers.shift() ?? 200, '{}')
  sim = await KookSimulator.start({ webhookRetryDelaysMs: [20, 20] })
  receiver = createServer(async (req, res) => {
    const body = await read(req)
    received.push({ body, contentType: req.headers['content-type'] })
    onRequest(body, (status, text) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(text))
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kook/webhook`
})

afterEach(async () => {
  await sim.close()
  receiver.closeAllConnections()
  await new Promise((resolve) => receiver.close(resolve))
})

const event = { channel_type: 'GROUP', type: 1, target_id: '1', content: 'hi', msg_id: 'm-1' }

describe('webhook pushes', () => {
  it('posts {s:0, d (with verify_token), sn} as plain JSON when compression is off', async () => {
    const answer = await sim.webhook.pushTo(url, event, { verifyToken: 'vt', compress: false, sn: 5 })
    expect(answer.status).toBe(200)
    expect(received[0]?.contentType).toBe('application/json')
    expect(JSON.parse(received[0]!.body.toString())).toEqual({
      s: 0,
      d: { ...event, verify_token: 'vt' },
      sn: 5,
    })
  })

  it('deflates the body by default, and not when the URL says compress=0 (like KOOK)', async () => {
    await sim.webhook.pushTo(url, event, { verifyToken: 'vt' })
    expect(received[0]?.body[0]).toBe(0x78)
    expect(JSON.parse(inflateSync(received[0]!.body).toString())).toMatchObject({ d: { content: 'hi' } })
    await sim.webhook.pushTo(`${url}?compress=0`, event, { verifyToken: 'vt' })
    expect(JSON.parse(received[1]!.body.toString())).toMatchObject({ d: { content: 'hi' } })
  })

  it('encrypts first, then compresses the {"encrypt": …} wrapper', async () => {
    await sim.webhook.pushTo(url, event, { verifyToken: 'vt', encryptKey: 'secret-key', sn: 9 })
    const wrapper = JSON.parse(inflateSync(received[0]!.body).toString()) as { encrypt: string }
    expect(Object.keys(wrapper)).toEqual(['encrypt'])
    const frame = JSON.parse(decryptWebhookPayload(wrapper.encrypt, webhookKey('secret-key')))
    expect(frame).toEqual({ s: 0, d: { ...event, verify_token: 'vt' }, sn: 9 })
  })

  it('sends the challenge and checks the receiver echoes it', async () => {
    let seen: unknown
    onRequest = (raw, reply) => {
      const { d } = JSON.parse(decryptWebhookPayload(JSON.parse(raw.toString()).encrypt, webhookKey('k')))
      seen = d
      reply(200, JSON.stringify({ challenge: d.challenge }))
    }
    const result = await sim.webhook.challenge(url, { verifyToken: 'vt', encryptKey: 'k', compress: false })
    expect(seen).toMatchObject({ type: 255, channel_type: 'WEBHOOK_CHALLENGE', verify_token: 'vt' })
    expect(result.ok).toBe(true)
    expect(result.body).toContain(result.challenge)

    onRequest = (_raw, reply) => reply(200, '{"challenge":"something else"}')
    expect((await sim.webhook.challenge(url, { verifyToken: 'vt' })).ok).toBe(false)
  })

  it('retries a registered target on non-200 answers with the same sn, then stops', async () => {
    sim.addWebhookTarget(url, { verifyToken: 'vt', compress: false })
    answers = [500, 503]
    sim.inject(event)
    await sim.webhook.idle()
    expect(sim.webhook.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ])
    const sns = received.map((r) => JSON.parse(r.body.toString()).sn)
    expect(new Set(sns).size).toBe(1)

    answers = [500, 500, 500]
    sim.inject({ ...event, msg_id: 'm-2' })
    await sim.webhook.idle()
    expect(sim.webhook.deliveries.slice(3).map((d) => d.status)).toEqual([500, 500, 500])
  })

  it('rejects pushTo when nobody listens', async () => {
    await expect(
      sim.webhook.pushTo('http://127.0.0.1:1/none', event, { verifyToken: 'vt' }),
    ).rejects.toThrow()
  })
})
