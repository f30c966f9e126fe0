import { fail, KOOK_BAD_REQUEST } from './sim-api-failure.js'

/**
 * Typed access to a request's parameters (query string for GET, JSON/form/multipart fields for POST).
 * A missing required parameter is KOOK's code 40000 naming the parameter; a malformed one too.
 */
export class SimParams {
  readonly raw: Readonly<Record<string, unknown>>

  constructor(raw: Readonly<Record<string, unknown>>) {
    this.raw = raw
  }

  has(name: string): boolean {
    const value = this.raw[name]
    return value !== undefined && value !== null
  }

  /** A required, non-empty string. Numbers are accepted as their decimal text. */
  string(name: string): string {
    const value = this.optionalString(name)
    if (value === undefined || value === '')
      fail(KOOK_BAD_REQUEST, `${name} 不能为空 (missing parameter ${name})`)
    return value
  }

  optionalString(name: string): string | undefined {
    const value = this.raw[name]
    if (value === undefined || value === null) return undefined
    if (typeof value === 'string') return value
    // A JSON number id has already lost precision if it was above 2^53: it is looked up as sent, and
    // typically not found — exactly what KOOK would make of a corrupted id.
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    if (typeof value === 'boolean') return value ? '1' : '0'
    fail(KOOK_BAD_REQUEST, `${name} 格式错误 (parameter ${name} must be a string)`)
  }

  /** An integer; `fallback` when absent, code 40000 when absent without fallback or not an integer. */
  int(name: string, fallback?: number): number {
    const value = this.raw[name]
    if (value === undefined || value === null || value === '') {
      if (fallback === undefined) fail(KOOK_BAD_REQUEST, `${name} 不能为空 (missing parameter ${name})`)
      return fallback
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN
    if (!Number.isSafeInteger(n))
      fail(KOOK_BAD_REQUEST, `${name} 格式错误 (parameter ${name} must be an integer)`)
    return n
  }
}
