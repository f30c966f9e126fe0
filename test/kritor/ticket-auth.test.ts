import { Metadata, status } from '@grpc/grpc-js'
import { describe, expect, it, vi } from 'vitest'
import { KritorSchema } from '../../src/config/kritor-schema.js'
import { BotSchema } from '../../src/config/schema.js'
import { Hub } from '../../src/hub/hub.js'
import { KritorEndpoint } from '../../src/kritor/kritor-endpoint.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { BOT_ID } from './support/bridge-events.js'
import { connect, startEndpoint } from './support/endpoint-harness.js'
import { failure as refusal } from './support/expect-status.js'
import { FakeOps } from './support/fake-ops.js'

const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 3_000, interval: 5 })
const ACCOUNT = 'kritor.core.CoreService/GetCurrentAccount'
const AUTH = 'kritor.authentication.AuthenticationService/Authenticate'
const STATE = 'kritor.authentication.AuthenticationService/GetAuthenticationState'
const TICKET = 'correct horse battery staple'

function withTicket(ticket: string): Metadata {
  const md = new Metadata()
  md.set('ticket', ticket)
  return md
}

describe('kritor authentication', () => {
  it('is off by default: every call passes, Authenticate says OK, nothing is required', async () => {
    const { client } = await startEndpoint()
    expect((await client.unary(ACCOUNT)).response['account_uid']).toBe(BOT_ID)
    expect((await client.unary(AUTH, { account: BOT_ID, ticket: '' })).response['code']).toBe('OK')
    expect((await client.unary(STATE, { account: BOT_ID })).response).toEqual({ is_required: false })
  })

  it('with tickets, refuses calls and streams without a ticket as UNAUTHENTICATED', async () => {
    const { client } = await startEndpoint({ tickets: [TICKET] })
    const error = await refusal(client.unary(ACCOUNT))
    expect(error.code).toBe(status.UNAUTHENTICATED)
    expect(error.details).toMatch(/ticket/)
    expect((await refusal(client.unary(ACCOUNT, {}, withTicket('wrong')))).code).toBe(status.UNAUTHENTICATED)
    const stream = client.stream('kritor.event.EventService/RegisterActiveListener', {
      type: 'EVENT_TYPE_MESSAGE',
    })
    await waitFor(() => expect(stream.error?.code).toBe(status.UNAUTHENTICATED))
  })

  it('accepts a valid ticket header on any call', async () => {
    const { client } = await startEndpoint({ tickets: ['another', TICKET] })
    expect((await client.unary(ACCOUNT, {}, withTicket(TICKET))).response['account_uid']).toBe(BOT_ID)
  })

  it('answers Authenticate with kritor codes, then trusts that connection (nonebot sends no ticket on streams)', async () => {
    const { client, endpoint } = await startEndpoint({ tickets: [TICKET] })
    expect((await client.unary(STATE, { account: BOT_ID })).response).toEqual({ is_required: true })
    expect((await client.unary(AUTH, { account: '1234567', ticket: TICKET })).response['code']).toBe(
      'NO_ACCOUNT',
    )
    expect((await client.unary(AUTH, { account: BOT_ID, ticket: 'nope' })).response['code']).toBe('NO_TICKET')
    expect((await client.unary(AUTH, { account: BOT_ID, ticket: TICKET })).response['code']).toBe('OK')
    expect((await client.unary(STATE, { account: BOT_ID })).response).toEqual({ is_required: false })
    expect((await client.unary(ACCOUNT)).response['account_uid']).toBe(BOT_ID)
    const stream = client.stream('kritor.event.EventService/RegisterActiveListener', {
      type: 'EVENT_TYPE_NOTICE',
    })
    await waitFor(() => expect(endpoint.streamStats()).toHaveLength(1))
    expect(stream.error).toBeUndefined()
    // Another connection has not authenticated.
    const stranger = connect(endpoint)
    expect((await refusal(stranger.unary(ACCOUNT))).code).toBe(status.UNAUTHENTICATED)
  })

  it('refuses a non-loopback listen without tickets, at kritor.listen', () => {
    const result = BotSchema.safeParse({ kritor: { enabled: true, listen: '0.0.0.0:5700' } })
    expect(result.success).toBe(false)
    const issue = result.error?.issues.find((i) => i.path.join('.') === 'kritor.listen')
    expect(issue?.message).toMatch(/non-loopback.*tickets/)
    expect(KritorSchema.safeParse({ listen: '0.0.0.0:5700', tickets: [TICKET] }).success).toBe(true)
  })

  it('refuses the same bind when handed a config that skipped the schema', async () => {
    const config = { ...KritorSchema.parse({}), listen: { host: '0.0.0.0', port: 0 } }
    const endpoint = new KritorEndpoint({
      bot: { id: BOT_ID, name: 'b', nickname: 'b' },
      config,
      hub: new Hub({ bot: 'b' }),
      store: new MemoryStore(),
      ops: new FakeOps(),
    })
    await expect(endpoint.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    expect(endpoint.address).toBeUndefined()
  })
})
