/**
 * Puts gateway events back into sn order.
 *
 * KOOK numbers the events of a session 1, 2, 3, … but may deliver them out of order or twice, and after a
 * resume it replays what the last PING did not acknowledge (kook.md §1 "sn rules"). So:
 * - `sn === last + 1` → deliver, then deliver every buffered successor that is now contiguous;
 * - `sn <= last` (or already buffered) → a duplicate, dropped;
 * - `sn > last + 1` → wait in a bounded buffer for the gap to fill.
 * A gap that never fills must not stall the stream forever (alemonjs drops everything after one gap,
 * kook.md §8.2): when the buffer overflows, or the oldest gap stays open for `timeoutMs`, the gap is
 * skipped, reported through `onGap`, and the buffered events after it are delivered in order. The timeout
 * measures time without progress: whenever the oldest gap shrinks, it starts again.
 *
 * `last` is the last *processed* sn: exactly what the PING must carry so KOOK retransmits the gaps
 * (pinging with the highest *received* sn suppresses that replay, kook.md §8.5).
 */
export type SequencePush = 'delivered' | 'buffered' | 'duplicate'

export interface SequenceBufferOptions<T> {
  /** Most events held while a gap is open; one more skips the oldest gap. */
  capacity: number
  /** How long the oldest gap may stay open before it is skipped. */
  timeoutMs: number
  /** Receives events strictly in sn order. Must not throw. */
  deliver: (item: T, sn: number) => void
  /** Told how many sns were given up when a gap is skipped. */
  onGap: (skipped: number) => void
}

export class SequenceBuffer<T extends object> {
  readonly #options: SequenceBufferOptions<T>
  readonly #pending = new Map<number, T>()
  #last = 0
  #timer: NodeJS.Timeout | undefined
  /** Bumped by `reset`, so a drain interrupted by a reset (from inside `deliver`) stops at once. */
  #epoch = 0

  constructor(options: SequenceBufferOptions<T>) {
    this.#options = options
  }

  /** The last processed sn (0 before the first event of a session). */
  get last(): number {
    return this.#last
  }

  /** Events waiting for a gap to fill. */
  get buffered(): number {
    return this.#pending.size
  }

  push(sn: number, item: T): SequencePush {
    if (sn <= this.#last || this.#pending.has(sn)) return 'duplicate'
    if (sn === this.#last + 1) {
      this.#last = sn
      this.#options.deliver(item, sn)
      if (this.#pending.size > 0) this.#drain()
      return 'delivered'
    }
    this.#pending.set(sn, item)
    if (this.#pending.size > this.#options.capacity) this.#skipOldestGap()
    else if (this.#timer === undefined) this.#arm()
    return 'buffered'
  }

  /**
   * Forgets every buffered event and restarts numbering after `last`: 0 for a fresh session (KOOK restarts
   * at sn 1, kook.md §8.2), the persisted sn when resuming. Returns how many buffered events were dropped.
   */
  reset(last = 0): number {
    const dropped = this.#pending.size
    this.#pending.clear()
    this.#disarm()
    this.#last = last
    this.#epoch++
    return dropped
  }

  /** Stops the gap timer; buffered events stay until the next `reset`. */
  close(): void {
    this.#disarm()
  }

  /** Delivers buffered successors of `last`; the oldest gap just shrank, so its timeout starts again. */
  #drain(): void {
    const epoch = this.#epoch
    let next = this.#last + 1
    let item = this.#pending.get(next)
    while (item !== undefined) {
      this.#pending.delete(next)
      this.#last = next
      this.#options.deliver(item, next)
      if (epoch !== this.#epoch) return
      next++
      item = this.#pending.get(next)
    }
    if (this.#pending.size === 0) this.#disarm()
    else this.#arm()
  }

  #skipOldestGap(): void {
    let oldest = Number.POSITIVE_INFINITY
    for (const sn of this.#pending.keys()) if (sn < oldest) oldest = sn
    if (oldest === Number.POSITIVE_INFINITY) return
    const skipped = oldest - this.#last - 1
    this.#last = oldest - 1
    const epoch = this.#epoch
    this.#options.onGap(skipped)
    if (epoch === this.#epoch) this.#drain()
  }

  #arm(): void {
    this.#disarm()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#skipOldestGap()
    }, this.#options.timeoutMs)
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }
}
