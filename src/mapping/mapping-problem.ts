/**
 * A problem found in a mapping file: where (file, line, row id, field) and what. Loading collects every
 * problem of the table and its overrides, then throws one MAPPING_INVALID error listing them all.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'

export interface MappingProblem {
  file: string
  /** 1-based line of the most precise YAML node found for the problem. */
  line?: number
  rowId?: string
  /** Dotted path inside the row, e.g. `fields.elements` or `match.type`. */
  field?: string
  message: string
}

/** `mappings/notices.yaml:42: row "notice.recall.channel", fields.messageId: unknown function "strr"` */
export function formatMappingProblem(p: MappingProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`
  const row = p.rowId === undefined ? '' : ` row "${p.rowId}"`
  const field = p.field === undefined ? '' : `${row ? ',' : ''} ${p.field}`
  return `${where}:${row}${field}${row || field ? ':' : ''} ${p.message}`
}

export function mappingInvalidError(problems: readonly MappingProblem[]): BridgeError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  return new BridgeError(
    ErrorCode.MappingInvalid,
    `mapping table is invalid (${count}):\n${problems.map((p) => `  ${formatMappingProblem(p)}`).join('\n')}`,
    { details: { problems } },
  )
}
