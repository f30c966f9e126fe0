/**
 * Puts the shipped rows and the rows of override files into one ordered list — the order in which the
 * candidates of an event are tried.
 *
 * Shipped rows keep their table order, sorted (stably) by `priority`, highest first (default 0).
 * Override files are applied in the order configured, row by row:
 * - `disabled: true` removes the row with that id;
 * - a row whose id exists replaces it in place (or moves it, with before/after/priority);
 * - a new id must say where it goes — `before: <id>`, `after: <id>` (taking that row's priority) or
 *   `priority: <n>` (after every row of priority ≥ n) — so that match order is never a guess.
 */
import type { CheckedRow } from './check-row.js'
import type { MappingProblem } from './mapping-problem.js'
import type { SourceRow } from './read-mapping-source.js'

/** A row as read, with its checked form when it passed the checks (problems were reported otherwise). */
export interface RowCandidate {
  src: SourceRow
  checked?: CheckedRow
}

interface Entry {
  id: string
  priority: number
  checked?: CheckedRow
}

function problemAt(src: SourceRow, field: string, message: string): MappingProblem {
  const path = field === '' ? [] : [field]
  const p: MappingProblem = { file: src.file, line: src.lineOf(path), rowId: src.row.id, message }
  if (field !== '') p.field = field
  return p
}

export function applyOverrides(
  base: readonly RowCandidate[],
  overrideFiles: ReadonlyArray<readonly RowCandidate[]>,
): { rows: CheckedRow[]; problems: MappingProblem[] } {
  const problems: MappingProblem[] = []
  let list: Entry[] = []
  const seen = new Map<string, SourceRow>()
  for (const cand of base) {
    const { row } = cand.src
    const prior = seen.get(row.id)
    if (prior !== undefined) {
      problems.push(
        problemAt(cand.src, 'id', `duplicate row id (first defined in ${prior.file}:${prior.line})`),
      )
      continue
    }
    seen.set(row.id, cand.src)
    for (const key of ['disabled', 'before', 'after'] as const) {
      if (row[key] !== undefined)
        problems.push(problemAt(cand.src, key, `"${key}" is only for override files`))
    }
    const entry: Entry = { id: row.id, priority: row.priority ?? 0 }
    if (cand.checked !== undefined) entry.checked = cand.checked
    list.push(entry)
  }
  // Stable: equal priorities keep table order.
  list = list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.priority - a.e.priority || a.i - b.i)
    .map(({ e }) => e)

  const indexOf = (id: string) => list.findIndex((e) => e.id === id)
  const insertByPriority = (entry: Entry) => {
    const at = list.findIndex((e) => e.priority < entry.priority)
    if (at === -1) list.push(entry)
    else list.splice(at, 0, entry)
  }

  for (const file of overrideFiles) {
    const inFile = new Map<string, SourceRow>()
    for (const cand of file) {
      const { src } = cand
      const { row } = src
      const prior = inFile.get(row.id)
      if (prior !== undefined) {
        problems.push(problemAt(src, 'id', `duplicate row id in this file (first at line ${prior.line})`))
        continue
      }
      inFile.set(row.id, src)
      const existing = indexOf(row.id)

      if (row.disabled) {
        const extra = Object.keys(row).filter((k) => k !== 'id' && k !== 'disabled' && k !== 'description')
        if (extra.length > 0)
          problems.push(
            problemAt(
              src,
              extra[0] ?? '',
              `a disabling row has only id and disabled, not ${extra.join(', ')}`,
            ),
          )
        if (existing === -1)
          problems.push(
            problemAt(src, 'id', `disables "${row.id}", but no earlier table or override file has that row`),
          )
        else list.splice(existing, 1)
        continue
      }

      const anchorId = row.before ?? row.after
      const positioned = anchorId !== undefined || row.priority !== undefined
      if (existing === -1 && !positioned) {
        problems.push(
          problemAt(
            src,
            'id',
            `new row "${row.id}" needs "before: <row id>", "after: <row id>" or "priority: <number>" so its place in the match order is explicit`,
          ),
        )
        continue
      }
      const entry: Entry = { id: row.id, priority: row.priority ?? list[existing]?.priority ?? 0 }
      if (cand.checked !== undefined) entry.checked = cand.checked
      if (!positioned) {
        list[existing] = entry
        continue
      }
      if (anchorId !== undefined) {
        const key = row.before !== undefined ? 'before' : 'after'
        if (anchorId === row.id) {
          problems.push(problemAt(src, key, 'a row cannot be placed relative to itself'))
          continue
        }
        if (indexOf(anchorId) === -1) {
          problems.push(problemAt(src, key, `names no row "${anchorId}"`))
          continue
        }
        if (existing !== -1) list.splice(existing, 1)
        const anchor = indexOf(anchorId)
        entry.priority = row.priority ?? list[anchor]?.priority ?? 0
        list.splice(key === 'before' ? anchor : anchor + 1, 0, entry)
        continue
      }
      if (existing !== -1) list.splice(existing, 1)
      insertByPriority(entry)
    }
  }
  const rows: CheckedRow[] = []
  for (const e of list) {
    if (e.checked !== undefined) rows.push({ ...e.checked, priority: e.priority })
  }
  return { rows, problems }
}
