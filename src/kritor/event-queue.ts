/**
 * A bounded FIFO of encoded events for one stream (the kritor twin of onebot/event-queue.ts, holding
 * bytes instead of JSON text). Full → the oldest event is dropped and `push` says so, for the owner to
 * count: a client that comes back from a stall wants recent events most. A ring buffer: O(1) per event,
 * no array shifting under load. The buffers are shared with every other stream (encoded once), so a
 * full queue costs `capacity` references, not copies.
 *
 * Storage grows on demand (doubling up to `capacity`) and shrinks back once drained: an idle stream
 * costs a few slots, not `capacity` of them.
 */
const INITIAL_SLOTS = 8

export class EventQueue {
  readonly #capacity: number
  #items: Array<Buffer | undefined> = []
  #head = 0
  #size = 0

  constructor(capacity: number) {
    this.#capacity = Math.max(0, capacity)
  }

  get size(): number {
    return this.#size
  }

  get capacity(): number {
    return this.#capacity
  }

  /** Appends an event; returns how many events were dropped to make room (0 or 1). */
  push(bytes: Buffer): number {
    if (this.#capacity === 0) return 1
    if (this.#size === this.#items.length && this.#size < this.#capacity) this.#grow()
    const slots = this.#items.length
    if (this.#size === this.#capacity) {
      this.#items[this.#head] = bytes
      this.#head = (this.#head + 1) % slots
      return 1
    }
    this.#items[(this.#head + this.#size) % slots] = bytes
    this.#size++
    return 0
  }

  shift(): Buffer | undefined {
    if (this.#size === 0) return undefined
    const bytes = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) % this.#items.length
    this.#size--
    if (this.#size === 0 && this.#items.length > INITIAL_SLOTS) this.clear()
    return bytes
  }

  clear(): void {
    this.#items = []
    this.#head = 0
    this.#size = 0
  }

  #grow(): void {
    const slots = Math.min(this.#capacity, Math.max(INITIAL_SLOTS, this.#items.length * 2))
    const items = new Array<Buffer | undefined>(slots)
    for (let i = 0; i < this.#size; i++) items[i] = this.#items[(this.#head + i) % this.#items.length]
    this.#items = items
    this.#head = 0
  }
}
