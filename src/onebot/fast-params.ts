/**
 * A fast path for the action params schemas: zod's exact output for params it is sure about, else
 * `UNSURE`, and the caller runs the zod schema itself. Every problem report (paths, messages) therefore
 * still comes from zod; this module only ever answers for valid params.
 *
 * Why: on the reply path of a round trip (Karin → `send_group_msg`) zod's `safeParse` of
 * `{group_id, message, auto_escape}` was the largest single cost of the call handling: ~40% of
 * `handleAction`'s inclusive time in a `--cpu-prof` of bench/karin-bench.ts (each round is cold-ish;
 * zod 4 allocates a payload per field and runs the pipe/optional/transform layers generically). The
 * check built here calls the row's own transform functions directly, once per declared key.
 *
 * It mirrors zod 4 (checked with 4.6) for exactly one shape, the one every row of `actions.ts` uses:
 * `z.object({...})` (strip) whose every field is an `action-params.ts` block,
 * `z.unknown().optional().transform(fn)`. For such a field zod runs `fn(input[key], ctx)` whether or
 * not the key is present (the pipe's input is optional-in, its output is not optional-out), and:
 * - any `ctx.addIssue` fails the parse (→ UNSURE here: zod reports it);
 * - a defined result is set on the output, in shape order; an `undefined` one only when the key is
 *   present in the input;
 * - undeclared keys are stripped.
 * A schema of any other form (a check, a refinement, another type, a non-strip object) gets no fast
 * path, and zod runs. test/onebot/fast-params.test.ts holds the contract against zod for every row of
 * the table, over valid, invalid and odd inputs.
 */
import type { z } from 'zod'

/** "Ask zod": the params are invalid, or not of a form this module mirrors. */
export const UNSURE: unique symbol = Symbol('UNSURE')

/** zod's `data` for valid params, or UNSURE. */
export type FastParams = (params: Record<string, unknown>) => unknown

interface Def {
  type: string
  checks?: readonly unknown[]
  shape?: Record<string, z.ZodType>
  catchall?: z.ZodType
  innerType?: z.ZodType
  in?: z.ZodType
  out?: z.ZodType
  transform?: (value: unknown, ctx: IssueSink) => unknown
}

/** The part of zod's transform context the param blocks use. */
interface IssueSink {
  addIssue(issue: unknown): void
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def
}

const noChecks = (def: Def) => def.checks === undefined || def.checks.length === 0

/** `z.unknown().optional().transform(fn)` → fn, or undefined for any other form. */
function paramTransform(schema: z.ZodType): Def['transform'] {
  const pipe = defOf(schema)
  if (pipe.type !== 'pipe' || !noChecks(pipe) || pipe.in === undefined || pipe.out === undefined) return
  const optional = defOf(pipe.in)
  if (optional.type !== 'optional' || !noChecks(optional) || optional.innerType === undefined) return
  const inner = defOf(optional.innerType)
  if (inner.type !== 'unknown' || !noChecks(inner)) return
  const transform = defOf(pipe.out)
  if (transform.type !== 'transform' || !noChecks(transform)) return
  return transform.transform
}

/** Compiles a row's params schema, or returns undefined when it is not of the mirrored form. */
export function compileFastParams(schema: z.ZodType): FastParams | undefined {
  const def = defOf(schema)
  if (def.type !== 'object' || !noChecks(def) || def.catchall !== undefined || def.shape === undefined)
    return undefined
  const keys = Object.keys(def.shape)
  if (Object.getOwnPropertySymbols(def.shape).length > 0) return undefined
  const transforms: Array<NonNullable<Def['transform']>> = []
  for (const key of keys) {
    // zod skips a declared `__proto__` in its output; not worth mirroring.
    if (key === '__proto__') return undefined
    const transform = paramTransform(def.shape[key] as z.ZodType)
    if (transform === undefined) return undefined
    transforms.push(transform)
  }
  let failed = false
  const sink: IssueSink = {
    addIssue() {
      failed = true
    },
  }
  return (params) => {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      failed = false
      let value: unknown
      try {
        value = (transforms[i] as NonNullable<Def['transform']>)(params[key], sink)
      } catch {
        return UNSURE // zod runs the same function and reports (or throws) as it always did
      }
      if (failed) return UNSURE
      if (value !== undefined) out[key] = value
      else if (key in params) out[key] = undefined
    }
    return out
  }
}
