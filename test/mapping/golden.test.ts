/**
 * One golden file per KOOK fixture: the raw event (test/fixtures/kook/<name>.json, a full frame) goes
 * through the shipped table; the BridgeEvents (without `raw`) must equal test/golden/bridge/<name>.json.
 * Each golden file is a reviewed output: update with `vitest -u`, then read the diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'

const fixtureDir = fileURLToPath(new URL('../fixtures/kook/', import.meta.url))
const fixtures = existsSync(fixtureDir)
  ? readdirSync(fixtureDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : []
const table = loadMappingTable()
/** The bot of the constructed fixtures (PERSON events are addressed to it). */
const context = { selfId: '3541790628' }

function mapFixture(file: string): BridgeEvent[] {
  const frame = JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as { d: Record<string, unknown> }
  return table.map(frame.d, context)
}

function golden(events: BridgeEvent[]): string {
  return `${JSON.stringify(events, (key, value) => (key === 'raw' ? undefined : value), 2)}\n`
}

describe('golden BridgeEvents of the KOOK fixtures', () => {
  it('has fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThan(0)
  })

  it.each(fixtures)('%s', async (file) => {
    await expect(golden(mapFixture(file))).toMatchFileSnapshot(`../golden/bridge/${file}`)
  })

  it('maps every fixture through a row of its own (none unmatched or invalid)', () => {
    const fallthrough = fixtures.flatMap((file) =>
      mapFixture(file)
        .filter((e) => e.type === 'extension' && (e.name === 'kook.unmatched' || e.name === 'kook.invalid'))
        .map((e) => `${file}: ${e.type === 'extension' ? e.name : ''}`),
    )
    expect(fallthrough).toEqual([])
  })

  it('explains each fixture with the same events the compiled dispatcher produces', () => {
    for (const file of fixtures) {
      const frame = JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as { d: Record<string, unknown> }
      const explained = table.explain(frame.d, context)
      expect(golden(explained.events), file).toBe(golden(table.map(frame.d, context)))
      expect(
        explained.events.map((e) => e.rowId).every((id) => id === explained.row?.id),
        file,
      ).toBe(true)
    }
  })

  it('keeps the raw KOOK event on every BridgeEvent', () => {
    for (const file of fixtures) {
      const frame = JSON.parse(readFileSync(`${fixtureDir}${file}`, 'utf8')) as { d: Record<string, unknown> }
      for (const event of table.map(frame.d, context)) expect(event.raw).toBe(frame.d)
    }
  })
})
