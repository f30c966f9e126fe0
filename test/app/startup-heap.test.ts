import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const MODULE = fileURLToPath(new URL('../../src/app/startup-heap.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'kookbridge-startup-heap-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * The young generation's size is per process and V8 never shrinks it on demand, so each case runs
 * in a fresh node: `holders` nested holds, then as many surviving objects as start-up allocates
 * (~30 MB), then the holds end and as many again survive.
 */
function run(
  flags: string[],
  holders: number,
  endFirst = holders,
): { start: number; held: number; after: number } {
  const script = join(dir, `child-${flags.join('_').replace(/\W/g, '')}-${holders}-${endFirst}.mts`)
  writeFileSync(
    script,
    `import v8 from 'node:v8'
import { holdYoungGenerationSmall } from ${JSON.stringify(MODULE)}
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size
const survive = (keep, tag) => { for (let i = 0; i < 400_000; i++) keep.push({ i, s: tag + i }) }
const start = newSpace()
const ends = Array.from({ length: ${holders} }, () => holdYoungGenerationSmall())
const keep = []
survive(keep, 'a')
const held = newSpace()
for (const end of ends.slice(0, ${endFirst})) { end(); end() }
survive(keep, 'b')
console.log(JSON.stringify({ start, held, after: newSpace() }))
`,
  )
  const child = spawnSync(process.execPath, [...flags, '--import', 'tsx', script], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(child.stderr)
  return JSON.parse(child.stdout) as { start: number; held: number; after: number }
}

describe('holdYoungGenerationSmall', () => {
  it('keeps the young generation from growing during start-up, and lets it grow again afterwards', () => {
    const { start, held, after } = run([], 1)
    expect(held).toBe(start)
    // Under load (what survives after start-up) V8 sizes it as usual: throughput is not capped.
    expect(after).toBeGreaterThan(held)
  })

  it('ends only when every hold has ended (ending one twice counts once)', () => {
    const { start, after } = run([], 2, 1)
    expect(after).toBe(start)
  })

  it('leaves the young generation alone when the user sized it with node flags', () => {
    const { start, held } = run(['--semi-space-growth-factor=4'], 1)
    expect(held).toBeGreaterThan(start)
  })
})
