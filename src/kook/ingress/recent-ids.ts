/**
 * A bounded "have I seen this id recently?" set, used to drop events KOOK delivers twice.
 *
 * KOOK resends an event after a resume (sometimes under a new sn) and retries webhook deliveries up to
 * five times, so sn alone is no identity: `d.msg_id` is. A ring of the last `capacity` ids plus a Set
 * gives O(1) checks with no allocation per id once the ring is full (no iterator to find the oldest).
 */
export class RecentIds {
  readonly #ring: Array<string | undefined>
  readonly #set = new Set<string>()
  #next = 0

  /** @param capacity how many ids are remembered; the oldest is forgotten first. */
  constructor(capacity: number) {
    this.#ring = new Array<string | undefined>(Math.max(1, Math.floor(capacity)))
  }

  /** Records `id`. Returns false when it was already remembered (a duplicate). */
  add(id: string): boolean {
    if (this.#set.has(id)) return false
    const evicted = this.#ring[this.#next]
    if (evicted !== undefined) this.#set.delete(evicted)
    this.#ring[this.#next] = id
    this.#next = (this.#next + 1) % this.#ring.length
    this.#set.add(id)
    return true
  }

  has(id: string): boolean {
    return this.#set.has(id)
  }

  get size(): number {
    return this.#set.size
  }

  clear(): void {
    this.#set.clear()
    this.#ring.fill(undefined)
    this.#next = 0
  }
}
