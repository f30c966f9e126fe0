import { describe, expect, it } from 'vitest'
import { encodeRequest } from '../../../src/kook/api/encode-request.js'
import { KOOK_ENDPOINTS } from '../../../src/kook/api/endpoints.js'

const spec = KOOK_ENDPOINTS['message/create']

describe('encodeRequest JSON bodies', () => {
  it('writes bigints as decimal strings, at any depth', () => {
    const body = encodeRequest('http://kook/api/v3/', 'message/create', spec, {
      target_id: 12345678901234567890n,
      content: 'hi',
      nested: { ids: [1n, 2] },
    }).body
    expect(body).toBe('{"target_id":"12345678901234567890","content":"hi","nested":{"ids":["1",2]}}')
  })

  it('writes everything else as JSON.stringify does', () => {
    const params = { type: 9, target_id: '1234', content: 'pong ✓', quote: undefined, nonce: null }
    const request = encodeRequest('http://kook/api/v3', 'message/create', spec, params)
    expect(request).toEqual({
      url: 'http://kook/api/v3/message/create',
      method: 'POST',
      body: JSON.stringify(params),
      contentType: 'application/json',
    })
  })
})
