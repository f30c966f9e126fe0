/**
 * A Map split into many small Maps by a cheap hash of the key, so no single operation ever pays for
 * rehashing a large table.
 *
 * Why: a V8 Map is one hash table. It rehashes all of its entries when it grows past a power of two,
 * and, under churn (an LRU at its bound: one delete and one insert per message), whenever the deleted
 * slots fill the table, which happens every few ten thousand operations at a steady size. That one
 * `set` then takes time proportional to the whole map: measured on Node 20 here, 25–31 ms at 100,000
 * string keys and ~8 ms at 20,000, landing on one event. In the kritor pipeline bench the message
 * cache's two 100k maps rehashed together and held the bridge's loop for 47 ms, the largest single
 * stall of the latency run. Split into `shards` maps, the same work comes in pieces 1/shards the size
 * (the shards fill evenly, so they rehash one after another over consecutive operations, each one
 * small). The total work is unchanged. Per call: one array load, plus for a string key a hash over
 * its code units (~30 ns for a 36-character msg_id; store bench CPU per message unchanged).
 *
 * Keys are numbers or strings. Numbers shard by their low bits (message numbers are sequential);
 * strings by FNV-1a over every code unit. Iteration order is per shard, not insertion order: callers
 * that need an order keep it themselves (LruMap does).
 */
export type ShardKey = string | number

/** Shards for a map expected to hold up to `entries` keys: about 512 keys per shard, 1–256 shards. */
export function shardsFor(entries: number): number {
  if (!(entries > 1024)) return 1
  const wanted = Number.isFinite(entries) ? entries / 512 : 256
  let shards = 1
  while (shards < wanted && shards < 256) shards *= 2
  return shards
}

function shardOf(key: ShardKey, mask: number, shift: number): number {
  if (typeof key === 'number') return key & mask
  // FNV-1a over every code unit: any position may be the one that varies (the kritor bench's ids
  // differ only in their second group, UUIDs everywhere, numeric ids at the end). ~1 ns per unit,
  // and V8 reads the whole string to hash it for the Map anyway. The top bits of the product pick
  // the shard: they are the best mixed.
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return (hash >>> shift) & mask
}

export class ShardedMap<K extends ShardKey, V> {
  /** Created on first write: 256 empty Maps would be ~40 KB of idle heap per map. */
  readonly #shards: Array<Map<K, V> | undefined>
  readonly #mask: number
  /** 32 − log2(shards): the hash's top bits (0 with one shard, where the mask alone gives 0). */
  readonly #shift: number
  #size = 0

  /** @param shards a power of two (see `shardsFor`); 1 is a plain Map behind one more call. */
  constructor(shards = 1) {
    if (!Number.isInteger(shards) || shards < 1 || (shards & (shards - 1)) !== 0) {
      throw new RangeError(`shards must be a power of two, got ${shards}`)
    }
    this.#mask = shards - 1
    this.#shift = shards === 1 ? 0 : 32 - Math.log2(shards)
    this.#shards = new Array<Map<K, V> | undefined>(shards).fill(undefined)
  }

  get size(): number {
    return this.#size
  }

  get(key: K): V | undefined {
    return this.#shards[shardOf(key, this.#mask, this.#shift)]?.get(key)
  }

  has(key: K): boolean {
    return this.#shards[shardOf(key, this.#mask, this.#shift)]?.has(key) ?? false
  }

  set(key: K, value: V): this {
    const index = shardOf(key, this.#mask, this.#shift)
    let shard = this.#shards[index]
    if (shard === undefined) {
      shard = new Map<K, V>()
      this.#shards[index] = shard
    }
    const before = shard.size
    shard.set(key, value)
    this.#size += shard.size - before
    return this
  }

  delete(key: K): boolean {
    const deleted = this.#shards[shardOf(key, this.#mask, this.#shift)]?.delete(key) ?? false
    if (deleted) this.#size--
    return deleted
  }

  clear(): void {
    this.#shards.fill(undefined)
    this.#size = 0
  }

  /** Entries per shard, for diagnostics: an even spread is the point of the hash. */
  shardSizes(): number[] {
    return this.#shards.map((shard) => shard?.size ?? 0)
  }

  /** Every entry, shard by shard (not in insertion order). */
  *entries(): IterableIterator<[K, V]> {
    for (const shard of this.#shards) if (shard !== undefined) yield* shard.entries()
  }

  *keys(): IterableIterator<K> {
    for (const shard of this.#shards) if (shard !== undefined) yield* shard.keys()
  }

  *values(): IterableIterator<V> {
    for (const shard of this.#shards) if (shard !== undefined) yield* shard.values()
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries()
  }
}
