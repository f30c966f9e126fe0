import { Writable } from 'node:stream'
import { deflateSync } from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { IngressEvent } from '../../../src/kook/ingress/ingress-event.js'
import { WebhookReceiver, type WebhookReceiverOptions } from '../../../src/kook/ingress/webhook-receiver.js'
// The simulator's encryptor is an independent implementation of KOOK's layout: a real counterpart.
import { encryptWebhookPayload } from '../../../src/kook/simulator/webhook-crypto.js'
import { createLogger } from '../../../src/util/logger.js'
import { Metrics } from '../../../src/util/metrics.js'

const TOKEN = 'verify-Tok3n-from-console'
const KEY = 'encKey-42'
const PATH = '/kook/webhook'

const receivers: WebhookReceiver[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop()))
})

async function startReceiver(options: Partial<WebhookReceiverOptions> = {}) {
  const events: IngressEvent[] = []
  const metrics = new Metrics()
  const receiver = new WebhookReceiver({
    host: '127.0.0.1',
    port: 0,
    path: PATH,
    verifyToken: TOKEN,
    encryptKey: KEY,
    sink: (event) => events.push(event),
    metrics,
    ...options,
  })
  receivers.push(receiver)
  const { port } = await receiver.start()
  const base = `http://127.0.0.1:${port}`
  const post = (body: string | Buffer, path = PATH) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
  return { receiver, events, metrics, base, post }
}

const frame = (sn: number, msgId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    s: 0,
    sn,
    d: {
      type: 9,
      channel_type: 'GROUP',
      target_id: '4881800000000',
      author_id: '2418200000',
      content: `hi ${sn}`,
      msg_id: msgId,
      verify_token: TOKEN,
      ...extra,
    },
  })
const challenge = (token = TOKEN) =>
  JSON.stringify({
    s: 0,
    d: { type: 255, channel_type: 'WEBHOOK_CHALLENGE', challenge: 'c-123', verify_token: token },
  })
const encrypted = (json: string) => JSON.stringify({ encrypt: encryptWebhookPayload(json, KEY) })
const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 2_000, interval: 5 })

describe('WebhookReceiver: events', () => {
  it.each([
    ['plain', (json: string) => json],
    ['compressed', (json: string) => deflateSync(json)],
    ['encrypted', (json: string) => encrypted(json)],
    ['compressed and encrypted', (json: string) => deflateSync(encrypted(json))],
  ])('acks and delivers a %s event, without its verify_token', async (_name, encode) => {
    const { post, events, metrics } = await startReceiver()
    const res = await post(encode(frame(1, 'msg-1')))
    expect(res.status).toBe(200)
    await waitFor(() => expect(events).toHaveLength(1))
    expect(events[0]).toMatchObject({ sn: 1, via: 'webhook', data: { msg_id: 'msg-1', content: 'hi 1' } })
    expect(events[0]?.data).not.toHaveProperty('verify_token')
    expect(metrics.value('kook_webhook_events_total')).toBe(1)
  })

  it('delivers a retried event once (same msg_id, new sn) and acks every try', async () => {
    const { post, events, metrics } = await startReceiver()
    expect((await post(frame(65535, 'retry-me'))).status).toBe(200)
    expect((await post(frame(1, 'retry-me'))).status).toBe(200) // webhook sn wraps: not a key
    expect((await post(frame(2, 'other'))).status).toBe(200)
    await waitFor(() => expect(events.map((e) => e.data['msg_id'])).toEqual(['retry-me', 'other']))
    expect(metrics.value('kook_webhook_duplicates_total')).toBe(1)
  })

  it('delivers events in arrival order', async () => {
    const { post, events } = await startReceiver()
    for (let i = 1; i <= 20; i++) expect((await post(frame(i, `m-${i}`))).status).toBe(200)
    await waitFor(() => expect(events).toHaveLength(20))
    expect(events.map((e) => e.sn)).toEqual([...Array(20).keys()].map((i) => i + 1))
  })

  it('keeps acking and delivering when the sink throws', async () => {
    const delivered: string[] = []
    const { post, metrics } = await startReceiver({
      sink: (event) => {
        if (event.data['msg_id'] === 'bad') throw new Error('consumer bug')
        delivered.push(String(event.data['msg_id']))
      },
    })
    expect((await post(frame(1, 'bad'))).status).toBe(200)
    expect((await post(frame(2, 'good'))).status).toBe(200)
    await waitFor(() => expect(delivered).toEqual(['good']))
    expect(metrics.value('kook_webhook_sink_errors_total')).toBe(1)
  })
})

describe('WebhookReceiver: challenge', () => {
  it.each([
    ['plain', (json: string) => json],
    ['encrypted and compressed', (json: string) => deflateSync(encrypted(json))],
  ])('answers a %s challenge with plain JSON at once', async (_name, encode) => {
    const { post, events } = await startReceiver()
    const res = await post(encode(challenge()))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ challenge: 'c-123' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual([])
  })

  it('refuses a challenge carrying the wrong verify_token', async () => {
    const { post } = await startReceiver()
    expect((await post(challenge('someone-else'))).status).toBe(403)
  })
})

describe('WebhookReceiver: refusals', () => {
  it('refuses a wrong or missing verify_token with 403 and counts it', async () => {
    const { post, events, metrics } = await startReceiver()
    expect((await post(frame(1, 'a', { verify_token: 'wrong' }))).status).toBe(403)
    expect((await post(frame(2, 'b', { verify_token: undefined }))).status).toBe(403)
    expect((await post(frame(3, 'c', { verify_token: `${TOKEN}x` }))).status).toBe(403)
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual([])
    expect(metrics.value('kook_webhook_rejected_total', { reason: 'verify_token' })).toBe(3)
  })

  it.each([
    ['not JSON', 'hello', 'json'],
    ['a JSON array', '[1]', 'json'],
    ['a broken zlib stream', Buffer.from([0x78, 0x9c, 1, 2, 3]), 'inflate'],
    ['no "d"', '{"s":0}', 'shape'],
    [
      'undecryptable',
      JSON.stringify({ encrypt: Buffer.from('0123456789abcdefAAAAAAAAAAAAAAAAAAAAAA==').toString('base64') }),
      'decrypt',
    ],
  ])('answers 400 to a body that is %s and counts it', async (_name, body, reason) => {
    const { post, metrics } = await startReceiver()
    const res = await post(body)
    expect(res.status).toBe(400)
    expect((await res.json()) as unknown).toMatchObject({ error: reason })
    expect(metrics.value('kook_webhook_rejected_total', { reason })).toBe(1)
  })

  it('answers 400 to an encrypted body when no encryptKey is configured', async () => {
    const { post } = await startReceiver({ encryptKey: undefined })
    const res = await post(encrypted(frame(1, 'x')))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'no_encrypt_key' })
  })

  it('answers 400 when the encryptKey does not match the console', async () => {
    const { post } = await startReceiver({ encryptKey: 'another-key' })
    expect((await post(encrypted(frame(1, 'x')))).status).toBe(400)
  })

  it('refuses bodies over the size limit with 413', async () => {
    const { post, metrics } = await startReceiver({ maxBodyBytes: 1_000 })
    const res = await post(frame(1, 'big', { content: 'x'.repeat(2_000) }))
    expect(res.status).toBe(413)
    expect(metrics.value('kook_webhook_rejected_total', { reason: 'too_large' })).toBe(1)
  })

  it('answers 404 off the configured path and 405 to other methods', async () => {
    const { post, base, metrics } = await startReceiver()
    expect((await post(frame(1, 'x'), '/elsewhere')).status).toBe(404)
    const get = await fetch(`${base}${PATH}`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect(metrics.value('kook_webhook_rejected_total', { reason: 'path' })).toBe(1)
    expect(metrics.value('kook_webhook_rejected_total', { reason: 'method' })).toBe(1)
  })

  it('cuts an encryptKey longer than 32 bytes the way KOOK does', async () => {
    const longKey = `${'k'.repeat(32)}-ignored-tail`
    const { post, events } = await startReceiver({ encryptKey: longKey })
    const body = JSON.stringify({ encrypt: encryptWebhookPayload(frame(1, 'long'), longKey) })
    expect((await post(body)).status).toBe(200)
    await waitFor(() => expect(events).toHaveLength(1))
  })

  it('never writes the verify token or the encrypt key to its logs', async () => {
    let logged = ''
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logged += String(chunk)
        done()
      },
    })
    const { post } = await startReceiver({ logger: createLogger({ level: 'trace', destination }) })
    await post(frame(1, 'x', { verify_token: 'wrong' }))
    await post(encrypted(frame(2, 'y')))
    await post(challenge())
    await post('garbage')
    await waitFor(() => expect(logged).toContain('challenge'))
    expect(logged).toContain('verify_token does not match')
    expect(logged).not.toContain(TOKEN)
    expect(logged).not.toContain(KEY)
  })
})
