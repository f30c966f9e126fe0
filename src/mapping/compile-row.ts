/**
 * Compiles a checked row into plain JavaScript, once, at load time: paths become optional-chained
 * property reads, functions become direct calls to closure-bound registry entries, coercions are
 * inserted only where an expression's kind differs from the field's. Nothing interprets YAML or path
 * strings per event (measured: a compiled table costs what hand-written code costs; an interpreted path
 * walker ~25×, performance.md).
 *
 * Safety: the generated source contains only identifiers the expression parser accepted
 * ([A-Za-z_][A-Za-z0-9_]*, minus __proto__/prototype/constructor), integers, and JSON-encoded literals.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { BridgeEvent, RawKookEvent } from '../model/bridge-event.js'
import type { CheckedField, CheckedMatch, CheckedRow, CheckedValue } from './check-row.js'
import { toBool, toEmoji, toList, toNum, toObject, toStr } from './coerce-value.js'
import type { FieldSpec } from './field-catalogue.js'
import { lookupFunction, type ProblemCounter, type ValueKind } from './function-registry.js'
import type { MappingContext } from './mapping-context.js'
import type { Expr } from './parse-expression.js'

/** What compiled rows call when an event cannot be mapped as the row says. */
export interface RowRuntime {
  /** A required field came out empty: the event travels as `kook.invalid` instead (counted). */
  invalid(d: RawKookEvent, rowId: string, missing: string[]): BridgeEvent
  /** A forEach row found an empty list (counted; nothing to emit). */
  emptyForEach(rowId: string): void
  count: ProblemCounter
}

/** Maps one event: normally one BridgeEvent, several for forEach rows, none for an empty forEach list. */
export type RowRunner = (d: RawKookEvent, context: MappingContext) => BridgeEvent[]
export type RowTest = (d: RawKookEvent) => boolean

export interface CompiledRow {
  checked: CheckedRow
  /** Extra match conditions beyond the index keys; absent when there are none. */
  test?: RowTest
  /** Absent for ignore rows. */
  run?: RowRunner
  /** The generated source (returned by `explain`, for debugging). */
  source: string
}

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/

function access(base: string, segments: ReadonlyArray<string | number>, optionalFirst: boolean): string {
  let code = base
  segments.forEach((s, i) => {
    const dot = i === 0 && !optionalFirst ? '' : '?'
    if (typeof s === 'number') code += `${dot}${dot ? '.' : ''}[${s}]`
    else if (IDENT_RE.test(s)) code += `${dot}.${s}`
    else code += `${dot}${dot ? '.' : ''}[${JSON.stringify(s)}]`
  })
  return code
}

class Emitter {
  readonly lines: string[] = []
  /** Closure-bound values, passed to the factory by name. */
  readonly env = new Map<string, unknown>()
  #tmp = 0

  bind(name: string, value: unknown): string {
    this.env.set(name, value)
    return name
  }

  tmp(): string {
    return `t${this.#tmp++}`
  }

  /** Code for an expression. `fieldVars` maps field names to their variables (for `@field`). */
  expr(e: Expr, fieldVars: ReadonlyMap<string, string>): string {
    switch (e.kind) {
      case 'path':
        // `d` is always an object here (map() checks), so its first read needs no `?.`.
        return e.root === 'event' ? access('d', e.segments, false) : access('it', e.segments, true)
      case 'index':
        return 'i'
      case 'selfId':
        return 'c.selfId'
      case 'ref':
        return fieldVars.get(e.name) ?? 'undefined'
      case 'literal':
        return e.value === null ? 'null' : JSON.stringify(e.value)
      case 'coalesce':
        return `(${e.options.map((o) => this.expr(o, fieldVars)).join(' ?? ')})`
      case 'call': {
        const fn = lookupFunction(e.name)
        // check-row rejects unknown functions before anything is compiled.
        if (fn === undefined) throw new BridgeError(ErrorCode.Internal, `unchecked function ${e.name}`)
        const ref = this.bind(`F_${e.name}`, fn.impl)
        const args = e.args.map((a) => this.expr(a, fieldVars))
        return `${ref}(${fn.env ? ['c', 'K', ...args].join(', ') : args.join(', ')})`
      }
    }
  }

  /** True when the expression can never evaluate to undefined (so no runtime check is needed). */
  definite(e: Expr, definiteFields: ReadonlySet<string>): boolean {
    switch (e.kind) {
      case 'literal':
        return e.value !== null
      case 'index':
      case 'selfId':
        return true
      case 'ref':
        return definiteFields.has(e.name)
      case 'call':
        return lookupFunction(e.name)?.total === true
      case 'coalesce': {
        const last = e.options[e.options.length - 1]
        return last !== undefined && this.definite(last, definiteFields)
      }
      case 'path':
        return false
    }
  }

  coerce(code: string, from: ValueKind, spec: FieldSpec, name: string): string {
    switch (spec.kind) {
      case 'string':
        return from === 'string' ? code : `${this.bind('S', toStr)}(${code})`
      case 'number':
        return from === 'number' ? code : `${this.bind('N', toNum)}(${code})`
      case 'boolean':
        return from === 'boolean' ? code : `${this.bind('B', toBool)}(${code})`
      case 'object':
        return from === 'object' ? code : `${this.bind('O', toObject)}(${code})`
      case 'emoji':
        return from === 'emoji' ? code : `${this.bind('EM', toEmoji)}(${code})`
      case 'enum': {
        if (code.startsWith('"')) return code // a literal, checked against the values at load time
        const set = this.bind(`ENUM_${name}`, new Set(spec.values))
        const t = this.tmp()
        this.lines.push(`    const ${t} = ${code};`)
        return `(${set}.has(${t}) ? ${t} : undefined)`
      }
      default:
        return code
    }
  }

  /** Emits statements computing an object value; returns the variable holding it. */
  object(value: Extract<CheckedValue, { kind: 'object' }>, fieldVars: ReadonlyMap<string, string>): string {
    const o = this.tmp()
    this.lines.push(`    const ${o} = {};`)
    for (const [key, v] of value.entries) {
      const code = v.kind === 'object' ? this.object(v, fieldVars) : this.expr(v.expr, fieldVars)
      const t = this.tmp()
      this.lines.push(
        `    const ${t} = ${code};`,
        `    if (${t} !== undefined) ${o}[${JSON.stringify(key)}] = ${t};`,
      )
    }
    return o
  }

  /** Emits the statements computing a field; returns its variable and whether it is surely defined. */
  field(
    f: CheckedField,
    fieldVars: Map<string, string>,
    definiteFields: Set<string>,
  ): { v: string; definite: boolean } {
    const v = `f_${f.name}`
    let code: string
    let definite: boolean
    if (f.value.kind === 'object') {
      code = this.object(f.value, fieldVars)
      definite = true
    } else {
      const { expr, exprKind } = f.value
      const sameKind = exprKind === (f.spec.kind === 'enum' ? 'string' : f.spec.kind)
      const literalEnum = f.spec.kind === 'enum' && expr.kind === 'literal'
      code = this.coerce(this.expr(expr, fieldVars), exprKind, f.spec, f.name)
      definite =
        f.spec.kind === 'object' ||
        (this.definite(expr, definiteFields) && (f.spec.kind === 'enum' ? literalEnum : sameKind))
    }
    this.lines.push(`    const ${v} = ${code};`)
    fieldVars.set(f.name, v)
    if (definite) definiteFields.add(f.name)
    return { v, definite }
  }
}

/**
 * Up to this many optional fields that may come out undefined, a row's event literal is written once
 * per combination of present fields (2^n literals in the generated code); beyond, such fields are added
 * to one literal one by one.
 */
const MAX_LITERAL_BRANCHES = 4

type FieldVar = { f: CheckedField; v: string; definite: boolean }

/**
 * Statements assigning `e` the event literal: the keys of `head`, then the `optional` fields in order,
 * each field that may be undefined only where it is defined — an `if` per such field, a complete
 * literal per leaf, so the keys come out in the order adding them one by one would give.
 */
function literalTree(head: readonly string[], optional: readonly FieldVar[], indent: string): string[] {
  const next = optional.findIndex(({ definite }) => !definite)
  if (next === -1) {
    const keys = [...head, ...optional.map(({ f, v }) => `${f.name}: ${v}`)]
    return [`${indent}e = { ${keys.join(', ')} };`]
  }
  const before = optional.slice(0, next).map(({ f, v }) => `${f.name}: ${v}`)
  const field = optional[next] as FieldVar
  const rest = optional.slice(next + 1)
  const inner = `${indent}  `
  return [
    `${indent}if (${field.v} !== undefined) {`,
    ...literalTree([...head, ...before, `${field.f.name}: ${field.v}`], rest, inner),
    `${indent}} else {`,
    ...literalTree([...head, ...before], rest, inner),
    `${indent}}`,
  ]
}

function compileTest(matches: readonly CheckedMatch[]): { test: RowTest; source: string } {
  const lines = matches.map((m, i) => {
    const read = access('d', m.segments, false)
    const cond = m.values.map((v) => `t${i} === ${v === null ? 'null' : JSON.stringify(v)}`).join(' || ')
    return `  const t${i} = ${read};\n  if (!(${cond})) return false;`
  })
  const source = `return function test(d) {\n${lines.join('\n')}\n  return true;\n}`
  return { test: new Function(source)() as RowTest, source }
}

function compileRun(row: CheckedRow, runtime: RowRuntime): { run: RowRunner; source: string } {
  const action = row.action
  if (action.kind !== 'emit') throw new BridgeError(ErrorCode.Internal, 'ignore rows have no runner')
  const em = new Emitter()
  em.bind('K', runtime.count)
  em.bind('INVALID', runtime.invalid)
  const fieldVars = new Map<string, string>()
  const definiteFields = new Set<string>()
  const vars = action.fields.map((f) => ({ f, ...em.field(f, fieldVars, definiteFields) }))
  const required = vars.filter(({ f, definite }) => f.spec.required && !definite)
  const rowId = JSON.stringify(row.id)

  const body: string[] = []
  const many = action.forEach !== undefined
  if (action.forEach !== undefined) {
    em.bind('L', toList)
    em.bind('EMPTY', runtime.emptyForEach)
    body.push(
      `  const items = L(${em.expr(action.forEach, new Map())});`,
      `  if (items.length === 0) { EMPTY(${rowId}); return []; }`,
      '  const out = [];',
      '  for (let i = 0; i < items.length; i++) {',
      '    const it = items[i];',
    )
  } else body.push('  {')
  body.push(...em.lines)
  if (required.length > 0) {
    body.push(
      `    if (${required.map(({ v }) => `${v} === undefined`).join(' || ')}) {`,
      `      const bad = INVALID(d, ${rowId}, [${required.map(({ f, v }) => `${v} === undefined ? ${JSON.stringify(f.name)} : ""`).join(', ')}].filter(Boolean));`,
      `      ${many ? 'out.push(bad); continue;' : 'return [bad];'}`,
      '    }',
    )
  }
  // Required fields in the object literal (stable shape), optional ones only when present
  // (exactOptionalPropertyTypes: an absent field is absent, not undefined).
  const head = [`type: ${JSON.stringify(action.type)}`]
  if (action.name !== undefined) head.push(`name: ${JSON.stringify(action.name)}`)
  const literal = [
    ...head,
    ...vars.filter(({ f }) => f.name === 'eventId' || f.name === 'time').map(({ f, v }) => `${f.name}: ${v}`),
    `rowId: ${rowId}`,
    ...vars
      .filter(({ f }) => f.spec.required && f.name !== 'eventId' && f.name !== 'time')
      .map(({ f, v }) => `${f.name}: ${v}`),
    'raw: d',
  ]
  const optional = vars.filter(({ f }) => !f.spec.required)
  if (optional.filter(({ definite }) => !definite).length <= MAX_LITERAL_BRANCHES) {
    // A complete literal per combination: adding properties to a built object costs a map transition
    // each and an out-of-object property store per event (measured: bench/mapping-bench.ts).
    body.push('    let e;', ...literalTree(literal, optional, '    '))
  } else {
    body.push(`    const e = { ${literal.join(', ')} };`)
    for (const { f, v } of optional) body.push(`    if (${v} !== undefined) e.${f.name} = ${v};`)
  }
  body.push(many ? '    out.push(e);\n  }\n  return out;' : '    return [e];\n  }')

  const names = [...em.env.keys()]
  const source = `"use strict";\n// row ${row.id} (${row.file}:${row.line})\nreturn function run(d, c) {\n${body.join('\n')}\n}`
  const factory = new Function(...names, source) as (...args: unknown[]) => RowRunner
  return { run: factory(...names.map((n) => em.env.get(n))), source }
}

export function compileRow(row: CheckedRow, runtime: RowRuntime): CompiledRow {
  const out: CompiledRow = { checked: row, source: '' }
  const sources: string[] = []
  if (row.extraMatch.length > 0) {
    const { test, source } = compileTest(row.extraMatch)
    out.test = test
    sources.push(source)
  }
  if (row.action.kind === 'emit') {
    const { run, source } = compileRun(row, runtime)
    out.run = run
    sources.push(source)
  }
  out.source = sources.join('\n\n')
  return out
}
