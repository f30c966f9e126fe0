/**
 * Counters and gauges rendered as Prometheus text. Deliberately tiny: the hot path pays one Map lookup.
 * Every dropped, malformed or unmatched input increments a counter here, so nothing is lost silently.
 */
export type Labels = Readonly<Record<string, string>>

interface Series {
  help: string
  type: 'counter' | 'gauge'
  values: Map<string, number>
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return ''
  const keys = Object.keys(labels).sort()
  return keys.map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`).join(',')
}

export class Metrics {
  readonly #series = new Map<string, Series>()

  #get(name: string, type: Series['type'], help: string): Series {
    let series = this.#series.get(name)
    if (!series) {
      series = { help, type, values: new Map() }
      this.#series.set(name, series)
    }
    return series
  }

  /** Increments a counter. `help` is used the first time the name is seen. */
  inc(name: string, labels?: Labels, by = 1, help = name): void {
    const values = this.#get(name, 'counter', help).values
    const key = labelKey(labels)
    values.set(key, (values.get(key) ?? 0) + by)
  }

  set(name: string, value: number, labels?: Labels, help = name): void {
    this.#get(name, 'gauge', help).values.set(labelKey(labels), value)
  }

  /** Current value (0 when never touched). */
  value(name: string, labels?: Labels): number {
    return this.#series.get(name)?.values.get(labelKey(labels)) ?? 0
  }

  /** Sum over every label set of a series. */
  total(name: string): number {
    let sum = 0
    for (const v of this.#series.get(name)?.values.values() ?? []) sum += v
    return sum
  }

  render(): string {
    const lines: string[] = []
    for (const [name, series] of this.#series) {
      lines.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`)
      for (const [key, value] of series.values)
        lines.push(key ? `${name}{${key}} ${value}` : `${name} ${value}`)
    }
    return `${lines.join('\n')}\n`
  }
}
