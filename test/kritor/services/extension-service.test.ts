import { status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import { KookApiError } from '../../../src/errors/bridge-error.js'
import { startEndpoint } from '../support/endpoint-harness.js'
import { failure } from '../support/expect-status.js'

const CALL = 'kookbridge.v1.ExtensionService/CallKookApi'

describe('ExtensionService.CallKookApi', () => {
  it('calls a KOOK endpoint with JSON params and answers its data as JSON', async () => {
    const calls: Array<[string, Record<string, unknown>]> = []
    const { client } = await startEndpoint(
      {},
      {
        callKookApi: async (endpoint, params) => {
          calls.push([endpoint, params])
          return { items: [{ id: '1' }] }
        },
      },
    )
    const { response } = await client.unary(CALL, {
      endpoint: 'guild-role/list',
      json_params: '{"guild_id":"3987615236490215"}',
    })
    expect(calls).toEqual([['guild-role/list', { guild_id: '3987615236490215' }]])
    expect(JSON.parse(String(response['json_data']))).toEqual({ items: [{ id: '1' }] })
  })

  it('turns a KOOK refusal into FAILED_PRECONDITION with the KOOK code, and bad JSON into INVALID_ARGUMENT', async () => {
    const { client } = await startEndpoint(
      {},
      {
        callKookApi: async (endpoint) => {
          throw new KookApiError(40300, 'no permission', endpoint)
        },
      },
    )
    const refused = await failure(client.unary(CALL, { endpoint: 'guild/kickout', json_params: '{}' }))
    expect(refused.code).toBe(status.FAILED_PRECONDITION)
    expect(refused.details).toMatch(/40300/)
    const bad = await failure(client.unary(CALL, { endpoint: 'guild/list', json_params: '[1' }))
    expect(bad.code).toBe(status.INVALID_ARGUMENT)
    expect(bad.details).toMatch(/json_params is not JSON/)
  })

  it('is UNIMPLEMENTED when the endpoint has no KOOK API access', async () => {
    const { client } = await startEndpoint()
    expect((await failure(client.unary(CALL, { endpoint: 'guild/list' }))).code).toBe(status.UNIMPLEMENTED)
  })

  it('is not served at all when extensionService is off', async () => {
    const { client } = await startEndpoint({ extensionService: false }, { callKookApi: async () => ({}) })
    const error = await failure(client.unary(CALL, { endpoint: 'guild/list' }))
    expect(error.code).toBe(status.UNIMPLEMENTED)
  })
})
