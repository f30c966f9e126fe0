import { afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { BIG_CHANNEL_ID, channelMessage } from './support/bridge-events.js'
import { startEndpoint } from './support/endpoint-harness.js'

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })

const clients: WebSocket[] = []
afterEach(async () => {
  await Promise.all(
    clients.splice(0).map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve()
          ws.once('close', () => resolve())
          ws.terminate()
        }),
    ),
  )
})

interface Client {
  ws: WebSocket
  frames: Array<Record<string, unknown>>
  call(action: string, params?: unknown, echo?: unknown): Promise<Record<string, unknown>>
}

/** Connects and resolves with the client, or with the HTTP status of a refused upgrade. */
function connect(url: string, headers: Record<string, string> = {}): Promise<Client | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    clients.push(ws)
    const frames: Array<Record<string, unknown>> = []
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
      ws.terminate()
    })
    ws.on('error', () => {})
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        async call(action, params = {}, echo = `e-${action}`) {
          ws.send(JSON.stringify({ action, params, echo }))
          await waitFor(() => expect(frames.some((f) => f['echo'] === echo)).toBe(true))
          return frames.find((f) => f['echo'] === echo)!
        },
      }),
    )
    setTimeout(() => reject(new Error('connect timed out')), 3_000)
  })
}

async function client(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const result = await connect(url, headers)
  if (typeof result === 'number') throw new Error(`refused with ${result}`)
  return result
}

async function start(profile: 'nonebot' | 'karin' = 'nonebot') {
  const harness = await startEndpoint({ profile, accessToken: 'tok', forwardWs: { listen: '127.0.0.1:0' } })
  const { port } = harness.endpoint.addresses().forwardWs!
  return { ...harness, base: `ws://127.0.0.1:${port}` }
}

describe('forward WS: access', () => {
  it('refuses a missing token with 401 and a wrong one with 403', async () => {
    const { base } = await start()
    expect(await connect(`${base}/`)).toBe(401)
    expect(await connect(`${base}/`, { authorization: 'Bearer nope' })).toBe(403)
    expect(await connect(`${base}/?access_token=nope`)).toBe(403)
    expect(await connect(`${base}/`, { authorization: 'Basic dG9rOg==' })).toBe(403)
  })

  it.each([
    ['Bearer header', '/', { authorization: 'Bearer tok' }],
    ['Token header', '/', { authorization: 'Token tok' }],
    ['query token', '/?access_token=tok', {}],
  ])('accepts the token in a %s', async (_name, path, headers) => {
    const { base } = await start()
    const c = await client(`${base}${path}`, headers)
    expect(await c.call('get_status', {}, 5)).toMatchObject({
      status: 'ok',
      echo: 5,
      data: { online: true, good: true },
    })
  })

  it('answers 404 for an unknown path', async () => {
    const { base } = await start()
    expect(await connect(`${base}/ws`, { authorization: 'Bearer tok' })).toBe(404)
  })

  it('binds to loopback by default and reports the bound port', async () => {
    const { endpoint } = await start()
    expect(endpoint.addresses().forwardWs).toMatchObject({ host: '127.0.0.1' })
    expect(endpoint.addresses().forwardWs?.port).toBeGreaterThan(0)
  })
})

describe('forward WS: paths', () => {
  it('sends lifecycle then events on / and /event, none on /api, with the same frame everywhere', async () => {
    const { base, publish, endpoint } = await start()
    const auth = { authorization: 'Bearer tok' }
    const universal = await client(`${base}/`, auth)
    const events = await client(`${base}/event`, auth)
    const api = await client(`${base}/api`, auth)
    await waitFor(() => expect(universal.frames).toHaveLength(1))
    await waitFor(() => expect(events.frames).toHaveLength(1))
    publish(channelMessage([{ type: 'text', text: 'hello' }]))
    await waitFor(() => expect(universal.frames).toHaveLength(2))
    await waitFor(() => expect(events.frames).toHaveLength(2))
    expect(universal.frames[0]).toMatchObject({
      meta_event_type: 'lifecycle',
      sub_type: 'connect',
      self_id: endpoint.selfId,
    })
    expect(universal.frames[1]).toEqual(events.frames[1])
    expect(JSON.stringify(universal.frames[1])).not.toContain(BIG_CHANNEL_ID)
    // /api gets answers but no events, and no lifecycle.
    expect(await api.call('get_login_info')).toMatchObject({ data: { user_id: endpoint.selfId } })
    expect(api.frames.every((f) => 'echo' in f)).toBe(true)
  })

  it('ignores calls on /event', async () => {
    const { base, metrics } = await start()
    const events = await client(`${base}/event`, { authorization: 'Bearer tok' })
    events.ws.send(JSON.stringify({ action: 'get_login_info', echo: 1 }))
    await waitFor(() => expect(metrics.total('kookbridge_onebot_ignored_frames_total')).toBe(1))
    expect(events.frames.some((f) => 'echo' in f)).toBe(false)
  })

  it('answers a malformed frame with 1400 and keeps the connection', async () => {
    const { base } = await start()
    const c = await client(`${base}/`, { authorization: 'Bearer tok' })
    c.ws.send('not json')
    await waitFor(() => expect(c.frames.some((f) => f['retcode'] === 1400)).toBe(true))
    c.ws.send(JSON.stringify({ params: {}, echo: 'x' }))
    await waitFor(() => expect(c.frames.find((f) => f['echo'] === 'x')).toMatchObject({ retcode: 1400 }))
    expect(await c.call('get_login_info')).toMatchObject({ status: 'ok' })
  })

  it('holds events for a Karin client until its handshake calls are answered', async () => {
    const { base, publish } = await start('karin')
    const c = await client(`${base}/`, { authorization: 'Bearer tok' })
    publish(channelMessage([{ type: 'text', text: 'early' }]))
    await new Promise((r) => setTimeout(r, 50))
    expect(c.frames.filter((f) => f['post_type'] === 'message')).toHaveLength(0)
    await c.call('get_login_info')
    await c.call('get_version_info')
    await waitFor(() => expect(c.frames.filter((f) => f['post_type'] === 'message')).toHaveLength(1))
  })
})
