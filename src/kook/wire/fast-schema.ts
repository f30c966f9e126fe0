/**
 * A fast path for the wire schemas: a plain validator compiled once, at module load, from a zod
 * schema's own definition, that produces zod's exact output for the inputs it is sure about and
 * otherwise says "not sure" (`UNSURE`), so the caller runs the zod schema itself. Errors, and anything
 * unusual, therefore still come from zod, with zod's paths and messages.
 *
 * Why: zod 4 allocates a `{value, issues}` payload per field and runs pipes and a catchall pass per
 * object, and on the first events after start it generates and compiles one parser per object schema
 * (measured in a fresh process: the first text event took 4.6–9.6 ms, events 2–10 ~80–100 µs each). The checks built here
 * do the same work with no per-field allocation, and are built and warmed at module load; see
 * bench/kook-wire-bench.ts for the figures.
 *
 * Exactness is the contract, proven by test/kook/wire/fast-schema.test.ts against zod over every
 * fixture, the seed documents and generated variants. It holds because:
 * - only the zod constructs the wire model uses are understood (object/looseObject, optional,
 *   nullable, preprocess with a one-argument function, string, number, int, boolean, array, unknown,
 *   and unions whose options can be told apart by type); a schema using anything else (a refinement,
 *   a check, coercion, another type) gets no fast path at all;
 * - each construct mirrors zod 4's parse of a valid input: objects are rebuilt with the declared keys
 *   first, in declaration order and only when present, then the undeclared keys in `for…in` order
 *   (loose) except `__proto__`; arrays are copied; preprocess functions are the schema's own, called
 *   the same way; primitives pass through;
 * - the checker is sure only of success: any value zod might refuse, or might treat in a way not
 *   mirrored here (an `undefined` value, a required key that is absent), answers UNSURE.
 *
 * The `_zod.def` fields read here are zod 4's (checked with 4.6). A zod upgrade that renames them only
 * costs the fast path (unknown definitions compile to nothing, and zod runs); one that changes what
 * zod outputs is what the differential test is for.
 */
import type { z } from 'zod'

/** "Ask zod": the input is invalid, or unusual enough that only zod may say what it becomes. */
export const UNSURE: unique symbol = Symbol('UNSURE')

/** Zod's output for `value`, or UNSURE. */
export type FastCheck = (value: unknown) => unknown

/** The parts of a zod 4 definition read here (the `_zod.def` of every schema). */
interface Def {
  type: string
  checks?: readonly unknown[]
  coerce?: boolean
  check?: string
  format?: string
  shape?: Record<string, z.ZodType>
  catchall?: z.ZodType
  innerType?: z.ZodType
  element?: z.ZodType
  options?: readonly z.ZodType[]
  in?: z.ZodType
  out?: z.ZodType
  transform?: (value: unknown, ...rest: unknown[]) => unknown
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export interface FastCheckOptions {
  /**
   * Generate one specialised function per object schema (the default), or use the generic closures.
   * Both give the same answers; the generated code is faster (see generateObject). The closures are
   * also the fallback where code generation from strings is disallowed.
   */
  codegen?: boolean
}

/** Compiles `schema`, or returns undefined when it uses anything this module does not mirror. */
export function compileFastCheck(schema: z.ZodType, options: FastCheckOptions = {}): FastCheck | undefined {
  return compile(schema, options.codegen !== false)
}

function compile(schema: z.ZodType, codegen: boolean): FastCheck | undefined {
  const def = defOf(schema)
  // Refinements and checks (`.refine`, `.min`, …) run on success in zod: not mirrored, so no fast path.
  if (def.checks !== undefined && def.checks.length > 0) return undefined
  if (def.coerce === true) return undefined
  switch (def.type) {
    case 'string':
      return (value) => (typeof value === 'string' ? value : UNSURE)
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? value : UNSURE)
    case 'number':
      if (def.check === undefined) {
        return (value) => (typeof value === 'number' && Number.isFinite(value) ? value : UNSURE)
      }
      // `z.int()`: a number_format check of format safeint, i.e. an integer within ±(2^53 − 1).
      if (def.check === 'number_format' && def.format === 'safeint') {
        return (value) => (Number.isSafeInteger(value) ? value : UNSURE)
      }
      return undefined
    case 'unknown':
      return (value) => (value === undefined ? UNSURE : value)
    case 'optional':
      // Only reached for a present key (absent ones are the object's business); `undefined` is rare
      // and zod's handling of it depends on the inner schema: ask zod.
      return def.innerType === undefined ? undefined : compile(def.innerType, codegen)
    case 'nullable': {
      const inner = def.innerType === undefined ? undefined : compile(def.innerType, codegen)
      if (inner === undefined) return undefined
      return (value) => (value === null ? null : inner(value))
    }
    case 'pipe':
      return compilePipe(def, codegen)
    case 'array': {
      const element = def.element === undefined ? undefined : compile(def.element, codegen)
      if (element === undefined) return undefined
      return (value) => {
        if (!Array.isArray(value)) return UNSURE
        const out = new Array<unknown>(value.length)
        for (let i = 0; i < value.length; i++) {
          const item = element(value[i])
          if (item === UNSURE) return UNSURE
          out[i] = item
        }
        return out
      }
    }
    case 'object':
      return compileObject(def, codegen)
    case 'union':
      return compileUnion(def, codegen)
    default:
      return undefined
  }
}

/** `z.preprocess(fn, schema)`: a transform then the schema. Only a one-argument `fn` (it cannot add issues). */
function preprocessOf(def: Def): ((value: unknown) => unknown) | undefined {
  if (def.in === undefined || def.out === undefined) return undefined
  const first = defOf(def.in)
  if (first.type !== 'transform' || first.transform === undefined || first.transform.length > 1)
    return undefined
  if (first.checks !== undefined && first.checks.length > 0) return undefined
  return first.transform
}

function compilePipe(def: Def, codegen: boolean): FastCheck | undefined {
  const transform = preprocessOf(def)
  if (transform === undefined || def.out === undefined) return undefined
  const out = compile(def.out, codegen)
  if (out === undefined) return undefined
  return (value) => {
    if (value === undefined) return UNSURE
    return out(transform(value))
  }
}

interface Field {
  readonly key: string
  readonly check: FastCheck
  /** Declared `.optional()`: an absent key is fine and stays absent. */
  readonly optional: boolean
}

function compileObject(def: Def, codegen: boolean): FastCheck | undefined {
  if (def.shape === undefined) return undefined
  let loose: boolean
  if (def.catchall === undefined) loose = false
  else if (defOf(def.catchall).type === 'unknown') loose = true
  else return undefined
  const fields: Field[] = []
  const declared = new Set<string>()
  for (const key of Object.keys(def.shape)) {
    const schema = def.shape[key] as z.ZodType
    const check = compile(schema, codegen)
    // zod skips a declared `__proto__` in its output; not worth mirroring.
    if (check === undefined || key === '__proto__') return undefined
    fields.push({ key, check, optional: defOf(schema).type === 'optional' })
    declared.add(key)
  }
  if (codegen) {
    const generated = generateObject(def.shape, fields, declared, loose)
    if (generated !== undefined) return generated
  }
  return (value) => {
    if (!isPlainObject(value)) return UNSURE
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as Field
      const key = field.key
      if (!(key in value)) {
        if (field.optional) continue
        return UNSURE
      }
      const result = field.check(value[key])
      if (result === UNSURE) return UNSURE
      out[key] = result
    }
    if (loose) {
      // zod's catchall pass: every other enumerable key, same order, same values, no `__proto__`.
      for (const key in value) {
        if (declared.has(key) || key === '__proto__') continue
        const extra = value[key]
        if (extra === undefined) return UNSURE
        out[key] = extra
      }
    } else {
      // A plain z.object strips unknown keys; nothing to copy.
    }
    return out
  }
}

/** What a union option accepts, when a `typeof` test tells whether zod's option can succeed at all. */
function primitiveOf(schema: z.ZodType): 'string' | 'boolean' | 'number' | undefined {
  const def = defOf(schema)
  if (def.checks !== undefined && def.checks.length > 0) return undefined
  if (def.type === 'string' || def.type === 'boolean') return def.type
  return undefined
}

/**
 * zod tries the options in order and keeps the first success. An option that is a bare string or
 * boolean fails exactly when `typeof` differs, so it can be skipped with certainty; any other option is
 * taken as the answer (its UNSURE included), since whether zod's option succeeds is all that matters.
 */
function compileUnion(def: Def, codegen: boolean): FastCheck | undefined {
  if (def.options === undefined) return undefined
  const options: Array<{ primitive: string | undefined; check: FastCheck }> = []
  for (const option of def.options) {
    const check = compile(option, codegen)
    if (check === undefined) return undefined
    options.push({ primitive: primitiveOf(option), check })
  }
  return (value) => {
    for (const option of options) {
      if (option.primitive !== undefined) {
        if (typeof value === option.primitive) return value
        continue
      }
      return option.check(value)
    }
    return UNSURE
  }
}

/**
 * The test that a primitive schema passes, as a JS expression over `v` (same semantics as the
 * closures in `compile`), or undefined for anything that is not a bare primitive.
 */
function primitiveTest(def: Def): string | undefined {
  if ((def.checks !== undefined && def.checks.length > 0) || def.coerce === true) return undefined
  switch (def.type) {
    case 'string':
      return 'typeof v === "string"'
    case 'boolean':
      return 'typeof v === "boolean"'
    case 'number':
      if (def.check === undefined) return 'typeof v === "number" && Number.isFinite(v)'
      return def.check === 'number_format' && def.format === 'safeint' ? 'Number.isSafeInteger(v)' : undefined
    case 'unknown':
      return 'v !== undefined'
    default:
      return undefined
  }
}

/**
 * One function per object schema, its fields unrolled with constant keys, so V8's inline caches stay
 * monomorphic (the generic closure shares one `value[key]` site between every field of every
 * schema). Measured on the `extra` of test/fixtures/kook (median of 9 runs of 30k, wall time in a
 * tight loop, two runs each): text message zod 2.2–2.7 µs, closures 1.4–1.7, generated 0.16–0.28;
 * KMarkdown with mentions zod 4.8–10.8, closures 3.7–5.7, generated 1.7–2.2.
 *
 * Only the schema's own key names (JSON-quoted) and fixed snippets go into the source, never input.
 * A field that is not a bare primitive or a preprocessed primitive (`kookId`, `kookFlag`, …) calls its
 * compiled check. Returns undefined where code generation from strings is disallowed, and the caller
 * keeps the closures.
 */
function generateObject(
  shape: Record<string, z.ZodType>,
  fields: readonly Field[],
  declared: ReadonlySet<string>,
  loose: boolean,
): FastCheck | undefined {
  const transforms: Array<(value: unknown) => unknown> = []
  const checks: FastCheck[] = []
  const lines = [
    'if (typeof value !== "object" || value === null || Array.isArray(value)) return U',
    'const out = {}',
    'let v',
  ]
  for (const field of fields) {
    const key = JSON.stringify(field.key)
    let def = defOf(shape[field.key] as z.ZodType)
    if (def.type === 'optional' && def.innerType !== undefined) def = defOf(def.innerType)
    const direct = primitiveTest(def)
    const transform = def.type === 'pipe' ? preprocessOf(def) : undefined
    const piped = transform !== undefined && def.out !== undefined ? primitiveTest(defOf(def.out)) : undefined
    let body: string
    if (direct !== undefined) {
      body = `v = value[${key}]; if (!(${direct})) return U;`
    } else if (transform !== undefined && piped !== undefined) {
      transforms.push(transform)
      body = `v = value[${key}]; if (v === undefined) return U; v = T[${transforms.length - 1}](v); if (!(${piped})) return U;`
    } else {
      checks.push(field.check)
      body = `v = F[${checks.length - 1}](value[${key}]); if (v === U) return U;`
    }
    lines.push(`if (${key} in value) { ${body} out[${key}] = v } else ${field.optional ? '{}' : 'return U'}`)
  }
  if (loose) {
    lines.push(
      'for (const k in value) {',
      '  if (D.has(k) || k === "__proto__") continue',
      '  v = value[k]',
      '  if (v === undefined) return U',
      '  out[k] = v',
      '}',
    )
  }
  lines.push('return out')
  try {
    const factory = new Function(
      'U',
      'D',
      'T',
      'F',
      `return function fastObjectCheck(value) {\n${lines.join('\n')}\n}`,
    )
    return factory(UNSURE, declared, transforms, checks) as FastCheck
  } catch {
    return undefined
  }
}
