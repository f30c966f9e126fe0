import { describe, expect, it } from 'vitest'
import { BIG_CHANNEL_ID } from './support/bridge-events.js'
import { startEndpoint } from './support/endpoint-harness.js'

/** `null`: no access token configured. */
async function start(accessToken: string | null = 'tok') {
  const harness = await startEndpoint({
    profile: 'nonebot',
    ...(accessToken !== null && { accessToken }),
    httpApi: { listen: '127.0.0.1:0', maxBodyBytes: 2048 },
  })
  const { port } = harness.endpoint.addresses().httpApi!
  const base = `http://127.0.0.1:${port}`
  const auth = { authorization: 'Bearer tok' }
  return { ...harness, base, auth, group: harness.store.numberFor('channel', BIG_CHANNEL_ID) }
}

describe('HTTP API: access and statuses', () => {
  it('answers 401 without a token and 403 with a wrong one, before running anything', async () => {
    const { base, ops } = await start()
    expect((await fetch(`${base}/get_login_info`)).status).toBe(401)
    expect((await fetch(`${base}/get_login_info`, { headers: { authorization: 'Bearer bad' } })).status).toBe(
      403,
    )
    expect((await fetch(`${base}/get_login_info?access_token=bad`)).status).toBe(403)
    expect(ops.calls).toEqual([])
  })

  it('accepts the token in the query string', async () => {
    const { base, endpoint } = await start()
    const res = await fetch(`${base}/get_login_info?access_token=tok`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', data: { user_id: endpoint.selfId } })
  })

  it('answers 404 with an envelope for an unknown action', async () => {
    const { base, auth } = await start()
    const res = await fetch(`${base}/no_such_action`, { headers: auth })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ status: 'failed', retcode: 1404 })
  })

  it('answers 406 for an unsupported Content-Type, 400 for unreadable JSON, 413 for a huge body', async () => {
    const { base, auth } = await start()
    const post = (body: string, type: string) =>
      fetch(`${base}/get_status`, { method: 'POST', headers: { ...auth, 'content-type': type }, body })
    expect((await post('x', 'text/xml')).status).toBe(406)
    expect((await post('{oops', 'application/json')).status).toBe(400)
    expect((await post('[1]', 'application/json')).status).toBe(400)
    expect((await post(JSON.stringify({ pad: 'x'.repeat(4096) }), 'application/json')).status).toBe(413)
  })

  it('answers 200 with retcode 1400 for bad params, then keeps serving', async () => {
    const { base, auth } = await start()
    const res = await fetch(`${base}/send_group_msg?group_id=abc&message=hi`, { headers: auth })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      retcode: 1400,
      wording: 'send_group_msg: group_id: expected a number or a numeric string, got "abc"',
    })
    expect((await fetch(`${base}/get_status`, { headers: auth })).status).toBe(200)
  })
})

describe('HTTP API: params', () => {
  it.each([
    [
      'a JSON body',
      (group: number) => ({
        method: 'POST',
        type: 'application/json',
        body: JSON.stringify({ group_id: group, message: 'hi' }),
        query: '',
      }),
    ],
    [
      'a form body',
      (group: number) => ({
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        body: `group_id=${group}&message=hi`,
        query: '',
      }),
    ],
    [
      'the query string',
      (group: number) => ({
        method: 'GET',
        type: undefined,
        body: undefined,
        query: `?group_id=${group}&message=hi`,
      }),
    ],
  ])('reads params from %s, coercing numeric strings', async (_name, make) => {
    const { base, auth, ops, group } = await start()
    const req = make(group)
    const res = await fetch(`${base}/send_group_msg/${req.query}`, {
      method: req.method,
      headers: { ...auth, ...(req.type && { 'content-type': req.type }) },
      ...(req.body !== undefined && { body: req.body }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { status: string; data: { message_id: number } }
    expect(body.status).toBe('ok')
    expect(Number.isInteger(body.data.message_id)).toBe(true)
    expect(ops.ops('sendMessage')[0]).toMatchObject({
      target: { scene: 'channel', channelId: BIG_CHANNEL_ID },
      elements: [{ type: 'text', text: 'hi' }],
    })
  })

  it('serves without a token on loopback when none is configured', async () => {
    const { base } = await start(null)
    expect((await fetch(`${base}/get_status`)).status).toBe(200)
  })
})
