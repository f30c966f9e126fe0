/**
 * A Map bounded by entry count and by an estimated weight, evicting the least recently used entry.
 * Keeps a long-running bridge's message cache flat instead of growing with every event.
 *
 * Recency is a doubly linked list beside the Map. The shorter trick (re-insert on hit, evict
 * `map.keys().next()`) is slow in V8 at this size: deleted slots stay in the hash table until it is
 * rehashed, and every "first key" lookup walks over them.
 */
import { ShardedMap, type ShardKey, shardsFor } from '../util/sharded-map.js'

export interface LruMapOptions<K, V> {
  /** Maximum number of entries. */
  maxEntries: number
  /** Maximum total weight; with `weigh`. @defaultValue Infinity */
  maxWeight?: number
  /** Estimated weight (bytes) of one entry. @defaultValue 1 per entry */
  weigh?: (value: V) => number
  /** Told about every entry pushed out by the bounds (not about `delete`). */
  onEvict?: (key: K, value: V) => void
}

interface Node<K, V> {
  key: K
  value: V
  weight: number
  /** Towards the least recently used end. */
  older: Node<K, V> | undefined
  /** Towards the most recently used end. */
  newer: Node<K, V> | undefined
}

export class LruMap<K extends ShardKey, V> {
  /** Sharded: one 100k-entry Map rehashed under churn in a single `set` (25–31 ms, sharded-map.ts). */
  readonly #map: ShardedMap<K, Node<K, V>>
  readonly #maxEntries: number
  readonly #maxWeight: number
  readonly #weigh: ((value: V) => number) | undefined
  readonly #onEvict: ((key: K, value: V) => void) | undefined
  #weight = 0
  #oldest: Node<K, V> | undefined
  #newest: Node<K, V> | undefined

  constructor(options: LruMapOptions<K, V>) {
    this.#maxEntries = options.maxEntries
    this.#map = new ShardedMap(shardsFor(options.maxEntries))
    this.#maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY
    this.#weigh = options.weigh
    this.#onEvict = options.onEvict
  }

  get size(): number {
    return this.#map.size
  }

  /** Total estimated weight of the entries held. */
  get weight(): number {
    return this.#weight
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const node = this.#map.get(key)
    if (node === undefined) return undefined
    this.#unlink(node)
    this.#append(node)
    return node.value
  }

  /** The most recently used key (undefined when empty). */
  get newestKey(): K | undefined {
    return this.#newest?.key
  }

  /** Returns the value without touching its recency. */
  peek(key: K): V | undefined {
    return this.#map.get(key)?.value
  }

  set(key: K, value: V): void {
    const weight = this.#weigh ? this.#weigh(value) : 1
    let node = this.#map.get(key)
    if (node === undefined) {
      node = { key, value, weight, older: undefined, newer: undefined }
      this.#map.set(key, node)
    } else {
      this.#weight -= node.weight
      node.value = value
      node.weight = weight
      this.#unlink(node)
    }
    this.#append(node)
    this.#weight += weight
    // Never evict the entry just written, even when it alone is over the weight bound.
    while (this.#map.size > 1 && (this.#map.size > this.#maxEntries || this.#weight > this.#maxWeight)) {
      const cold = this.#oldest
      if (cold === undefined) break
      this.#remove(cold)
      this.#onEvict?.(cold.key, cold.value)
    }
  }

  delete(key: K): boolean {
    const node = this.#map.get(key)
    if (node === undefined) return false
    this.#remove(node)
    return true
  }

  clear(): void {
    this.#map.clear()
    this.#weight = 0
    this.#oldest = undefined
    this.#newest = undefined
  }

  #remove(node: Node<K, V>): void {
    this.#map.delete(node.key)
    this.#weight -= node.weight
    this.#unlink(node)
  }

  #unlink(node: Node<K, V>): void {
    if (node.older === undefined) this.#oldest = node.newer
    else node.older.newer = node.newer
    if (node.newer === undefined) this.#newest = node.older
    else node.newer.older = node.older
    node.older = undefined
    node.newer = undefined
  }

  #append(node: Node<K, V>): void {
    node.older = this.#newest
    if (this.#newest === undefined) this.#oldest = node
    else this.#newest.newer = node
    this.#newest = node
  }
}
