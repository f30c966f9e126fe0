import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { channelMessage } from './support/bridge-events.js'
import { startEndpoint } from './support/endpoint-harness.js'

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
    ),
  )
})

/** The framework's webhook receiver: records raw bodies and answers 204 (or `status`). */
async function receiver(status = 204) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(status).end()
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/onebot`
  return { received, url }
}

const message = (n: number) =>
  channelMessage([{ type: 'text', text: `m${n}` }], {
    messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  })

describe('HTTP POST', () => {
  it('signs the exact body with X-Signature sha1 HMAC and sends X-Self-ID', async () => {
    const { received, url } = await receiver()
    const { publish, endpoint } = await startEndpoint({
      profile: 'karin',
      httpPost: [{ url, secret: 'post-token' }],
    })
    publish(message(1))
    await waitFor(() => expect(received).toHaveLength(2))
    for (const { headers, body } of received) {
      const expected = `sha1=${createHmac('sha1', 'post-token').update(body).digest('hex')}`
      expect(headers['x-signature']).toBe(expected)
      expect(headers['x-self-id']).toBe(String(endpoint.selfId))
      expect(headers['content-type']).toBe('application/json')
      // Koishi recomputes the HMAC over JSON.stringify(parsed): the body must re-serialise identically.
      expect(JSON.stringify(JSON.parse(body))).toBe(body)
    }
    expect(JSON.parse(received[0]!.body)).toMatchObject({ meta_event_type: 'lifecycle', sub_type: 'enable' })
    expect(JSON.parse(received[1]!.body)).toMatchObject({ post_type: 'message', raw_message: 'm1' })
  })

  it('sends no signature without a secret', async () => {
    const { received, url } = await receiver()
    await startEndpoint({ httpPost: [{ url }] })
    await waitFor(() => expect(received).toHaveLength(1))
    expect(received[0]?.headers).not.toHaveProperty('x-signature')
  })

  it('posts events one at a time, in order', async () => {
    const { received, url } = await receiver()
    const { publish } = await startEndpoint({ httpPost: [{ url }] })
    for (let n = 1; n <= 5; n++) publish(message(n))
    await waitFor(() => expect(received).toHaveLength(6))
    expect(received.slice(1).map((r) => (JSON.parse(r.body) as { raw_message: string }).raw_message)).toEqual(
      ['m1', 'm2', 'm3', 'm4', 'm5'],
    )
  })

  it('counts a refused post and carries on with the next event', async () => {
    const { received, url } = await receiver(500)
    const { publish, metrics } = await startEndpoint({ httpPost: [{ url }] })
    publish(message(1))
    await waitFor(() => expect(received).toHaveLength(2))
    await waitFor(() =>
      expect(
        metrics.value('kookbridge_onebot_http_posts_total', {
          bot: 'main',
          transport: 'http_post',
          status: '500',
        }),
      ).toBe(2),
    )
  })
})
