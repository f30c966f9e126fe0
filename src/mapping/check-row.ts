/**
 * Semantic checks of one schema-valid row, turning it into a `CheckedRow` ready to compile: expressions
 * parsed, functions resolved with arity and argument kinds, fields checked against the catalogue of the
 * emitted type (unknown fields, missing required ones, kinds, enum literals), `$item` / `$index` only in
 * forEach rows, `@field` references resolved and ordered (cycles rejected), match keys parsed as paths.
 * Every problem is returned; none is thrown.
 */
import type { BridgeEventType } from '../model/bridge-event.js'
import { type FieldSpec, fieldsOf } from './field-catalogue.js'
import { functionRegistry, lookupFunction, type ValueKind } from './function-registry.js'
import type { FieldValue } from './mapping-file-schema.js'
import type { MappingProblem } from './mapping-problem.js'
import { type Expr, type Literal, parseExpression } from './parse-expression.js'
import type { PathKey, SourceRow } from './read-mapping-source.js'

/** The three keys the dispatch index is built on; any other match key is checked per candidate. */
export const INDEX_KEYS = ['channel_type', 'type', 'extra.type'] as const
export type IndexKey = (typeof INDEX_KEYS)[number]

export interface CheckedMatch {
  /** The key as written, e.g. `extra.body.channel_type`. */
  key: string
  segments: ReadonlyArray<string | number>
  values: Literal[]
}

export type CheckedValue =
  | { kind: 'expr'; expr: Expr; exprKind: ValueKind }
  | { kind: 'object'; entries: Array<[string, CheckedValue]> }

export interface CheckedField {
  name: string
  spec: FieldSpec
  value: CheckedValue
  /** Written in the row (false: the catalogue default). */
  explicit: boolean
}

export type CheckedAction =
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'emit'
      type: BridgeEventType
      name?: string
      forEach?: Expr
      /** In computation order: a field comes after the fields it refers to with `@`. */
      fields: CheckedField[]
    }

export interface CheckedRow {
  id: string
  file: string
  line: number
  priority: number
  description?: string
  /** Conditions on the index keys (channel_type, type, extra.type). */
  indexMatch: Partial<Record<IndexKey, Literal[]>>
  /** Other conditions, checked only on the candidates the index yields. */
  extraMatch: CheckedMatch[]
  action: CheckedAction
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length] ?? 0
}

export function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3))
    ? ` (did you mean "${best}"?)`
    : ''
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor'])

/** The value kind a field kind holds, for `@field` references. */
function valueKindOfField(spec: FieldSpec): ValueKind {
  return spec.kind === 'enum' ? 'string' : spec.kind
}

/** Can an expression of `from` kind fill a field of `spec` kind (possibly after runtime coercion)? */
function fits(from: ValueKind, spec: FieldSpec): boolean {
  switch (spec.kind) {
    case 'elements':
    case 'sender':
      return from === spec.kind
    case 'string':
      return from === 'any' || from === 'string' || from === 'number'
    case 'number':
      return from === 'any' || from === 'number' || from === 'string'
    case 'boolean':
      return from === 'any' || from === 'boolean'
    case 'enum':
      return from === 'any' || from === 'string'
    case 'emoji':
      return from === 'any' || from === 'emoji' || from === 'object'
    case 'object':
      return from === 'any' || from === 'object' || from === 'list'
  }
}

function describeKind(spec: FieldSpec): string {
  if (spec.kind === 'enum') return `one of ${spec.values?.map((v) => `'${v}'`).join(', ')}`
  if (spec.kind === 'elements') return 'elements (e.g. kmarkdown(content, extra.kmarkdown))'
  if (spec.kind === 'sender') return 'a sender (sender(extra.author, author_id, extra.guild_id))'
  return `a ${spec.kind}`
}

class RowChecker {
  readonly problems: MappingProblem[] = []
  readonly refs = new Map<string, Set<string>>()

  constructor(readonly src: SourceRow) {}

  problem(path: readonly PathKey[], message: string): void {
    this.problems.push({
      file: this.src.file,
      line: this.src.lineOf(path),
      rowId: this.src.row.id,
      field: path.map(String).join('.'),
      message,
    })
  }

  /** Parses an expression string; reports and returns undefined on a syntax error. */
  parse(source: string, path: readonly PathKey[]): Expr | undefined {
    const result = parseExpression(source)
    if (result.ok) return result.expr
    this.problem(path, `${result.message} at column ${result.column} in "${source}"`)
    return undefined
  }

  /** The static kind of an expression, reporting problems; undefined when it cannot be used. */
  kindOf(
    expr: Expr,
    path: readonly PathKey[],
    scope: {
      forEach: boolean
      fields?: Readonly<Record<string, FieldSpec>>
      set?: ReadonlySet<string>
      field?: string
    },
  ): ValueKind | undefined {
    switch (expr.kind) {
      case 'path':
        if (expr.root === 'item' && !scope.forEach) {
          this.problem(path, '$item is only available in a forEach row')
          return undefined
        }
        return 'any'
      case 'index':
        if (!scope.forEach) {
          this.problem(path, '$index is only available in a forEach row')
          return undefined
        }
        return 'number'
      case 'selfId':
        return 'string'
      case 'literal':
        return typeof expr.value === 'string'
          ? 'string'
          : typeof expr.value === 'number'
            ? 'number'
            : typeof expr.value === 'boolean'
              ? 'boolean'
              : 'any'
      case 'ref': {
        const spec = scope.fields?.[expr.name]
        if (spec === undefined || scope.set === undefined || scope.field === undefined) {
          this.problem(
            path,
            scope.fields === undefined
              ? `@${expr.name}: field references are only allowed in fields`
              : `@${expr.name} names no field of this event${suggest(expr.name, Object.keys(scope.fields))}`,
          )
          return undefined
        }
        if (!scope.set.has(expr.name)) {
          this.problem(path, `@${expr.name} refers to a field this row does not set`)
          return undefined
        }
        let deps = this.refs.get(scope.field)
        if (deps === undefined) {
          deps = new Set()
          this.refs.set(scope.field, deps)
        }
        deps.add(expr.name)
        return valueKindOfField(spec)
      }
      case 'coalesce': {
        const kinds = expr.options.map((o) => this.kindOf(o, path, scope))
        if (kinds.some((k) => k === undefined)) return undefined
        const first = kinds[0]
        return kinds.every((k) => k === first)
          ? first
          : kinds.every((k) => k !== 'elements' && k !== 'sender')
            ? 'any'
            : undefined
      }
      case 'call': {
        const fn = lookupFunction(expr.name)
        if (fn === undefined) {
          this.problem(
            path,
            `unknown function "${expr.name}"${suggest(expr.name, Object.keys(functionRegistry))} — see mappings/README.md for the registry`,
          )
          return undefined
        }
        const min = fn.params.length
        const max = fn.variadic ? Number.POSITIVE_INFINITY : fn.params.length
        if (expr.args.length < min || expr.args.length > max) {
          const want = fn.variadic ? `at least ${min}` : String(min)
          const sig = `${expr.name}(${fn.params.map((p) => p.name).join(', ')}${fn.variadic ? ', …' : ''})`
          this.problem(
            path,
            `${sig} takes ${want} argument${min === 1 && !fn.variadic ? '' : 's'}, got ${expr.args.length}`,
          )
          return undefined
        }
        let ok = true
        expr.args.forEach((arg, i) => {
          const param = fn.params[Math.min(i, fn.params.length - 1)]
          const kind = this.kindOf(arg, path, scope)
          if (kind === undefined) ok = false
          else if (param !== undefined && param.kind !== 'any' && kind !== param.kind) {
            this.problem(path, `argument ${i + 1} of ${expr.name}() must be ${param.kind}, got ${kind}`)
            ok = false
          }
        })
        return ok ? fn.returns : undefined
      }
    }
  }

  literalOrExpr(value: FieldValue, path: readonly PathKey[]): Expr | undefined {
    if (typeof value === 'string') return this.parse(value, path)
    if (value === null || typeof value === 'number' || typeof value === 'boolean')
      return { kind: 'literal', value }
    return undefined
  }

  /** Values inside an object field: expressions, literals or nested objects; no coercion. */
  objectValue(
    value: { [key: string]: FieldValue },
    path: readonly PathKey[],
    scope: Parameters<RowChecker['kindOf']>[2],
  ): CheckedValue | undefined {
    const entries: Array<[string, CheckedValue]> = []
    let ok = true
    for (const [key, v] of Object.entries(value)) {
      const p = [...path, key]
      if (FORBIDDEN_KEYS.has(key)) {
        this.problem(p, `"${key}" cannot be used as a key`)
        ok = false
        continue
      }
      if (v !== null && typeof v === 'object') {
        const inner = this.objectValue(v, p, scope)
        if (inner === undefined) ok = false
        else entries.push([key, inner])
        continue
      }
      const expr = this.literalOrExpr(v, p)
      const kind = expr === undefined ? undefined : this.kindOf(expr, p, scope)
      if (expr === undefined || kind === undefined) ok = false
      else entries.push([key, { kind: 'expr', expr, exprKind: kind }])
    }
    return ok ? { kind: 'object', entries } : undefined
  }
}

function checkMatch(
  c: RowChecker,
  match: Record<string, Literal | Literal[]>,
): { indexMatch: CheckedRow['indexMatch']; extraMatch: CheckedMatch[] } {
  const indexMatch: CheckedRow['indexMatch'] = {}
  const extraMatch: CheckedMatch[] = []
  for (const [key, raw] of Object.entries(match)) {
    const path = ['match', key]
    const values = Array.isArray(raw) ? raw : [raw]
    const expr = c.parse(key, path)
    if (expr === undefined) continue
    if (expr.kind !== 'path' || expr.root !== 'event') {
      c.problem(
        path,
        `a match key is a path into the KOOK event (like extra.body.channel_type), not "${key}"`,
      )
      continue
    }
    if (key === 'channel_type' && values.some((v) => typeof v !== 'string')) {
      c.problem(path, 'channel_type is a string: GROUP, PERSON, BROADCAST or WEBHOOK_CHALLENGE')
      continue
    }
    if (key === 'type' && values.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
      c.problem(path, 'type is a KOOK message type number (1, 2, 3, 4, 8, 9, 10, 12 or 255)')
      continue
    }
    if ((INDEX_KEYS as readonly string[]).includes(key)) indexMatch[key as IndexKey] = values
    else extraMatch.push({ key, segments: expr.segments, values })
  }
  return { indexMatch, extraMatch }
}

/** Orders fields so each comes after those it references; reports cycles. */
function orderFields(c: RowChecker, fields: CheckedField[]): CheckedField[] | undefined {
  const byName = new Map(fields.map((f) => [f.name, f]))
  const ordered: CheckedField[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  let ok = true
  const visit = (name: string, chain: string[]): void => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') {
      c.problem(
        ['fields', name],
        `fields refer to each other in a cycle: ${[...chain, name].map((n) => `@${n}`).join(' → ')}`,
      )
      ok = false
      return
    }
    state.set(name, 'visiting')
    for (const dep of c.refs.get(name) ?? []) visit(dep, [...chain, name])
    state.set(name, 'done')
    const field = byName.get(name)
    if (field !== undefined) ordered.push(field)
  }
  for (const f of fields) visit(f.name, [])
  return ok ? ordered : undefined
}

export function checkRow(src: SourceRow): { row?: CheckedRow; problems: MappingProblem[] } {
  const c = new RowChecker(src)
  const r = src.row
  const { indexMatch, extraMatch } = checkMatch(c, r.match ?? {})
  const base = {
    id: r.id,
    file: src.file,
    line: src.line,
    priority: r.priority ?? 0,
    indexMatch,
    extraMatch,
    ...(r.description === undefined ? {} : { description: r.description }),
  }
  if (r.ignore !== undefined || r.emit === undefined) {
    const row: CheckedRow = { ...base, action: { kind: 'ignore', reason: r.ignore ?? '' } }
    return c.problems.length === 0 ? { row, problems: [] } : { problems: c.problems }
  }

  const type = r.emit as BridgeEventType
  const catalogue = fieldsOf(type)
  const forEach = r.forEach === undefined ? undefined : c.parse(r.forEach, ['forEach'])
  if (forEach !== undefined) {
    const kind = c.kindOf(forEach, ['forEach'], { forEach: false })
    if (kind !== undefined && kind !== 'any' && kind !== 'list')
      c.problem(['forEach'], `forEach needs a list (a path or list(...)), got ${kind}`)
  }
  const inForEach = r.forEach !== undefined

  const given = r.fields ?? {}
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(catalogue, name)) {
      const engine = name === 'type' || name === 'rowId' || name === 'raw' || name === 'name'
      c.problem(
        ['fields', name],
        engine
          ? `"${name}" is set by the engine${name === 'name' ? ' (use the row key "name")' : ''}, not by fields`
          : `${type} has no field "${name}"${suggest(name, Object.keys(catalogue))}; its fields: ${Object.keys(catalogue).join(', ')}`,
      )
    }
  }
  const set = new Set<string>()
  const sources: Array<{ name: string; spec: FieldSpec; value: FieldValue; explicit: boolean }> = []
  for (const [name, spec] of Object.entries(catalogue)) {
    if (Object.hasOwn(given, name)) {
      sources.push({ name, spec, value: given[name] as FieldValue, explicit: true })
      set.add(name)
      continue
    }
    const fallback = (inForEach ? spec.forEachDefault : undefined) ?? spec.default
    if (fallback !== undefined) {
      sources.push({ name, spec, value: fallback, explicit: false })
      set.add(name)
    } else if (spec.required) c.problem(['fields'], `${type} needs field "${name}" (${describeKind(spec)})`)
  }

  const fields: CheckedField[] = []
  for (const { name, spec, value, explicit } of sources) {
    const path = ['fields', name]
    const scope = { forEach: inForEach, fields: catalogue, set, field: name }
    if (value !== null && typeof value === 'object') {
      if (spec.kind !== 'object') {
        c.problem(
          path,
          `${name} takes an expression, not a mapping (only object fields like data take mappings)`,
        )
        continue
      }
      const checked = c.objectValue(value, path, scope)
      if (checked !== undefined) fields.push({ name, spec, value: checked, explicit })
      continue
    }
    const expr = c.literalOrExpr(value, path)
    if (expr === undefined) continue
    const kind = c.kindOf(expr, path, scope)
    if (kind === undefined) continue
    if (!fits(kind, spec)) {
      c.problem(path, `${name} must be ${describeKind(spec)}; this expression gives ${kind}`)
      continue
    }
    if (spec.kind === 'enum' && expr.kind === 'literal' && !spec.values?.includes(String(expr.value))) {
      c.problem(path, `${name} must be ${describeKind(spec)}, not '${String(expr.value)}'`)
      continue
    }
    fields.push({ name, spec, value: { kind: 'expr', expr, exprKind: kind }, explicit })
  }
  const ordered = orderFields(c, fields)
  if (c.problems.length > 0 || ordered === undefined) return { problems: c.problems }
  const action: CheckedAction = { kind: 'emit', type, fields: ordered }
  if (r.name !== undefined) action.name = r.name
  if (forEach !== undefined) action.forEach = forEach
  return { row: { ...base, action }, problems: [] }
}
