import { describe, expect, it } from 'vitest'
import { OneBotSchema } from '../../src/config/onebot-schema.js'
import { isBridgeError } from '../../src/errors/bridge-error.js'
import { Hub } from '../../src/hub/hub.js'
import { OneBotEndpoint } from '../../src/onebot/onebot-endpoint.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { FakeOps } from './support/fake-ops.js'

function issues(input: unknown) {
  const result = OneBotSchema.safeParse(input)
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
}

describe('OneBot config schema', () => {
  it('defaults to karin, array messages, channels as groups, no transports, and loopback-only', () => {
    expect(OneBotSchema.parse({})).toMatchObject({
      enabled: false,
      profile: 'karin',
      messageFormat: 'array',
      channelAs: 'group',
      heartbeatIntervalMs: 30_000,
      handshakeSettleMs: 20,
      bufferSize: 1_000,
      reverseWs: [],
      httpPost: [],
      fileRoots: [],
      forwardWs: {},
    })
  })

  it('refuses a non-loopback bind without an access token, naming the field', () => {
    expect(issues({ forwardWs: { listen: '0.0.0.0:6700' } })).toEqual([
      {
        path: 'forwardWs.listen',
        message: 'refusing a non-loopback bind (0.0.0.0) without onebot.accessToken',
      },
    ])
    expect(issues({ httpApi: { listen: '192.168.1.2:5700' } })[0]?.path).toBe('httpApi.listen')
    expect(issues({ accessToken: 't', forwardWs: { listen: '0.0.0.0:6700' } })).toEqual([])
    expect(issues({ forwardWs: { listen: '127.0.0.1:6700' }, httpApi: { listen: ':5700' } })).toEqual([])
  })

  it('refuses the same reverse WS upstream twice (it would get every event twice)', () => {
    expect(issues({ reverseWs: [{ url: 'ws://127.0.0.1:7777/' }, { url: 'ws://127.0.0.1:7777/' }] })).toEqual(
      [
        {
          path: 'reverseWs.1.url',
          message: 'duplicate reverse WS url (also reverseWs[0]): it would receive every event twice',
        },
      ],
    )
  })

  it('rejects a non-WebSocket reverse URL', () => {
    expect(issues({ reverseWs: [{ url: 'http://127.0.0.1:7777/' }] })[0]?.path).toBe('reverseWs.0.url')
  })
})

describe('OneBotEndpoint: safe by default', () => {
  it('refuses to start a non-loopback listener without a token even from a hand-made config', async () => {
    const config = OneBotSchema.parse({ forwardWs: { listen: '127.0.0.1:0' } })
    const unsafe = { ...config, forwardWs: { listen: { host: '0.0.0.0', port: 0 } } }
    const endpoint = new OneBotEndpoint({
      bot: { id: '1', name: 'main', nickname: 'bot' },
      config: unsafe,
      hub: new Hub({ bot: 'main' }),
      store: new MemoryStore(),
      ops: new FakeOps(),
    })
    const error = await endpoint.start().catch((e: unknown) => e)
    expect(isBridgeError(error, 'CONFIG_INVALID')).toBe(true)
    expect((error as Error).message).toContain('onebot.forwardWs.listen')
    expect(endpoint.addresses()).toEqual({})
  })
})
