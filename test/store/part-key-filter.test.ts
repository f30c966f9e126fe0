import { describe, expect, it } from 'vitest'
import { hash53 } from '../../src/store/hash53.js'
import { PartKeyFilter } from '../../src/store/part-key-filter.js'

const keys = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => hash53(`${prefix}-${i}`))

describe('PartKeyFilter', () => {
  it('never forgets a key, also after growing well past its first segment', () => {
    const filter = new PartKeyFilter()
    const added = keys('added', 300_000)
    for (const key of added) filter.add(key)
    expect(filter.size).toBe(300_000)
    expect(added.every((key) => filter.mightContain(key))).toBe(true)
    expect(filter.mightContain(0)).toBe(false)
  })

  it('says "no" for nearly every key it was not given', () => {
    const filter = new PartKeyFilter(100_000)
    for (const key of keys('added', 100_000)) filter.add(key)
    const unseen = keys('unseen', 100_000)
    const falsePositives = unseen.filter((key) => filter.mightContain(key)).length
    // Sized for ≤ 0.4% at capacity; each false positive costs one index query, never a wrong answer.
    expect(falsePositives / unseen.length).toBeLessThan(0.02)
  })

  it('handles the extremes of the 53-bit key range', () => {
    const filter = new PartKeyFilter()
    for (const key of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) filter.add(key)
    for (const key of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(filter.mightContain(key)).toBe(true)
    }
  })
})
