/**
 * zod building blocks for action parameters.
 *
 * OneBot params arrive as JSON numbers, numeric strings (HTTP query and form values are always
 * strings, NoneBot sends some ids as strings, Karin's reply ids come back as strings), and booleans as
 * `true/false`, `1/0`, `yes/no` (onebot-v11.md §A1, §A5). Each block accepts all of those and reports a
 * problem as "expected …, got …", so a bad call gets a message naming the param and what was wrong.
 *
 * Each block is `z.unknown().optional().transform(…)`: in zod 4 a bare transform inside an object makes
 * an absent key fail with "expected nonoptional" before the transform can say "is required" or apply
 * its default.
 */
import { z } from 'zod'
import { idDigits } from './kook-id-for.js'

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

const absent = (value: unknown) => value === undefined || value === null || value === ''

/** A required id: number or numeric string → its digits (resolved to a KOOK id by `kookIdFor`). */
export const idParam = z
  .unknown()
  .optional()
  .transform((value, ctx): string => {
    const digits = idDigits(value)
    if (digits === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: absent(value) ? 'is required' : `expected a number or a numeric string, got ${show(value)}`,
      })
      return z.NEVER
    }
    return digits
  })

/** An optional id: absent, null or '' → undefined. */
export const optionalIdParam = z
  .unknown()
  .optional()
  .transform((value, ctx): string | undefined => {
    if (absent(value)) return undefined
    const digits = idDigits(value)
    if (digits === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a number or a numeric string, got ${show(value)}` })
      return z.NEVER
    }
    return digits
  })

/**
 * A message id: the int32 `message_id` we emitted (number or numeric string), or a KOOK msg_id given
 * directly as a string.
 */
export const messageIdParam = z
  .unknown()
  .optional()
  .transform((value, ctx): string => {
    if (typeof value === 'number' || typeof value === 'string') {
      const digits = idDigits(value)
      if (digits !== undefined) return digits
      if (typeof value === 'string' && /^[0-9a-f-]{8,64}$/i.test(value.trim())) return value.trim()
    }
    ctx.addIssue({
      code: 'custom',
      message: absent(value) ? 'is required' : `expected a message_id number, got ${show(value)}`,
    })
    return z.NEVER
  })

/**
 * An optional message id (history anchors): absent, null, '' and 0 → undefined. gocq and NapCat read
 * `message_seq: 0` as "from the newest message".
 */
export const optionalMessageIdParam = z
  .unknown()
  .optional()
  .transform((value, ctx): string | undefined => {
    if (absent(value) || value === 0 || value === '0') return undefined
    if (typeof value === 'number' || typeof value === 'string') {
      const digits = idDigits(value)
      if (digits !== undefined) return digits
      if (typeof value === 'string' && /^[0-9a-f-]{8,64}$/i.test(value.trim())) return value.trim()
    }
    ctx.addIssue({ code: 'custom', message: `expected a message_id number, got ${show(value)}` })
    return z.NEVER
  })

/** A JSON object param (`.handle_quick_operation`'s `context` and `operation`). */
export const objectParam = z
  .unknown()
  .optional()
  .transform((value, ctx): Record<string, unknown> => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
    ctx.addIssue({
      code: 'custom',
      message: absent(value) ? 'is required' : `expected an object, got ${show(value)}`,
    })
    return z.NEVER
  })

/** "action: param: problem; …" for a failed params check. */
export function describeIssues(
  action: string,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): string {
  const parts = issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    return path === '' ? issue.message : `${path}: ${issue.message}`
  })
  return `${action}: ${parts.join('; ')}`
}

const TRUE = new Set(['true', '1', 'yes'])
const FALSE = new Set(['false', '0', 'no', ''])

export function boolParam(defaultValue: boolean) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): boolean => {
      if (value === undefined || value === null) return defaultValue
      if (typeof value === 'boolean') return value
      const text = String(value).trim().toLowerCase()
      if (TRUE.has(text)) return true
      if (FALSE.has(text)) return false
      ctx.addIssue({
        code: 'custom',
        message: `expected a boolean (true/false, 1/0, yes/no), got ${show(value)}`,
      })
      return z.NEVER
    })
}

export function intParam(defaultValue: number) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): number => {
      if (absent(value)) return defaultValue
      const n = typeof value === 'string' ? Number(value.trim()) : value
      if (typeof n === 'number' && Number.isSafeInteger(n)) return n
      ctx.addIssue({ code: 'custom', message: `expected an integer, got ${show(value)}` })
      return z.NEVER
    })
}

export function stringParam(defaultValue?: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string => {
      if (value === undefined || value === null) {
        if (defaultValue !== undefined) return defaultValue
        ctx.addIssue({ code: 'custom', message: 'is required' })
        return z.NEVER
      }
      if (typeof value === 'string') return value
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      ctx.addIssue({ code: 'custom', message: `expected a string, got ${show(value)}` })
      return z.NEVER
    })
}

/** `message`: checked in depth by `decode-message.ts`; here only its presence. */
export const messageParam = z
  .unknown()
  .optional()
  .transform((value, ctx): unknown => {
    if (value === undefined || value === null) {
      ctx.addIssue({ code: 'custom', message: 'is required' })
      return z.NEVER
    }
    return value
  })

/** `message_type` of send_msg. */
export const messageTypeParam = z
  .unknown()
  .optional()
  .transform((value, ctx): 'private' | 'group' | undefined => {
    if (absent(value)) return undefined
    if (value === 'private' || value === 'group') return value
    ctx.addIssue({ code: 'custom', message: `expected "private" or "group", got ${show(value)}` })
    return z.NEVER
  })
