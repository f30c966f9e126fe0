/**
 * A bounded FIFO of encoded event frames for one consumer: the buffer that holds events while the
 * consumer is down, handshaking or slow. Full → the oldest frame is dropped (a consumer that comes back
 * wants recent events most) and `push` reports it so the owner counts it. A ring buffer: O(1) per frame,
 * no array shifting under load.
 */
export class EventQueue {
  readonly #capacity: number
  readonly #items: Array<string | undefined>
  #head = 0
  #size = 0

  constructor(capacity: number) {
    this.#capacity = Math.max(0, capacity)
    this.#items = new Array<string | undefined>(this.#capacity)
  }

  get size(): number {
    return this.#size
  }

  get capacity(): number {
    return this.#capacity
  }

  /** Appends a frame; returns how many frames were dropped to make room (0 or 1). */
  push(frame: string): number {
    if (this.#capacity === 0) return 1
    if (this.#size === this.#capacity) {
      this.#items[this.#head] = frame
      this.#head = (this.#head + 1) % this.#capacity
      return 1
    }
    this.#items[(this.#head + this.#size) % this.#capacity] = frame
    this.#size++
    return 0
  }

  shift(): string | undefined {
    if (this.#size === 0) return undefined
    const frame = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) % this.#capacity
    this.#size--
    return frame
  }

  clear(): void {
    this.#items.fill(undefined)
    this.#head = 0
    this.#size = 0
  }
}
