import { describe, expect, it } from 'vitest'
import { hash53 } from '../../src/store/hash53.js'

describe('hash53', () => {
  it('is deterministic, a safe integer, and spreads similar ids apart', () => {
    const ids = Array.from(
      { length: 20_000 },
      (_, i) => `3f2b8a9e-1c4d-4e5f-8a6b-${String(i).padStart(12, '0')}`,
    )
    const hashes = ids.map((id) => hash53(id))
    expect(hashes.every((h) => Number.isSafeInteger(h) && h >= 0)).toBe(true)
    expect(new Set(hashes).size).toBe(ids.length)
    expect(hash53(ids[0] ?? '')).toBe(hashes[0])
    expect(hash53('a')).not.toBe(hash53('b'))
    expect(Math.max(...hashes)).toBeGreaterThan(2 ** 52)
  })
})
