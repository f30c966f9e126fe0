/**
 * KOOK wire validation benchmark: CPU per event of `parseKookEvent` (the ingress runs it on every
 * event), warm per event shape and cold (the first events of a fresh process).
 *
 * Warm: each shape's fixture is JSON-parsed into fresh copies (the parser normalises in place), 200 at
 * a time so that few are alive at once (30k live copies made the figures mostly GC of the copies),
 * then parsed in a tight loop; process.cpuUsage summed over the loops, median of several repeats, so
 * the figure does not depend on what else the 2-core box runs. Cold: a child process per run imports
 * the parser and times its first events with hrtime; median over the runs.
 *
 * Run alone: `npx tsx bench/kook-wire-bench.ts` (prints a table).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type BenchRow, renderBenchTable } from './bench-row.js'

const SECTION = 'kook wire'
const FIXTURES = fileURLToPath(new URL('../test/fixtures/kook/', import.meta.url))
const SHAPES = [
  'GROUP.text.json',
  'GROUP.kmarkdown-mentions.json',
  'GROUP.kmarkdown-quote.json',
  'PERSON.kmarkdown.json',
  'GROUP.image.json',
  'GROUP.added_reaction.json',
  'GROUP.updated_message.json',
] as const
const BATCH = 200
const BATCHES = 150
const REPEATS = 7

const text = (file: string) => readFileSync(`${FIXTURES}${file}`, 'utf8')
const eventOf = (json: string) => (JSON.parse(json) as { d: unknown }).d

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function warm(): Promise<BenchRow[]> {
  const { parseKookEvent } = await import('../src/kook/wire/parse-kook-event.js')
  const rows: BenchRow[] = []
  for (const file of SHAPES) {
    const json = text(file)
    const samples: number[] = []
    for (let r = 0; r < REPEATS; r++) {
      let cpu = 0
      for (let b = 0; b < BATCHES; b++) {
        const events = Array.from({ length: BATCH }, () => eventOf(json))
        const start = process.cpuUsage()
        for (const d of events) {
          if (!parseKookEvent(d).ok) throw new Error(`${file} refused`)
        }
        const used = process.cpuUsage(start)
        cpu += used.user + used.system
      }
      samples.push(cpu / (BATCH * BATCHES))
    }
    rows.push({
      section: SECTION,
      name: `parseKookEvent CPU per event, warm: ${file}`,
      value: median(samples),
      unit: 'µs',
    })
  }
  return rows
}

/** Child mode: the first events of a fresh process, in µs each, as JSON on stdout. */
async function coldChild(): Promise<void> {
  const json = text('GROUP.text.json')
  const events = Array.from({ length: 20 }, () => eventOf(json))
  const t0 = process.hrtime.bigint()
  const { parseKookEvent } = await import('../src/kook/wire/parse-kook-event.js')
  const imported = Number(process.hrtime.bigint() - t0) / 1000
  const times: number[] = []
  for (const d of events) {
    const start = process.hrtime.bigint()
    parseKookEvent(d)
    times.push(Number(process.hrtime.bigint() - start) / 1000)
  }
  // A different shape after warm-up of the first: the schemas it adds are cold.
  const other = eventOf(text('GROUP.added_reaction.json'))
  const start = process.hrtime.bigint()
  parseKookEvent(other)
  const firstSystem = Number(process.hrtime.bigint() - start) / 1000
  process.stdout.write(JSON.stringify({ imported, times, firstSystem }))
}

function cold(): BenchRow[] {
  const runs = Array.from({ length: REPEATS }, () => {
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--cold'],
      {
        encoding: 'utf8',
      },
    )
    return JSON.parse(out) as { imported: number; times: number[]; firstSystem: number }
  })
  const first = median(runs.map((r) => r.times[0] ?? Number.NaN))
  const next = median(runs.map((r) => r.times.slice(1, 10).reduce((a, b) => a + b, 0) / 9))
  return [
    {
      section: SECTION,
      name: 'import of parse-kook-event under tsx (transpile included)',
      value: median(runs.map((r) => r.imported)) / 1000,
      unit: 'ms',
    },
    { section: SECTION, name: 'cold: first text event of a process', value: first, unit: 'µs' },
    { section: SECTION, name: 'cold: events 2–10 (mean)', value: next, unit: 'µs' },
    {
      section: SECTION,
      name: 'cold: first system event (added_reaction)',
      value: median(runs.map((r) => r.firstSystem)),
      unit: 'µs',
    },
  ]
}

export async function runKookWireBench(): Promise<BenchRow[]> {
  return [...cold(), ...(await warm())]
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--cold')) await coldChild()
  else process.stdout.write(`${renderBenchTable(await runKookWireBench())}\n`)
}
