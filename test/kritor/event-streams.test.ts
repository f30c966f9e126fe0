import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import { EventQueue } from '../../src/kritor/event-queue.js'
import { channelMessage } from './support/bridge-events.js'
import { connect, startEndpoint } from './support/endpoint-harness.js'

const LISTEN = 'kritor.event.EventService/RegisterActiveListener'
const MB = 1024 * 1024

function makeGc(): () => void {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  return () => {
    gc()
    gc()
  }
}

describe('EventQueue', () => {
  it('drops the oldest event when full and says so', () => {
    const queue = new EventQueue(2)
    const [a, b, c] = ['a', 'b', 'c'].map((s) => Buffer.from(s)) as [Buffer, Buffer, Buffer]
    expect([queue.push(a), queue.push(b), queue.push(c)]).toEqual([0, 0, 1])
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual([b, c, undefined])
  })

  it('grows on demand up to its capacity and keeps FIFO order across the wrap', () => {
    const queue = new EventQueue(20)
    const items = Array.from({ length: 25 }, (_, i) => Buffer.from([i]))
    const dropped = items.reduce((n, item) => n + queue.push(item), 0)
    expect([dropped, queue.size]).toEqual([5, 20])
    const out: number[] = []
    for (let b = queue.shift(); b !== undefined; b = queue.shift()) out.push(b[0] ?? -1)
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i + 5))
  })
})

describe('event streams under backpressure', () => {
  it('a client that stops reading costs at most its queue, and the others keep receiving everything', async () => {
    const queueSize = 64
    const { client, hub, endpoint, metrics } = await startEndpoint({ queueSize })
    const stalledClient = connect(endpoint)
    const healthy = client.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' }, undefined, { keep: false })
    const stalled = stalledClient.stream(LISTEN, { type: 'EVENT_TYPE_MESSAGE' }, undefined, { keep: false })
    await vi.waitFor(() => expect(endpoint.streamStats()).toHaveLength(2), { timeout: 3_000, interval: 5 })
    // The framework stops reading: grpc-js stops pulling from HTTP/2, the window fills, and the
    // server's write() starts returning false.
    stalled.call.pause()

    const gc = makeGc()
    gc()
    const used = () => {
      const m = process.memoryUsage()
      // Encoded events are Buffers: external memory, not V8 heap.
      return m.heapUsed + m.external
    }
    const heapBefore = used()
    const text = 'x'.repeat(4096)
    const total = 20_000
    const batch = 32
    let lastId = ''
    for (let sent = 0; sent < total; sent += batch) {
      for (let i = sent; i < sent + batch; i++) {
        lastId = `msg-${i}`
        hub.publish(channelMessage([{ type: 'text', text }], { messageId: lastId }))
      }
      // Pace at the healthy reader's speed: a burst bigger than its queue would drop for it too.
      await vi.waitFor(() => expect(healthy.count).toBe(sent + batch), { timeout: 5_000, interval: 1 })
    }
    gc()
    const heapGrowth = (used() - heapBefore) / MB

    const stats = endpoint.streamStats()
    const stalledStats = stats.find((s) => s.dropped > 0)
    const healthyStats = stats.find((s) => s !== stalledStats)
    expect(stalledStats?.queued).toBeLessThanOrEqual(queueSize)
    expect(stalledStats?.writable).toBe(false)
    expect(healthyStats?.dropped).toBe(0)
    // ~80 MB went to the healthy client; the stalled one holds a bounded few hundred KB of it.
    expect(stalledStats?.dropped).toBeGreaterThan(total - 2_000)
    expect(metrics.total('kookbridge_kritor_events_dropped_total')).toBe(stalledStats?.dropped)
    // Measured: ~9 MB (mostly the message index of 20,000 messages); ignoring write() === false: ~93 MB.
    expect(heapGrowth).toBeLessThan(20)

    // Back to reading: what waited is the newest, ending with the last event (drop-oldest policy).
    stalled.call.resume()
    await vi.waitFor(
      () =>
        expect((stalled.last?.['message'] as { message_id?: string } | undefined)?.message_id).toBe(lastId),
      { timeout: 5_000, interval: 5 },
    )
    expect(stalled.count).toBeLessThan(2_000)
    expect(healthy.count).toBe(total)
  }, 60_000)
})
