import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SequenceBuffer } from '../../../src/kook/ingress/sequence-buffer.js'

function buffer(capacity = 50, timeoutMs = 1_000) {
  const delivered: number[] = []
  const gaps: number[] = []
  const seq = new SequenceBuffer<{ sn: number }>({
    capacity,
    timeoutMs,
    deliver: (item, sn) => {
      expect(item.sn).toBe(sn)
      delivered.push(sn)
    },
    onGap: (n) => gaps.push(n),
  })
  const push = (...sns: number[]) => sns.map((sn) => seq.push(sn, { sn }))
  return { seq, delivered, gaps, push }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('SequenceBuffer', () => {
  it('delivers in order, buffers ahead of a gap and drops what it has already seen', () => {
    const { seq, delivered, push } = buffer()
    expect(push(1, 3, 4, 3, 2, 2, 1)).toEqual([
      'delivered',
      'buffered',
      'buffered',
      'duplicate',
      'delivered',
      'duplicate',
      'duplicate',
    ])
    expect(delivered).toEqual([1, 2, 3, 4])
    expect(seq.last).toBe(4)
    expect(seq.buffered).toBe(0)
  })

  it('any arrival order of a window of sns comes out sorted and complete (no loss, no duplicate)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          [...Array(40).keys()].map((i) => i + 1),
          { minLength: 40 },
        ),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }),
        (order, repeats) => {
          const { delivered, seq, push } = buffer(100)
          push(...order, ...repeats)
          seq.close()
          expect(delivered).toEqual([...Array(40).keys()].map((i) => i + 1))
        },
      ),
    )
  })

  it('skips the oldest gap after the timeout without progress, then waits again for the next one', () => {
    vi.useFakeTimers()
    const { delivered, gaps, push, seq } = buffer(50, 100)
    push(1, 3, 6)
    vi.advanceTimersByTime(99)
    expect(delivered).toEqual([1])
    vi.advanceTimersByTime(1)
    expect(delivered).toEqual([1, 3])
    expect(gaps).toEqual([1])
    vi.advanceTimersByTime(50)
    push(4) // progress on the next gap restarts its clock
    vi.advanceTimersByTime(99)
    expect(delivered).toEqual([1, 3, 4])
    vi.advanceTimersByTime(1)
    expect(delivered).toEqual([1, 3, 4, 6])
    expect(gaps).toEqual([1, 1])
    expect(vi.getTimerCount()).toBe(0)
    seq.close()
  })

  it('skips the oldest gap as soon as the buffer overflows', () => {
    const { delivered, gaps, push } = buffer(2)
    push(3, 5)
    expect(delivered).toEqual([])
    push(7) // three waiting > capacity 2: give up 1–2
    expect(delivered).toEqual([3])
    expect(gaps).toEqual([2])
  })

  it('reset() forgets the buffer, stops the timer and renumbers', () => {
    vi.useFakeTimers()
    const { seq, delivered, push } = buffer(50, 100)
    push(1, 2, 5)
    expect(seq.reset(0)).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
    push(1)
    expect(delivered).toEqual([1, 2, 1])
    seq.reset(41) // a resumed session continues after its persisted sn
    push(41, 42)
    expect(delivered).toEqual([1, 2, 1, 42])
  })

  it('stops draining when deliver resets it midway', () => {
    const delivered: number[] = []
    const seq: SequenceBuffer<object> = new SequenceBuffer({
      capacity: 10,
      timeoutMs: 1_000,
      deliver: (_item, sn) => {
        delivered.push(sn)
        if (sn === 2) seq.reset(0)
      },
      onGap: () => {},
    })
    seq.push(2, {})
    seq.push(3, {})
    seq.push(1, {})
    expect(delivered).toEqual([1, 2])
    expect(seq.buffered).toBe(0)
  })
})
