// A stray console.* call in a test run is a bug: library code logs through pino (silenced in tests)
// or returns errors as data. Fail loudly so it gets fixed instead of scrolling past.
import { afterEach } from 'vitest'

const calls: string[] = []
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => {
    calls.push(`console.${method}: ${args.map(String).join(' ')}`)
  }
}

afterEach(() => {
  if (calls.length > 0) {
    const text = calls.splice(0).join('\n')
    throw new Error(`unexpected console output during test:\n${text}`)
  }
})
