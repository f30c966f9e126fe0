import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode, isBridgeError } from '../../../src/errors/bridge-error.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import { parseSimScript } from '../../../src/kook/simulator/run-sim-script.js'
import { RawGatewayClient } from './raw-gateway-client.js'

let sim: KookSimulator
let client: RawGatewayClient
let dir: string

beforeEach(async () => {
  sim = await KookSimulator.start()
  client = await RawGatewayClient.connect(sim.gatewayUrl(false))
  await client.next((f) => f.s === 1)
  dir = await mkdtemp(join(tmpdir(), 'kook-sim-script-'))
})

afterEach(async () => {
  await client.close()
  await sim.close()
  await rm(dir, { recursive: true, force: true })
})

describe('simulator scripts', () => {
  it('plays a YAML file: fixture injection, labelled posts, reactions, joins and waits, in order', async () => {
    const frame = {
      s: 0,
      sn: 3,
      d: { channel_type: 'GROUP', type: 255, target_id: '1', extra: { type: 'x' } },
    }
    await writeFile(join(dir, 'event.json'), JSON.stringify(frame))
    await writeFile(
      join(dir, 'script.yaml'),
      [
        'steps:',
        '  - inject: { fixture: event.json }',
        '  - post: { label: hello, content: "hello" }',
        '  - wait: 10',
        '  - post: { userId: "2418200002", content: "dm" }',
        '  - react: { message: hello, emoji: "🎉", userId: "2418200002" }',
        '  - join: { userId: "2418200009", username: Eve }',
        '  - post: { attachment: { name: pic.png } }',
      ].join('\n'),
    )
    await sim.runScript(join(dir, 'script.yaml'))
    const events = await client.events(6)
    const hello = events[1]?.d
    expect(events.map((e) => e.d?.['type'])).toEqual([255, 9, 9, 255, 255, 2])
    expect(events[0]?.d).toEqual(frame.d)
    expect(hello).toMatchObject({ channel_type: 'GROUP', content: 'hello' })
    expect(events[2]?.d).toMatchObject({ channel_type: 'PERSON', author_id: '2418200002' })
    expect(events[3]?.d).toMatchObject({
      extra: { type: 'added_reaction', body: { msg_id: hello?.['msg_id'], emoji: { id: '[#127881;]' } } },
    })
    expect(events[4]?.d).toMatchObject({ extra: { type: 'joined_guild', body: { user_id: '2418200009' } } })
    expect(sim.world.user('2418200009')?.username).toBe('Eve')
    const image = String(events[5]?.d?.['content'])
    expect((await fetch(image)).headers.get('content-type')).toBe('image/png')
  })

  it('reports every invalid step with its path, before playing anything', async () => {
    let caught: unknown
    try {
      await sim.runScript({ steps: [{ wait: -1 }, { post: {} }, { teleport: 1 }] as never })
    } catch (err) {
      caught = err
    }
    expect(isBridgeError(caught, ErrorCode.ConfigInvalid)).toBe(true)
    const message = (caught as Error).message
    expect(message).toContain('steps[0].wait')
    expect(message).toContain('steps[1].post')
    expect(message).toContain('steps[2] — expected one of')
    await client.nothing((f) => f.s === 0, 30)
  })

  it('ships an example script that validates and plays against a connected client', async () => {
    const example = join(import.meta.dirname, '../../../examples/simulator-script.yaml')
    await sim.runScript(example, { waitScale: 0.01 })
    const events = await client.events(5)
    expect(
      events.map((e) => [e.d?.['type'], (e.d?.['extra'] as { type?: unknown } | undefined)?.type]),
    ).toEqual([
      [9, 9],
      [2, 2],
      [255, 'joined_guild'],
      [255, 'added_reaction'],
      [9, 9],
    ])
    expect(events[0]?.d).toMatchObject({ content: '#ping' })
  })

  it('parseSimScript accepts a bare list of steps', () => {
    expect(parseSimScript([{ drop: true }, { reconnect: 40107 }], 'inline')).toEqual([
      { kind: 'drop', value: true },
      { kind: 'reconnect', value: 40107 },
    ])
  })
})
