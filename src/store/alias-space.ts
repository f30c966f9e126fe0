/**
 * The number space of one id kind (user, guild or channel) of one bot: a bijection between KOOK ids
 * and JavaScript safe integers, for protocols that carry ids as numbers (OneBot v11) and consumers
 * that coerce with `Number()` (Karin, Koishi): anything above 2^53−1 is silently corrupted there.
 *
 * - A canonical decimal id ≤ 2^53−1 passes through as itself: users (~10 digits) and most guild and
 *   channel ids look the same in every protocol and in KOOK's own UI.
 * - Any other id (17-digit guild/channel ids beyond 2^53, non-decimal ids, decimal strings with a
 *   leading zero, which would otherwise share a number with their canonical form) gets an alias,
 *   allocated downward from 2^53−1.
 *
 * Why downward from the top: real KOOK ids that pass through are users (~10 digits, < 10^10) and
 * guilds/channels of 13–16 digits below 2^53 ≈ 9.007·10^15. After `n` allocations the aliases occupy
 * (2^53−1−n, 2^53−1]; a pass-through id can only clash with an alias if it is one of the 16-digit
 * values in that thin top slice, i.e. starts with 90071992547… for any realistic `n`. Allocating
 * upward from 1 instead would collide with the first user id ever seen.
 *
 * That slice is still handled, so the map stays a bijection whatever KOOK does:
 * - a pass-through id whose number is already an alias gets an alias of its own;
 * - a pass-through id that falls in the reserved top window (`ALIAS_WINDOW` numbers, far more than
 *   any bot will allocate) is recorded when first seen, and the allocator skips its number, so an id
 *   never changes number once shown.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { ShardedMap } from '../util/sharded-map.js'

/** The first alias handed out, and the largest number any id maps to. */
export const ALIAS_TOP = Number.MAX_SAFE_INTEGER
/** Size of the window aliases are allocated from (2^32 aliases per kind per bot). */
export const ALIAS_WINDOW = 2 ** 32
/** The lowest number an alias can take; pass-through ids from here up are recorded. */
export const ALIAS_FLOOR = ALIAS_TOP - ALIAS_WINDOW + 1

/** Canonical decimal (no sign, no leading zero) of at most 16 digits; the value check follows. */
const CANONICAL_DECIMAL = /^(?:0|[1-9]\d{0,15})$/

/** Persists one new entry (alias or recorded pass-through) and the allocator position, durably. */
export type RecordAlias = (id: string, num: number, nextAlias: number) => void

export interface AliasSpaceState {
  /** Every alias and recorded pass-through, as `[id, number]`. */
  entries: Iterable<readonly [string, number]>
  /** The next number the allocator tries. @defaultValue ALIAS_TOP */
  nextAlias?: number
}

export class AliasSpace {
  /**
   * Sharded (src/util/sharded-map.ts): these grow with every user the bot sees, and a single Map
   * rehashes all of them in the one `numberFor` that crosses a power of two (~30 ms at 100k).
   */
  readonly #byId = new ShardedMap<string, number>(256)
  readonly #byNum = new ShardedMap<number, string>(256)
  readonly #record: RecordAlias | undefined
  #next: number

  constructor(state: AliasSpaceState = { entries: [] }, record?: RecordAlias) {
    for (const [id, num] of state.entries) {
      this.#byId.set(id, num)
      this.#byNum.set(num, id)
    }
    this.#next = state.nextAlias ?? ALIAS_TOP
    this.#record = record
  }

  /** Number of recorded entries (aliases and pass-throughs in the alias window). */
  get size(): number {
    return this.#byId.size
  }

  numberFor(id: string): number {
    const known = this.#byId.get(id)
    if (known !== undefined) return known
    if (typeof id !== 'string' || id === '') {
      throw new BridgeError(ErrorCode.BadParams, 'an id must be a non-empty string', { details: { id } })
    }
    if (CANONICAL_DECIMAL.test(id)) {
      const num = Number(id)
      if (num < ALIAS_FLOOR) return num
      if (num <= ALIAS_TOP && !this.#byNum.has(num)) {
        this.#add(id, num, this.#next)
        return num
      }
    }
    return this.#allocate(id)
  }

  idFor(num: number): string {
    const id = this.#byNum.get(num)
    if (id !== undefined) return id
    if (!Number.isSafeInteger(num) || num < 0) {
      throw new BridgeError(ErrorCode.BadParams, `${String(num)} is not a number any id maps to`, {
        details: { num },
      })
    }
    // Not an alias and not recorded: the pass-through number of the id spelled the same way.
    return String(num)
  }

  #allocate(id: string): number {
    let num = this.#next
    while (this.#byNum.has(num)) num--
    if (num < ALIAS_FLOOR) {
      throw new BridgeError(ErrorCode.Internal, 'alias space exhausted', { details: { id } })
    }
    this.#add(id, num, num - 1)
    this.#next = num - 1
    return num
  }

  /** Persists first: an alias that was shown but not stored could be handed to another id later. */
  #add(id: string, num: number, nextAlias: number): void {
    this.#record?.(id, num, nextAlias)
    this.#byId.set(id, num)
    this.#byNum.set(num, id)
  }
}
