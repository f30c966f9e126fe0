import { describe, expect, it } from 'vitest'
import { BucketQueue } from '../../../src/kook/api/bucket-queue.js'

describe('BucketQueue', () => {
  it('gives a free turn at once, and never lets tryEnter jump the callers already waiting', async () => {
    const queue = new BucketQueue()
    const order: string[] = []
    expect(queue.tryEnter()).toBe(true)
    const second = queue.wait().then(() => order.push('second'))
    // Held, with a waiter: a latecomer must queue behind it, not slip in when the turn is handed over.
    expect(queue.tryEnter()).toBe(false)
    const third = queue.wait().then(() => order.push('third'))
    expect(queue.pending).toBe(3)

    queue.shift()
    await second
    expect(queue.tryEnter()).toBe(false)
    queue.shift()
    await third
    queue.shift()
    expect(order).toEqual(['second', 'third'])
    expect(queue.pending).toBe(0)
    expect(queue.tryEnter()).toBe(true)
  })
})
