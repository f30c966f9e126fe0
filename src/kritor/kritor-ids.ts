/**
 * KOOK ids ↔ kritor uint64 fields (uin, group_id, guild_id, tiny_id…).
 *
 * KOOK ids are decimal strings: users ~10 digits, guilds and channels up to 17, beyond 2^53
 * (kritor.md §6). They travel as the same number in uint64 fields, written from the decimal string so
 * nothing is rounded; short ids are passed as numbers, which the encoder handles ~0.5 µs faster
 * (proto/README.md "uint64"). Decoded uint64 values are protobufjs `Long`s: `String()` gives the
 * exact decimal id back.
 */
const DECIMAL = /^(?:0|[1-9]\d{0,19})$/
const U64_MAX = '18446744073709551615'

/** Whether `id` is a decimal number that fits a uint64. */
export function isU64(id: string): boolean {
  if (!DECIMAL.test(id)) return false
  return id.length < 20 || id <= U64_MAX
}

/**
 * The uint64 form of a KOOK id, or 0 when the id is not a decimal number (only the placeholder ids of
 * KOOK's documentation examples, such as "xxxx", are not): `onInvalid` is told, so it gets counted.
 */
export function u64Of(id: string, onInvalid?: (id: string) => void): number | string {
  if (!isU64(id)) {
    onInvalid?.(id)
    return 0
  }
  // Below 2^53 the number is exact: 15 digits always are.
  return id.length <= 15 ? Number(id) : id
}

/** A decoded uint64 → the KOOK id it names; '' for 0 or absent (kritor's "not set"). */
export function idOfU64(value: number | { toString(): string } | null | undefined): string {
  if (value === null || value === undefined) return ''
  const id = String(value)
  return id === '0' ? '' : id
}
