import { describe, expect, it } from 'vitest'
import { Metrics } from '../../src/util/metrics.js'

describe('Metrics', () => {
  it('renders counters and gauges as Prometheus text', () => {
    const m = new Metrics()
    m.inc('kook_events_total', { kind: 'message' })
    m.inc('kook_events_total', { kind: 'message' }, 2)
    m.set('queue_depth', 7)
    const text = m.render()
    expect(text).toContain('# TYPE kook_events_total counter')
    expect(text).toContain('kook_events_total{kind="message"} 3')
    expect(text).toContain('queue_depth 7')
  })

  it("keeps two bots' series apart through child views, without duplicating a label", () => {
    const root = new Metrics()
    const a = root.child({ bot: 'a' })
    const b = root.child({ bot: 'b' })
    a.inc('dropped_total')
    a.inc('dropped_total', { bot: 'a', reason: 'x' })
    b.inc('dropped_total', undefined, 5)
    expect(a.total('dropped_total')).toBe(2)
    expect(b.total('dropped_total')).toBe(5)
    expect(root.total('dropped_total')).toBe(7)
    const text = root.render()
    expect(text).toContain('dropped_total{bot="a"} 1')
    expect(text).toContain('dropped_total{bot="a",reason="x"} 1')
    expect(text).toContain('dropped_total{bot="b"} 5')
  })

  it('gives through a bound counter exactly the exposition inc gives, untouched counters left out', () => {
    const viaInc = new Metrics().child({ bot: 'a' })
    const viaCounter = new Metrics().child({ bot: 'a' })
    const steps: Array<[string, Record<string, string> | undefined, number]> = [
      ['events_total', { bot: 'a', type: 'message' }, 1],
      ['other_total', undefined, 1],
      ['events_total', { bot: 'a', type: 'notice.reaction' }, 4],
      ['events_total', { kind: 'say "hi"\\n' }, 2],
      ['events_total', { bot: 'a', type: 'message' }, 1],
    ]
    const bound = new Map<string, ReturnType<Metrics['counter']>>()
    const unused = viaCounter.counter('never_total', { bot: 'a' }, 'never incremented')
    for (const [name, labels, by] of steps) {
      viaInc.inc(name, labels, by, `help of ${name}`)
      const key = `${name} ${JSON.stringify(labels)}`
      if (!bound.has(key)) bound.set(key, viaCounter.counter(name, labels, `help of ${name}`))
      bound.get(key)?.inc(by)
    }
    expect(viaCounter.render()).toBe(viaInc.render())
    expect(viaCounter.render()).not.toContain('never_total')
    unused.inc()
    expect(viaCounter.value('never_total')).toBe(1)
  })
})
