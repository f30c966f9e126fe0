/**
 * Compiles the dispatch index into one JavaScript function: nested `switch` statements on
 * `d.channel_type`, `d.type` and `extra.type` whose leaves try the candidate rows in order — the code a
 * hand-written translation would contain, generated from the table. Levels where no row names a value
 * are skipped; a leaf that cannot fall through needs no "unmatched" exit.
 */
import type { BridgeEvent, RawKookEvent } from '../model/bridge-event.js'
import type { CompiledRow } from './compile-row.js'
import type { MappingContext } from './mapping-context.js'
import { ANY, type Level, type MatchIndex } from './match-index.js'
import type { Literal } from './parse-expression.js'

export type Dispatcher = (d: RawKookEvent, context: MappingContext) => BridgeEvent[]

export interface DispatchRuntime {
  unmatched(d: RawKookEvent): BridgeEvent[]
  /** An ignore row matched: count it, emit nothing. */
  ignored(rowId: string): BridgeEvent[]
}

function caseLabel(v: Literal): string {
  return v === null ? 'null' : JSON.stringify(v)
}

export function compileDispatcher<R extends CompiledRow>(
  index: MatchIndex<R>,
  rows: readonly R[],
  runtime: DispatchRuntime,
): { dispatch: Dispatcher; source: string } {
  const slot = new Map<R, number>(rows.map((r, i) => [r, i]))
  const env = new Map<string, unknown>([
    ['UNMATCHED', runtime.unmatched],
    ['IGNORED', runtime.ignored],
  ])

  const leaf = (candidates: readonly R[], indent: string): string => {
    const lines: string[] = []
    for (const row of candidates) {
      const i = slot.get(row) ?? -1
      let action: string
      if (row.run !== undefined) {
        env.set(`R${i}`, row.run)
        action = `return R${i}(d, c);`
      } else action = `return IGNORED(${JSON.stringify(row.checked.id)});`
      if (row.test === undefined) {
        lines.push(`${indent}${action}`)
        return lines.join('\n')
      }
      env.set(`T${i}`, row.test)
      lines.push(`${indent}if (T${i}(d)) ${action}`)
    }
    lines.push(`${indent}return UNMATCHED(d);`)
    return lines.join('\n')
  }

  const level = <T>(
    node: Level<T>,
    subject: string,
    indent: string,
    child: (value: T, indent: string) => string,
  ): string => {
    const any = node.get(ANY)
    const named = [...node].filter(([k]) => k !== ANY)
    if (named.length === 0) return any === undefined ? `${indent}return UNMATCHED(d);` : child(any, indent)
    const inner = `${indent}  `
    const cases = named.map(
      ([k, v]) => `${indent}case ${caseLabel(k as Literal)}: {\n${child(v, `${inner}`)}\n${indent}}`,
    )
    const fallback = any === undefined ? `${inner}return UNMATCHED(d);` : child(any, inner)
    return `${indent}switch (${subject}) {\n${cases.join('\n')}\n${indent}default: {\n${fallback}\n${indent}}\n${indent}}`
  }

  const body = level(index.root, 'd.channel_type', '  ', (byType, i1) =>
    level(byType, 'd.type', i1, (byExtra, i2) =>
      level(byExtra, 'xt', i2, (candidates, i3) => leaf(candidates, i3)),
    ),
  )
  const source = [
    '"use strict";',
    'return function dispatch(d, c) {',
    '  const x = d.extra;',
    '  const xt = x !== null && typeof x === "object" ? x.type : undefined;',
    body,
    '}',
  ].join('\n')
  const names = [...env.keys()]
  const factory = new Function(...names, source) as (...args: unknown[]) => Dispatcher
  return { dispatch: factory(...names.map((n) => env.get(n))), source }
}
