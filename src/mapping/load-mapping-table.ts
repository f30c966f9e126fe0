/**
 * Loads the mapping table once at startup: the shipped `mappings/*.yaml` plus the override files a bot's
 * configuration names (`bots[].mappings`), validated together and compiled. Any problem anywhere —
 * YAML syntax, schema, expressions, functions, catalogue, overrides — is collected, and one
 * MAPPING_INVALID BridgeError lists them all with file, line, row id and field; the process must not
 * start on a bad table.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { applyOverrides, type RowCandidate } from './apply-overrides.js'
import { type CheckedRow, checkRow } from './check-row.js'
import { type MappingProblem, mappingInvalidError } from './mapping-problem.js'
import { MappingTable, type MappingTableOptions } from './mapping-table.js'
import { type MappingSource, readMappingSource } from './read-mapping-source.js'

/** The shipped table, in match order (rows of an earlier file are tried first). */
export const SHIPPED_MAPPING_FILES = ['messages.yaml', 'notices.yaml', 'extensions.yaml'] as const

/** `mappings/` of the installed package (two levels above both src/mapping and dist/mapping). */
export function shippedMappingDir(): string {
  return fileURLToPath(new URL('../../mappings/', import.meta.url))
}

export interface LoadMappingTableOptions extends MappingTableOptions {
  /** Override files, applied in order after the shipped table. */
  overrides?: readonly string[]
  /** Directory holding the shipped files. @defaultValue {@link shippedMappingDir} */
  dir?: string
}

function readSource(path: string, label: string, problems: MappingProblem[]): MappingSource | undefined {
  try {
    return { file: label, text: readFileSync(path, 'utf8') }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    problems.push({
      file: label,
      message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`,
    })
    return undefined
  }
}

/** Reads the shipped table and the overrides from disk. Problems reading a file are reported, not thrown. */
export function readMappingSources(options: Pick<LoadMappingTableOptions, 'overrides' | 'dir'> = {}): {
  base: MappingSource[]
  overrides: MappingSource[]
  problems: MappingProblem[]
} {
  const problems: MappingProblem[] = []
  const dir = options.dir ?? shippedMappingDir()
  const base: MappingSource[] = []
  for (const name of SHIPPED_MAPPING_FILES) {
    const label = options.dir === undefined ? `mappings/${name}` : join(options.dir, name)
    const src = readSource(join(dir, name), label, problems)
    if (src) base.push(src)
  }
  const overrides: MappingSource[] = []
  for (const path of options.overrides ?? []) {
    const src = readSource(path, path, problems)
    if (src) overrides.push(src)
  }
  return { base, overrides, problems }
}

function candidatesOf(source: MappingSource, problems: MappingProblem[]): RowCandidate[] {
  const read = readMappingSource(source)
  problems.push(...read.problems)
  return read.rows.map((src) => {
    if (src.row.disabled) return { src }
    const checked = checkRow(src)
    problems.push(...checked.problems)
    return checked.row === undefined ? { src } : { src, checked: checked.row }
  })
}

/** Orders problems as a reader meets them: by file (in load order), then line; stable otherwise. */
function sortProblems(problems: MappingProblem[], sources: readonly MappingSource[]): MappingProblem[] {
  const fileOrder = new Map(sources.map((s, i) => [s.file, i]))
  return problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.p.file) ?? -1) - (fileOrder.get(b.p.file) ?? -1) ||
        (a.p.line ?? 0) - (b.p.line ?? 0) ||
        a.i - b.i,
    )
    .map(({ p }) => p)
}

/** Validates sources and resolves overrides; returns the ordered rows and every problem found. */
export function checkMappingSources(
  base: readonly MappingSource[],
  overrides: readonly MappingSource[],
): { rows: CheckedRow[]; problems: MappingProblem[] } {
  const problems: MappingProblem[] = []
  const baseRows = base.flatMap((s) => candidatesOf(s, problems))
  const overrideRows = overrides.map((s) => candidatesOf(s, problems))
  const merged = applyOverrides(baseRows, overrideRows)
  return {
    rows: merged.rows,
    problems: sortProblems([...problems, ...merged.problems], [...base, ...overrides]),
  }
}

/** Builds a table from in-memory sources; throws MAPPING_INVALID listing every problem. */
export function buildMappingTable(
  base: readonly MappingSource[],
  overrides: readonly MappingSource[] = [],
  options: MappingTableOptions = {},
): MappingTable {
  const { rows, problems } = checkMappingSources(base, overrides)
  if (problems.length > 0) throw mappingInvalidError(problems)
  return new MappingTable(rows, options)
}

/** Loads the shipped table plus overrides from disk; throws MAPPING_INVALID listing every problem. */
export function loadMappingTable(options: LoadMappingTableOptions = {}): MappingTable {
  const { base, overrides, problems } = readMappingSources(options)
  const checked = checkMappingSources(base, overrides)
  const all = [...problems, ...checked.problems]
  if (all.length > 0) throw mappingInvalidError(all)
  const tableOptions: MappingTableOptions = {}
  if (options.metrics !== undefined) tableOptions.metrics = options.metrics
  if (options.now !== undefined) tableOptions.now = options.now
  return new MappingTable(checked.rows, tableOptions)
}
