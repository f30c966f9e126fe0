import { describe, expect, it } from 'vitest'
import { LruMap } from '../../src/store/lru-map.js'

describe('LruMap', () => {
  it('evicts the least recently used entry, a read counting as use', () => {
    const evicted: string[] = []
    const lru = new LruMap<string, number>({ maxEntries: 2, onEvict: (key) => evicted.push(key) })
    lru.set('a', 1)
    lru.set('b', 2)
    expect(lru.get('a')).toBe(1)
    lru.set('c', 3)
    expect(evicted).toEqual(['b'])
    expect(lru.peek('b')).toBeUndefined()
    expect(lru.size).toBe(2)
  })

  it('bounds the total weight, keeping at least the entry just written', () => {
    const lru = new LruMap<string, string>({ maxEntries: 100, maxWeight: 10, weigh: (v) => v.length })
    lru.set('a', 'xxxx')
    lru.set('b', 'xxxx')
    lru.set('c', 'xxxx')
    expect(lru.peek('a')).toBeUndefined()
    expect(lru.weight).toBe(8)
    lru.set('huge', 'x'.repeat(50))
    expect(lru.size).toBe(1)
    expect(lru.peek('huge')).toBeDefined()
  })

  it('replaces a value in place and forgets deleted entries without calling onEvict', () => {
    const evicted: string[] = []
    const lru = new LruMap<string, number>({ maxEntries: 2, onEvict: (key) => evicted.push(key) })
    lru.set('a', 1)
    lru.set('a', 2)
    expect(lru.size).toBe(1)
    expect(lru.delete('a')).toBe(true)
    expect(lru.delete('a')).toBe(false)
    expect(evicted).toEqual([])
  })
})
