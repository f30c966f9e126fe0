/** One line of the benchmark table printed by `npm run bench`. */
export interface BenchRow {
  section: string
  name: string
  value: number
  unit: string
  /** Human-readable target, e.g. "≤ 1.3×" or "≥ 2,000,000/s". */
  target?: string
  pass?: boolean
}

export type BenchSection = () => Promise<BenchRow[]>

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(3)
}

/** Renders rows as a fixed-width text table. */
export function renderBenchTable(rows: BenchRow[]): string {
  const header = ['section', 'measure', 'value', 'unit', 'target', 'ok']
  const body = rows.map((r) => [
    r.section,
    r.name,
    formatValue(r.value),
    r.unit,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}
