/**
 * The dispatch index: for an event's (channel_type, type, extra.type), the rows that can match it, in
 * match order, found with three Map lookups — no scan over the table per event. Rows that leave an
 * index key out (a wildcard) appear under every value of that key and under "any other value".
 *
 * Built once: at each level, a Map from every value some row names to the rows that accept it (named
 * or wildcard), plus an ANY entry holding only the wildcard rows, used when the event's value is not
 * named by any row. Remaining conditions (other match keys) are checked on the candidates only.
 *
 * The hot path does not walk these Maps: `compile-dispatcher.ts` turns the same tree into nested
 * `switch` statements (what a hand-written translation would be). The Maps serve `explain` and the
 * error path.
 */
import type { CheckedRow, IndexKey } from './check-row.js'
import type { Literal } from './parse-expression.js'

/** The key of "any value no row names" at each level. */
export const ANY: unique symbol = Symbol('any')

export type Level<T> = Map<Literal | typeof ANY, T>

interface Indexed {
  checked: CheckedRow
}

function buildLevel<R extends Indexed, T>(
  rows: readonly R[],
  key: IndexKey,
  next: (rows: readonly R[]) => T,
): Level<T> {
  const level: Level<T> = new Map()
  const values = new Set<Literal>()
  for (const r of rows) for (const v of r.checked.indexMatch[key] ?? []) values.add(v)
  for (const v of values)
    level.set(v, next(rows.filter((r) => r.checked.indexMatch[key]?.includes(v) ?? true)))
  level.set(ANY, next(rows.filter((r) => r.checked.indexMatch[key] === undefined)))
  return level
}

const EMPTY: readonly never[] = []

export class MatchIndex<R extends Indexed> {
  /** channel_type → type → extra.type → candidate rows; read by the dispatcher compiler. */
  readonly root: Level<Level<Level<readonly R[]>>>

  constructor(rows: readonly R[]) {
    this.root = buildLevel(rows, 'channel_type', (ct) =>
      buildLevel(ct, 'type', (t) => buildLevel(t, 'extra.type', (x) => x)),
    )
  }

  /** The candidate rows for an event, in match order (possibly empty). */
  candidates(channelType: unknown, type: unknown, extraType: unknown): readonly R[] {
    const root = this.root
    const l1 = root.get(channelType as Literal) ?? root.get(ANY)
    const l2 = l1?.get(type as Literal) ?? l1?.get(ANY)
    return l2?.get(extraType as Literal) ?? l2?.get(ANY) ?? EMPTY
  }
}
