// Why gen/ holds pbjs static code: encode/decode speed of the event kookbridge pushes most (a channel
// message with text + mention + image), static code against protobufjs reflection on the same protos,
// and the cold-start cost of each (fresh Node process: load the schema, encode once).
// Results are recorded in proto/README.md ("What we measured").
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import protobuf from 'protobufjs'
import { kritor } from '../gen/kritor/1.0.3/kritor.js'
import type { BenchRow } from './bench-row.js'

const SECTION = 'kritor proto'
const ITERATIONS = 200_000
const ROUNDS = 5

/**
 * CPU time per call in ns for each case: ROUNDS rounds of ITERATIONS calls after a warm-up, the
 * cases interleaved within each round so a busy machine slows them alike; the median round counts.
 * CPU time rather than wall time, so other processes on a shared machine skew it less.
 */
function nsPerCall(cases: Record<string, () => unknown>): Map<string, number> {
  const entries = Object.entries(cases)
  for (const [, run] of entries) for (let i = 0; i < 20_000; i++) run()
  const rounds = new Map<string, number[]>(entries.map(([name]) => [name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of entries) {
      const start = process.cpuUsage()
      for (let i = 0; i < ITERATIONS; i++) run()
      const used = process.cpuUsage(start)
      rounds.get(name)?.push(((used.user + used.system) * 1e3) / ITERATIONS)
    }
  }
  const medians = new Map<string, number>()
  for (const [name, times] of rounds) {
    times.sort((x, y) => x - y)
    medians.set(name, times[Math.floor(times.length / 2)] ?? Number.NaN)
  }
  return medians
}

function messageEvent(ids: 'string' | 'number'): kritor.event.IEventStructure {
  const id = (value: string) => (ids === 'string' ? value : Number(value))
  return {
    type: kritor.event.EventType.EVENT_TYPE_MESSAGE,
    message: {
      time: 1_732_252_800,
      message_id: '2b4c9a35-7f1e-4b8a-9c1d-3e5f7a9b1c2d',
      message_seq: 41,
      contact: { scene: kritor.common.Scene.GROUP, peer: '9876543210987654', sub_peer: '1234567890123456' },
      sender: { uid: '1234567890', uin: id('1234567890'), nick: 'Rin', role: kritor.common.Role.MEMBER },
      elements: [
        { type: kritor.common.Element.ElementType.TEXT, text: { text: 'hello, see the picture ' } },
        { type: kritor.common.Element.ElementType.AT, at: { uid: '2233445566', uin: id('2233445566') } },
        {
          type: kritor.common.Element.ElementType.IMAGE,
          image: { file_url: 'https://img.kookapp.cn/assets/2024-11/abcdefgh.png', file_type: 0 },
        },
      ],
    },
  }
}

const repoRoot = join(import.meta.dirname, '..')
const protoRoot = join(repoRoot, 'proto', 'kritor', '1.0.3')

/** Scripts run in a fresh process: print ms from start to the first encoded event. */
const COLD_START = {
  static: `const t = performance.now()
const { kritor } = await import('./gen/kritor/1.0.3/kritor.js')
kritor.event.EventStructure.encode({ type: 1, message: { message_id: 'x' } }).finish()
process.stdout.write(String(performance.now() - t))`,
  reflection: `const t = performance.now()
const { default: protobuf } = await import('protobufjs')
const { readdirSync } = await import('node:fs')
const root = new protobuf.Root()
root.resolvePath = (_o, f) => ${JSON.stringify(protoRoot)} + '/' + f
const files = readdirSync(${JSON.stringify(protoRoot)}, { recursive: true }).filter((f) => f.endsWith('.proto'))
root.loadSync(files, { keepCase: true }).resolveAll()
root.lookupType('kritor.event.EventStructure').encode({ type: 1, message: { message_id: 'x' } }).finish()
process.stdout.write(String(performance.now() - t))`,
} as const

function coldStartMs(kind: keyof typeof COLD_START): number {
  const runs: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', COLD_START[kind]], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
    runs.push(Number(out))
  }
  runs.sort((a, b) => a - b)
  return runs[Math.floor(ROUNDS / 2)] ?? Number.NaN
}

export async function runProtoBench(): Promise<BenchRow[]> {
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => join(protoRoot, target)
  root.loadSync(['event/event.proto'], { keepCase: true }).resolveAll()
  const Reflected = root.lookupType('kritor.event.EventStructure')
  const Static = kritor.event.EventStructure

  const withStrings = messageEvent('string')
  const withNumbers = messageEvent('number')
  const bytes = Static.encode(withStrings).finish()
  const row = (name: string, value: number, unit = 'ns/op (CPU)'): BenchRow => ({
    section: SECTION,
    name,
    value,
    unit,
  })

  const encode = nsPerCall({
    'encode, pbjs static (ids as strings)': () => Static.encode(withStrings).finish(),
    'encode, reflection (loadSync, ids as strings)': () => Reflected.encode(withStrings).finish(),
    'encode, pbjs static (uin as numbers)': () => Static.encode(withNumbers).finish(),
    'fromObject+encode, reflection (proto-loader path)': () =>
      Reflected.encode(Reflected.fromObject(withStrings)).finish(),
  })
  const decode = nsPerCall({
    'decode, pbjs static': () => Static.decode(bytes),
    'decode, reflection (loadSync)': () => Reflected.decode(bytes),
  })
  const staticEncode = encode.get('encode, pbjs static (ids as strings)') ?? Number.NaN
  const reflectEncode = encode.get('encode, reflection (loadSync, ids as strings)') ?? Number.NaN
  return [
    row('event size', bytes.length, 'bytes'),
    ...[...encode, ...decode].map(([name, ns]) => row(name, ns)),
    row('reflection encode time / static encode time', reflectEncode / staticEncode, 'x'),
    row('cold start to first encode, pbjs static', coldStartMs('static'), 'ms'),
    row('cold start to first encode, reflection (26 files)', coldStartMs('reflection'), 'ms'),
  ]
}
