/**
 * `npm run bench`: every benchmark section of the project, one table. Sections run one after another
 * in this process (the pipeline and Karin sections start their own servers and children), so run it on
 * an otherwise idle machine: 2 shared cores make every figure noisy.
 *
 * Usage: npm run bench [-- section …]   (sections: mapping, wire, store, proto, kritor, karin)
 */
import { type BenchRow, type BenchSection, renderBenchTable } from './bench-row.js'

const SECTIONS: Record<string, () => Promise<BenchSection>> = {
  mapping: async () => (await import('./mapping-bench.js')).runMappingBench,
  wire: async () => (await import('./kook-wire-bench.js')).runKookWireBench,
  store: async () => (await import('./store-bench.js')).runStoreBench,
  proto: async () => (await import('./proto-bench.js')).runProtoBench,
  kritor: async () => (await import('./kritor-pipeline-bench.js')).runKritorPipelineBench,
  karin: async () => (await import('./karin-bench.js')).runKarinBench,
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS)
const rows: BenchRow[] = []
let failed = false
for (const name of names) {
  const load = SECTIONS[name]
  if (!load) {
    process.stderr.write(`unknown bench section "${name}" (known: ${Object.keys(SECTIONS).join(', ')})\n`)
    process.exitCode = 2
    continue
  }
  process.stderr.write(`running ${name}…\n`)
  try {
    rows.push(...(await (await load())()))
  } catch (error) {
    failed = true
    process.stderr.write(
      `bench section ${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    )
  }
}
process.stdout.write(`${renderBenchTable(rows)}\n`)
const missed = rows.filter((r) => r.pass === false)
if (missed.length > 0) process.stdout.write(`\n${missed.length} target(s) missed.\n`)
if (failed) process.exitCode = 1
