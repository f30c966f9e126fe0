import { afterEach, describe, expect, it } from 'vitest'
import { type RunningDemo, startDemo } from '../../src/app/demo.js'
import { ConfigSchema } from '../../src/config/schema.js'
import { silentLogger } from '../../src/util/logger.js'

let demo: RunningDemo | undefined
afterEach(async () => {
  await demo?.stop()
  demo = undefined
})

describe('demo (npm start without a KOOK token)', () => {
  it('runs the simulator and shows events flowing through ingress and the OneBot endpoint', async () => {
    const lines: string[] = []
    const config = ConfigSchema.parse({
      store: 'memory',
      bots: [{ onebot: { enabled: true, forwardWs: { listen: '127.0.0.1:0' } } }],
    })
    demo = await startDemo({
      config,
      baseDir: process.cwd(),
      logger: silentLogger(),
      print: (line) => lines.push(line),
      intervalSeconds: 0,
    })
    const deadline = Date.now() + 10_000
    while (!lines.some((l) => l.includes('KOOK → bridge   message')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
    }
    const text = lines.join('\n')
    expect(text).toContain('simulated KOOK API')
    expect(text).toContain('OneBot v11 forward WS ws://127.0.0.1:')
    expect(text).toMatch(/KOOK → bridge {3}message {2}#\S+ {2}\S+: #ping/)
  })
})
