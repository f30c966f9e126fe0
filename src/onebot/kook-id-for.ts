/**
 * A OneBot id parameter (number or numeric string) → the KOOK id behind it.
 *
 * Consumers send ids back as JSON numbers (Karin `Number()`s everything, karin.md §5) or as strings
 * (reply ids, query strings, the guild form). Numbers ≤ 2^53−1 are what we emitted: aliases or
 * pass-through ids, resolved by the store. A digit string above 2^53−1 cannot be one of ours, so it
 * is taken as a raw KOOK id (the guild form and hand-written calls may carry those exactly).
 */
import type { AliasKind, BridgeStore } from '../store/bridge-store.js'

const DIGITS_RE = /^\d{1,20}$/
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Normalises a number or numeric string to its digits; undefined when it is neither. */
export function idDigits(value: unknown): string | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined
  }
  if (typeof value === 'string') {
    const trimmed = value.trim()
    return DIGITS_RE.test(trimmed) ? trimmed.replace(/^0+(?=\d)/, '') : undefined
  }
  return undefined
}

/** `digits` must come from `idDigits`. */
export function kookIdFor(store: BridgeStore, kind: AliasKind, digits: string): string {
  if (digits.length >= 16 && BigInt(digits) > MAX_SAFE) return digits
  return store.idFor(kind, Number(digits))
}
