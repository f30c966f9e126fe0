/**
 * Reads one mapping file: YAML → rows validated by the zod schema, each remembering where it came from
 * so that later checks can name the file, line, row id and field. Never throws on bad input: problems
 * are returned, and rows that fail the schema are left out of the result.
 */
import { LineCounter, type Node, parseDocument } from 'yaml'
import type { z } from 'zod'
import { MappingFileSchema, type MappingRow, RowSchema } from './mapping-file-schema.js'
import type { MappingProblem } from './mapping-problem.js'

/** A mapping file's text and the name to report it under. */
export interface MappingSource {
  file: string
  text: string
}

export type PathKey = string | number

export interface SourceRow {
  row: MappingRow
  file: string
  /** Line of the row itself. */
  line: number
  /** Line of a node inside the row (e.g. ['fields', 'elements']), or of its nearest ancestor. */
  lineOf(path: readonly PathKey[]): number
}

export interface ReadResult {
  rows: SourceRow[]
  problems: MappingProblem[]
}

function pathToField(path: readonly PathKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map(String).join('.')
}

export function readMappingSource(source: MappingSource): ReadResult {
  const problems: MappingProblem[] = []
  const lineCounter = new LineCounter()
  const doc = parseDocument(source.text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false })
  for (const err of doc.errors) {
    problems.push({
      file: source.file,
      line: lineCounter.linePos(err.pos[0]).line,
      message: `YAML: ${err.message.split('\n')[0]}`,
    })
  }
  if (doc.errors.length > 0) return { rows: [], problems }

  const lineAt = (path: readonly PathKey[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as Node | undefined
      if (node && typeof node === 'object' && 'range' in node && node.range)
        return lineCounter.linePos(node.range[0]).line
    }
    return 1
  }

  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 10_000 })
  } catch (err) {
    problems.push({
      file: source.file,
      line: 1,
      message: `YAML: ${err instanceof Error ? err.message : String(err)}`,
    })
    return { rows: [], problems }
  }
  const file = MappingFileSchema.safeParse(value ?? {})
  if (!file.success) {
    for (const issue of file.error.issues) {
      const path = issue.path as PathKey[]
      const problem: MappingProblem = { file: source.file, line: lineAt(path), message: issueMessage(issue) }
      const field = pathToField(path)
      if (field !== undefined) problem.field = field
      problems.push(problem)
    }
    return { rows: [], problems }
  }
  const rows: SourceRow[] = []
  file.data.rows.forEach((raw, index) => {
    const rowPath = ['rows', index]
    const rawId = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['id'] : undefined
    const rowId = typeof rawId === 'string' ? rawId : undefined
    const parsed = RowSchema.safeParse(raw)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path as PathKey[]
        const problem: MappingProblem = {
          file: source.file,
          line: lineAt([...rowPath, ...path]),
          message: issueMessage(issue),
        }
        if (rowId !== undefined) problem.rowId = rowId
        const field = pathToField(path)
        if (field !== undefined) problem.field = field
        problems.push(problem)
      }
      return
    }
    rows.push({
      row: parsed.data,
      file: source.file,
      line: lineAt(rowPath),
      lineOf: (path) => lineAt([...rowPath, ...path]),
    })
  })
  return { rows, problems }
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
  if (issue.code === 'invalid_value' && issue.values.length > 0)
    return `${issue.message.replace(/^Invalid option: /, '')}`
  return issue.message
}
