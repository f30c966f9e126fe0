import { afterEach, describe, expect, it, vi } from 'vitest'
import { SelfFilter } from '../../../src/kook/ingress/self-filter.js'
import { Metrics } from '../../../src/util/metrics.js'

const SELF = '1234567'
const own = (nonce?: string) => ({
  type: 9,
  channel_type: 'GROUP',
  author_id: SELF,
  msg_id: `own-${nonce ?? 'x'}`,
  content: 'pong',
  ...(nonce === undefined ? {} : { nonce }),
})
const user = { type: 9, channel_type: 'GROUP', author_id: '7654321', msg_id: 'u1', content: 'ping' }

const filters: SelfFilter[] = []
function make(options: Partial<ConstructorParameters<typeof SelfFilter>[0]> = {}) {
  const filter = new SelfFilter({ selfId: SELF, ...options })
  filters.push(filter)
  return filter
}

afterEach(() => {
  for (const f of filters.splice(0)) f.close()
  vi.useRealTimers()
})

describe('SelfFilter', () => {
  it("drops the bot's own messages by default and counts them", () => {
    const metrics = new Metrics()
    const filter = make({ metrics })
    expect(filter.observe(own())).toBe('drop')
    expect(filter.observe(user)).toBe('deliver')
    expect(metrics.value('kook_self_messages_dropped_total')).toBe(1)
  })

  it("keeps the bot's own messages in keep mode", () => {
    expect(make({ mode: 'keep' }).observe(own())).toBe('deliver')
  })

  it('never drops system events, even when they name the bot', () => {
    const filter = make()
    expect(filter.observe({ type: 255, channel_type: 'PERSON', author_id: SELF, extra: {} })).toBe('deliver')
  })

  it("drops other bots' messages only when asked", () => {
    const bot = { ...user, extra: { author: { id: '42', bot: true } } }
    expect(make().observe(bot)).toBe('deliver')
    expect(make({ otherBots: 'drop' }).observe(bot)).toBe('drop')
  })

  it('resolves awaitEcho when the echo arrives after the call', async () => {
    const filter = make()
    const echo = filter.awaitEcho('n-1', 1_000)
    filter.observe(own('n-2'))
    filter.observe(own('n-1'))
    expect(await echo).toMatchObject({ nonce: 'n-1', msg_id: 'own-n-1' })
  })

  it('resolves awaitEcho when the echo came before the send returned', async () => {
    const filter = make()
    filter.observe(own('early'))
    expect(await filter.awaitEcho('early', 1_000)).toMatchObject({ nonce: 'early' })
    // claimed once: a second wait for the same nonce finds nothing left
    vi.useFakeTimers()
    const again = filter.awaitEcho('early', 50)
    vi.advanceTimersByTime(50)
    expect(await again).toBeUndefined()
  })

  it('forgets early echoes after echoMemoryMs, using its clock (no timers)', async () => {
    let now = 1_000
    const filter = make({ echoMemoryMs: 100, now: () => now })
    filter.observe(own('old'))
    now += 101
    vi.useFakeTimers()
    const late = filter.awaitEcho('old', 10)
    vi.advanceTimersByTime(10)
    expect(await late).toBeUndefined()
  })

  it('resolves undefined on timeout and leaves no timer behind', async () => {
    vi.useFakeTimers()
    const filter = make()
    const echo = filter.awaitEcho('never', 500)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(500)
    expect(await echo).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
    const resolved = filter.awaitEcho('soon', 500)
    filter.observe(own('soon'))
    await resolved
    expect(vi.getTimerCount()).toBe(0)
  })

  it('close() releases pending waits', async () => {
    vi.useFakeTimers()
    const filter = make()
    const echo = filter.awaitEcho('pending', 10_000)
    filter.close()
    expect(await echo).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('remembers a bounded number of unclaimed echoes', async () => {
    vi.useFakeTimers()
    const filter = make({ echoMemorySize: 2 })
    filter.observe(own('a'))
    filter.observe(own('b'))
    filter.observe(own('c'))
    const a = filter.awaitEcho('a', 10)
    vi.advanceTimersByTime(10)
    expect(await a).toBeUndefined()
    expect(await filter.awaitEcho('c', 10)).toMatchObject({ nonce: 'c' })
  })
})
