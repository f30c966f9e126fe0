/**
 * Runtime coercions from KOOK values to the kinds of BridgeEvent fields. The compiled table calls them
 * where an expression's static kind differs from the field's kind (a path into the event is `any`).
 * They never throw: a value that cannot be read as the kind becomes `undefined`, and a required field
 * left undefined turns the event into `kook.invalid` (counted, raw kept).
 */

/** Strings as they are; numbers and bigints in decimal (KOOK sometimes sends ids as numbers). */
export function toStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined
}

/** Finite numbers; numeric strings (KOOK writes some timestamps as strings, e.g. `deleted_at`). */
export function toNum(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

/** Booleans; KOOK's 0/1 integers. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v
  if (v === 1) return true
  if (v === 0) return false
  return undefined
}

/**
 * A free-form payload (`data` of extension events): an object as is, `{}` for nothing, anything else
 * wrapped as `{ value }` (batch bodies are arrays; block lists carry bare ids).
 */
export function toObject(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null) return {}
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  return { value: v }
}

/** KOOK's emoji object `{ id, name }`; the id is kept exactly as KOOK wrote it. */
export function toEmoji(v: unknown): { id: string; name: string } | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const rec = v as Record<string, unknown>
  const id = toStr(rec['id'])
  if (id === undefined || id === '') return undefined
  return { id, name: toStr(rec['name']) ?? id }
}

/** An array as is, nothing as `[]`, a single value as a one-element array. */
export function toList(v: unknown): readonly unknown[] {
  if (Array.isArray(v)) return v
  return v === undefined || v === null ? [] : [v]
}
