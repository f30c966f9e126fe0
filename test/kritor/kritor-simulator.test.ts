/**
 * kritor end to end on the KOOK simulator, seen by a grpc-js client built from upstream's own protos
 * (kritor-proto@1.0.3 + proto-loader, as koishi builds its client):
 * - every KOOK fixture (test/fixtures/kook) is injected through the simulator's gateway (zlib frames)
 *   and what arrives on each of the four RegisterActiveListener streams and on the extension stream is
 *   compared with test/golden/kritor/<fixture>.json — reviewed files; update with `vitest -u` and read
 *   the diff;
 * - SendMessage reaches the simulator's message/create, RecallMessage and GetMessage work on a message
 *   that was received, guild-wide notices land on the guild's default channel, and auth works the way
 *   nonebot uses it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Metadata, status } from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { KookSimulator } from '../../src/kook/simulator/kook-simulator.js'
import { defaultBot } from '../../src/kook/simulator/sim-world.js'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import { failure } from './support/expect-status.js'
import { type Json, KritorClient, type OpenStream } from './support/kritor-client.js'
import { type SimBridge, startSimBridge } from './support/sim-bridge.js'

/** The bot of the constructed fixtures: PERSON events are addressed to it. */
const FIXTURE_BOT = '3541790628'
const LISTEN = 'kritor.event.EventService/RegisterActiveListener'
const EXTENSION = 'kookbridge.v1.ExtensionService/RegisterExtensionListener'
const TYPES = [
  'EVENT_TYPE_CORE_EVENT',
  'EVENT_TYPE_MESSAGE',
  'EVENT_TYPE_NOTICE',
  'EVENT_TYPE_REQUEST',
] as const

const fixtureDir = fileURLToPath(new URL('../fixtures/kook/', import.meta.url))
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
const table = loadMappingTable()
const waitFor = <T>(fn: () => T, timeout = 3_000) => vi.waitFor(fn, { timeout, interval: 5 })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let sim: KookSimulator

beforeAll(async () => {
  sim = await KookSimulator.start({ world: { bot: defaultBot({ id: FIXTURE_BOT, username: 'kookbridge' }) } })
})

afterAll(async () => {
  await sim.close()
})

interface Streams {
  byName: Record<string, OpenStream>
  all: OpenStream[]
}

async function openStreams(bridge: SimBridge): Promise<Streams> {
  const byName: Record<string, OpenStream> = {}
  for (const type of TYPES) byName[type] = bridge.client.stream(LISTEN, { type })
  byName['extension'] = bridge.client.stream(EXTENSION, {})
  const all = Object.values(byName)
  await waitFor(() => expect(bridge.endpoint.streamStats()).toHaveLength(all.length))
  return { byName, all }
}

/** Waits until the runtime published the injected event and nothing more arrived for a while. */
async function settle(streams: Streams, published: () => number): Promise<void> {
  await waitFor(() => expect(published()).toBeGreaterThan(0))
  const total = () => streams.all.reduce((n, s) => n + s.received.length, 0)
  let last = total()
  let quietSince = Date.now()
  while (Date.now() - quietSince < 80) {
    await sleep(5)
    const now = total()
    if (now !== last) {
      last = now
      quietSince = Date.now()
    }
  }
}

function golden(streams: Streams): string {
  const out: Record<string, Json[]> = {}
  for (const [name, stream] of Object.entries(streams.byName)) {
    if (stream.received.length > 0) out[name] = stream.received
  }
  return `${JSON.stringify(out, null, 2)}\n`
}

describe('kritor over the KOOK simulator', () => {
  describe('golden kritor events of the KOOK fixtures', () => {
    it.each(fixtures)('%s', async (file) => {
      const frame = JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as { d: Record<string, unknown> }
      const bridge = await startSimBridge(sim, { table })
      try {
        const streams = await openStreams(bridge)
        let published = 0
        bridge.runtime.on('event', () => published++)
        sim.inject(frame.d)
        await settle(streams, () => published)
        for (const stream of streams.all) expect(stream.error).toBeUndefined()
        await expect(golden(streams)).toMatchFileSnapshot(`../golden/kritor/${file}`)
      } finally {
        await bridge.stop()
      }
    })
  })

  describe('services', () => {
    let bridge: SimBridge
    let streams: Streams

    beforeAll(async () => {
      bridge = await startSimBridge(sim, { table })
      streams = await openStreams(bridge)
    })

    afterAll(async () => {
      await bridge.stop()
    })

    it('answers GetCurrentAccount with the bot and kritor-self-* headers', async () => {
      const { response, headers } = await bridge.client.unary('kritor.core.CoreService/GetCurrentAccount')
      expect(response).toEqual({
        account_uid: FIXTURE_BOT,
        account_uin: FIXTURE_BOT,
        account_name: 'kookbridge',
      })
      expect(headers.get('kritor-self-uin')).toEqual([FIXTURE_BOT])
    })

    it('receives a user message, answers GetMessage by id alone, and recalls it on KOOK', async () => {
      const message = streams.byName['EVENT_TYPE_MESSAGE'] as OpenStream
      const before = message.received.length
      const d = sim.postMessage({ content: 'hello kritor' })
      await waitFor(() => expect(message.received.length).toBe(before + 1))
      const body = message.received[before]?.['message'] as Json
      expect(body).toMatchObject({
        message_id: d['msg_id'],
        contact: { scene: 'GROUP', peer: d['target_id'] },
        elements: [{ type: 'TEXT', text: { text: 'hello kritor' } }],
      })
      expect(Number(body['message_seq'])).toBeGreaterThan(0)

      const fetched = await bridge.client.unary('kritor.message.MessageService/GetMessage', {
        message_id: d['msg_id'],
      })
      const got = fetched.response['message'] as Json
      expect(got).toMatchObject({
        message_id: d['msg_id'],
        message_seq: body['message_seq'],
        contact: body['contact'],
        elements: body['elements'],
      })
      expect((got['sender'] as Json)['uid']).toBe((body['sender'] as Json)['uid'])

      await bridge.client.unary('kritor.message.MessageService/RecallMessage', { message_id: d['msg_id'] })
      expect(sim.requests.filter((r) => r.route === 'message/delete').at(-1)?.params).toMatchObject({
        msg_id: d['msg_id'],
      })
      expect(sim.allMessages.find((m) => m.msgId === d['msg_id'])?.deleted).toBe(true)
    })

    it('reads channel history up to a message, by id or by seq, with the seqs the events carried', async () => {
      const message = streams.byName['EVENT_TYPE_MESSAGE'] as OpenStream
      const before = message.received.length
      const posted = ['history one', 'history two', 'history three'].map((content) =>
        sim.postMessage({ content }),
      )
      await waitFor(() => expect(message.received.length).toBe(before + 3))
      const bodies = message.received.slice(before).map((event) => event['message'] as Json)
      const contact = bodies[0]?.['contact']

      const byId = await bridge.client.unary('kritor.message.MessageService/GetHistoryMessage', {
        contact,
        start_message_id: posted[1]?.['msg_id'],
        count: 2,
      })
      const page = byId.response['messages'] as Json[]
      // Oldest first, ending with the start message; same ids, seqs and elements as the events.
      expect(page.map((m) => [m['message_id'], m['message_seq'], m['elements']])).toEqual(
        bodies.slice(0, 2).map((m) => [m['message_id'], m['message_seq'], m['elements']]),
      )
      const listed = sim.requests.filter((r) => r.route === 'message/list').at(-1)
      expect(listed?.params).toMatchObject({ target_id: posted[0]?.['target_id'] })

      const bySeq = await bridge.client.unary('kritor.message.MessageService/GetHistoryMessageBySeq', {
        contact,
        start_message_seq: bodies[2]?.['message_seq'],
        count: 3,
      })
      expect((bySeq.response['messages'] as Json[]).map((m) => m['message_id'])).toEqual(
        posted.map((d) => d['msg_id']),
      )

      const elsewhere = await failure(
        bridge.client.unary('kritor.message.MessageService/GetHistoryMessage', {
          contact: { scene: 'GROUP', peer: '1234567890123' },
          start_message_id: posted[1]?.['msg_id'],
        }),
      )
      expect(elsewhere.code).toBe(status.INVALID_ARGUMENT)
      expect(elsewhere.details).toContain('not in this conversation')
    })

    it('sends text + @mention + reply + image: uploaded first, then one message/create with quote', async () => {
      const message = streams.byName['EVENT_TYPE_MESSAGE'] as OpenStream
      const before = message.received.length
      const d = sim.postMessage({ content: 'send me a picture' })
      await waitFor(() => expect(message.received.length).toBe(before + 1))
      const incoming = message.received[before]?.['message'] as Json
      const author = (incoming['sender'] as Json)['uid'] as string
      const png = Buffer.from(
        '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
          '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
        'hex',
      )
      const sent = await bridge.client.unary('kritor.message.MessageService/SendMessage', {
        contact: incoming['contact'],
        elements: [
          { type: 'REPLY', reply: { message_id: incoming['message_id'] } },
          { type: 'AT', at: { uid: author } },
          { type: 'TEXT', text: { text: ' here *you* go' } },
          { type: 'IMAGE', image: { file: png } },
        ],
      })
      const uploads = sim.requests.filter((r) => r.route === 'asset/create')
      expect(uploads.length).toBeGreaterThan(0)
      const create = sim.requests.filter((r) => r.route === 'message/create').at(-1)
      expect(create?.params).toMatchObject({ target_id: d['target_id'], quote: incoming['message_id'] })
      const stored = sim.messages.find((m) => m.msgId === sent.response['message_id'])
      expect(stored).toBeDefined()
      const content = String(create?.params['content'])
      // Text and image together travel as one card whose kmarkdown section holds the mention and
      // the escaped text; the image is the URL the upload returned.
      expect(create?.params['type']).toBe(10)
      expect(content).toContain(`(met)${author}(met)`)
      expect(content).toContain(' here \\\\*you\\\\* go')
      expect(content).toContain(`${sim.origin}/assets/`)
      expect(Number(sent.response['message_time'])).toBeGreaterThan(1_600_000_000)
    })

    it('reports a member joining the guild on the guild’s default text channel', async () => {
      const notice = streams.byName['EVENT_TYPE_NOTICE'] as OpenStream
      const before = notice.received.length
      const d = sim.memberJoin({ username: 'newbie' })
      await waitFor(() => expect(notice.received.length).toBe(before + 1))
      const guild = sim.world.guild(String(d['target_id']))
      expect(notice.received[before]?.['notice']).toMatchObject({
        type: 'GROUP_MEMBER_INCREASE',
        group_member_increase: { group_id: guild?.default_channel_id },
      })
    })

    it('answers a KOOK refusal with a status that names the KOOK code', async () => {
      const error = await failure(
        bridge.client.unary('kritor.message.MessageService/SendMessage', {
          contact: { scene: 'GROUP', peer: '1234567890123' },
          elements: [{ type: 'TEXT', text: { text: 'to nowhere' } }],
        }),
      )
      expect(error.code).toBe(status.FAILED_PRECONDITION)
      expect(error.details).toMatch(/message\/create failed with code 40000/)
      expect(error.metadata.get('kookbridge-error-code')).toEqual(['KOOK_API'])
    })
  })

  describe('auth, the way nonebot uses it', () => {
    it('Authenticate then streams without a ticket; a ticketless stranger is refused', async () => {
      const bridge = await startSimBridge(sim, { table, kritor: { tickets: ['s3cret'] } })
      try {
        const { client } = bridge
        const refused = await failure(client.unary('kritor.core.CoreService/GetCurrentAccount'))
        expect(refused.code).toBe(status.UNAUTHENTICATED)
        expect(
          (
            await client.unary('kritor.authentication.AuthenticationService/Authenticate', {
              account: FIXTURE_BOT,
              ticket: 's3cret',
            })
          ).response['code'],
        ).toBe('OK')
        const message = client.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' })
        await waitFor(() => expect(bridge.endpoint.streamStats()).toHaveLength(1))
        sim.postMessage({ content: 'authenticated' })
        await waitFor(() => expect(message.received).toHaveLength(1))
        const stranger = new KritorClient(`127.0.0.1:${bridge.endpoint.address?.port}`)
        try {
          const error = await failure(stranger.unary('kritor.core.CoreService/GetCurrentAccount'))
          expect(error.code).toBe(status.UNAUTHENTICATED)
        } finally {
          stranger.close()
        }
        const md = new Metadata()
        md.set('ticket', 's3cret')
        expect((await client.unary('kritor.core.CoreService/GetVersion', {}, md)).response['app_name']).toBe(
          'kookbridge',
        )
      } finally {
        await bridge.stop()
      }
    })
  })
})
