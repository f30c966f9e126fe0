import { describe, expect, it } from 'vitest'
import { ShardedMap, shardsFor } from '../../src/util/sharded-map.js'

/** Applies the same operations to a ShardedMap and a Map and checks they agree after every step. */
function differential<K extends string | number>(shards: number, ops: Array<['set' | 'delete', K]>) {
  const sharded = new ShardedMap<K, number>(shards)
  const plain = new Map<K, number>()
  ops.forEach(([op, key], i) => {
    if (op === 'set') {
      sharded.set(key, i)
      plain.set(key, i)
    } else {
      expect(sharded.delete(key)).toBe(plain.delete(key))
    }
    expect(sharded.size).toBe(plain.size)
    expect(sharded.get(key)).toBe(plain.get(key))
    expect(sharded.has(key)).toBe(plain.has(key))
  })
  const entries = [...sharded.entries()]
  expect(new Map(entries)).toEqual(plain)
  expect(entries).toHaveLength(plain.size)
  return sharded
}

/** A small deterministic generator: the same keys every run. */
function* lcg(seed: number): Generator<number> {
  let x = seed
  for (;;) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    yield x
  }
}

describe('ShardedMap', () => {
  it('behaves as a Map for string keys of every length, including empty and non-ASCII', () => {
    const random = lcg(7)
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      '频道',
      '🙂',
      '2418200002',
      'c1d4e0b7-5e4a-4c0e-9a8d-0f3b2a1c9e77',
    ]
    const ops: Array<['set' | 'delete', string]> = []
    for (let i = 0; i < 3_000; i++) {
      const r = random.next().value as number
      const key = r % 4 === 0 ? (keys[r % keys.length] as string) : `m-${r % 500}`
      ops.push([r % 3 === 0 ? 'delete' : 'set', key])
    }
    differential(64, ops)
  })

  it('behaves as a Map for number keys: sequential, negative, fractional, beyond 2^32', () => {
    const random = lcg(11)
    const ops: Array<['set' | 'delete', number]> = []
    for (let i = 0; i < 3_000; i++) {
      const r = random.next().value as number
      const key = [r % 700, -(r % 50), (r % 40) + 0.5, 2 ** 33 + (r % 30), Number.MAX_SAFE_INTEGER - (r % 5)][
        r % 5
      ] as number
      ops.push([r % 4 === 0 ? 'delete' : 'set', key])
    }
    differential(128, ops)
  })

  it('overwriting a key keeps the size and the newest value; clear empties every shard', () => {
    const map = new ShardedMap<number, string>(8)
    map.set(1, 'a').set(1, 'b').set(9, 'c')
    expect(map.size).toBe(2)
    expect(map.get(1)).toBe('b')
    expect(map.delete(1)).toBe(true)
    expect(map.delete(1)).toBe(false)
    expect(map.size).toBe(1)
    map.clear()
    expect(map.size).toBe(0)
    expect([...map]).toEqual([])
    expect(map.get(9)).toBeUndefined()
  })

  it('spreads KOOK-shaped keys over the shards (no shard holds several times its share)', () => {
    const shards = 128
    const uuids = new ShardedMap<string, true>(shards)
    const userIds = new ShardedMap<string, true>(shards)
    const numbers = new ShardedMap<number, true>(shards)
    // Only the second group varies: a hash of the last characters put every one in one shard.
    const middle = new ShardedMap<string, true>(shards)
    const random = lcg(3)
    for (let i = 0; i < 64_000; i++) {
      const hex = (random.next().value as number).toString(16).padStart(8, '0')
      uuids.set(`3f2c9a1e-77b0-4d21-8c5e-0000${hex}`, true)
      userIds.set(String(2_418_200_000 + i * 7), true)
      numbers.set(i + 1, true)
      middle.set(`kb-${i.toString(16).padStart(8, '0')}-4000-8000-000000000000`, true)
    }
    for (const map of [uuids, userIds, numbers, middle]) {
      const sizes = map.shardSizes()
      expect(sizes).toHaveLength(shards)
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(64_000)
      // Even share 500; a poor hash (say, the first characters, which these keys share) puts all in one.
      expect(Math.max(...sizes)).toBeLessThan(2 * (64_000 / shards))
    }
  })

  it('rejects a shard count that is not a power of two', () => {
    expect(() => new ShardedMap(3)).toThrow(/power of two/)
    expect(() => new ShardedMap(0)).toThrow(/power of two/)
  })

  it('sizes shards to about 512 keys, between 1 and 256', () => {
    expect(shardsFor(100)).toBe(1)
    expect(shardsFor(1_000)).toBe(1)
    expect(shardsFor(10_000)).toBe(32)
    expect(shardsFor(100_000)).toBe(256)
    expect(shardsFor(Number.POSITIVE_INFINITY)).toBe(256)
  })
})
