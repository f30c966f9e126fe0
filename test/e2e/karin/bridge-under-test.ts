/**
 * The full chain of the Karin end-to-end test and benchmark, on loopback: the KOOK simulator, one
 * kookbridge bot (BotRuntime, OneBot endpoint in Karin profile) and a real Karin from `KarinProject`.
 *
 * - `reverse`: Karin starts first (it is the server); kookbridge dials `ws://127.0.0.1:<port>/onebot/v11/ws`.
 * - `forward`: kookbridge listens on port 0 first, then Karin starts with `ws_client` pointing at it, so
 *   its first dial succeeds (a failed dial would cost Karin's 5 s reconnect delay).
 *
 * `ready` resolves once the KOOK gateway is connected and Karin has made its two handshake calls;
 * kookbridge itself holds events for the settle time after that (karin.md §7.5). kookbridge logs go to
 * `kookbridge.log` in the Karin project dir, next to Karin's own `karin.out`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BotRuntime } from '../../../src/bridge/bot-runtime.js'
import { BotSchema } from '../../../src/config/schema.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import type { SimRequestRecord } from '../../../src/kook/simulator/sim-api-server.js'
import { createLogger } from '../../../src/util/logger.js'
import { KarinProject } from './karin-project.js'

export type KarinTransport = 'reverse' | 'forward'

const WS_SERVER_TOKEN = 'e2e-reverse-token'
const FORWARD_TOKEN = 'e2e-forward-token'

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(what())
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export class BridgeUnderTest {
  readonly sim: KookSimulator
  readonly runtime: BotRuntime
  readonly karin: KarinProject
  readonly #logFile: string
  readonly #logStream: fs.WriteStream

  private constructor(init: {
    sim: KookSimulator
    runtime: BotRuntime
    karin: KarinProject
    logFile: string
    logStream: fs.WriteStream
  }) {
    this.sim = init.sim
    this.runtime = init.runtime
    this.karin = init.karin
    this.#logFile = init.logFile
    this.#logStream = init.logStream
  }

  /** `logLevel` is kookbridge's (default debug, for failure messages; the benchmark uses info, as deployed). */
  static async start(
    transport: KarinTransport,
    options: { logLevel?: 'debug' | 'info' } = {},
  ): Promise<BridgeUnderTest> {
    const cleanup: Array<() => Promise<void> | void> = []
    try {
      const sim = await KookSimulator.start()
      cleanup.push(() => sim.close())
      const karin = await KarinProject.create({ wsServerToken: WS_SERVER_TOKEN })
      cleanup.push(() => karin.dispose())
      const logFile = path.join(karin.dir, 'kookbridge.log')
      const logStream = fs.createWriteStream(logFile)
      cleanup.push(() => new Promise<void>((resolve) => logStream.end(resolve)))
      const logger = createLogger({ level: options.logLevel ?? 'debug', destination: logStream })
      const onebot =
        transport === 'reverse'
          ? {
              enabled: true,
              reverseWs: [
                { url: karin.reverseWsUrl, accessToken: WS_SERVER_TOKEN, reconnectIntervalMs: 100 },
              ],
              fileRoots: [karin.assetDir],
            }
          : {
              enabled: true,
              accessToken: FORWARD_TOKEN,
              forwardWs: { listen: '127.0.0.1:0' },
              fileRoots: [karin.assetDir],
            }
      const config = BotSchema.parse({ token: sim.token, apiBase: sim.apiBase, onebot })
      if (transport === 'reverse') await karin.start()
      const runtime = await BotRuntime.start({ config, store: 'memory', logger })
      cleanup.push(() => runtime.stop())
      if (transport === 'forward') {
        const port = runtime.endpoints.onebot?.addresses().forwardWs?.port
        if (port === undefined) throw new Error('kookbridge did not open its forward WS server')
        // Known only now that kookbridge listens; Karin dials it as soon as it starts.
        karin.setWsClients([{ url: `ws://127.0.0.1:${port}`, token: FORWARD_TOKEN }])
        await karin.start()
      }
      const bridge = new BridgeUnderTest({ sim, runtime, karin, logFile, logStream })
      await bridge.#ready()
      return bridge
    } catch (error) {
      for (const fn of cleanup.reverse()) await fn()
      throw error
    }
  }

  async #ready(timeoutMs = 10_000): Promise<void> {
    await this.sim.waitForConnection(timeoutMs)
    // Karin calls exactly get_login_info and get_version_info on connect (karin.md §3).
    await until(
      () => this.runtime.metrics.total('kookbridge_onebot_actions_total') >= 2,
      timeoutMs,
      () => this.diagnose('Karin did not complete its OneBot handshake'),
    )
  }

  /** Karin's `WS_SERVER_AUTH_KEY`: another reverse WS client (the benchmark's) presents it too. */
  get wsServerToken(): string {
    return WS_SERVER_TOKEN
  }

  /** Karin's and kookbridge's output, and the simulator's recent API calls, for a failure message. */
  diagnose(reason: string): string {
    const read = (file: string) => {
      try {
        return fs.readFileSync(file, 'utf8')
      } catch {
        return ''
      }
    }
    const calls = this.sim.requests
      .slice(-12)
      .map((r) => `${r.route} ${JSON.stringify(r.params)} → ${r.status}/${r.code}`)
      .join('\n')
    return [
      reason,
      '--- KOOK API calls (last 12) ---',
      calls,
      '--- karin output (tail) ---',
      this.karin.output().slice(-3000),
      '--- kookbridge log (tail) ---',
      read(this.#logFile).slice(-3000),
    ].join('\n')
  }

  /** The first KOOK API call from index `from` on that matches, waiting for it. */
  async nextRequest(
    from: number,
    match: (record: SimRequestRecord) => boolean,
    what: string,
    timeoutMs = 5_000,
  ): Promise<SimRequestRecord> {
    let found: SimRequestRecord | undefined
    await until(
      () => {
        found = this.sim.requests.slice(from).find(match)
        return found !== undefined
      },
      timeoutMs,
      () => this.diagnose(`no KOOK API call within ${timeoutMs} ms: ${what}`),
    )
    return found as SimRequestRecord
  }

  /** Teardown in dependency order: kookbridge (its sockets), then Karin (process, dir), then the simulator. */
  async stop(): Promise<void> {
    try {
      await this.runtime.stop()
    } finally {
      try {
        await new Promise<void>((resolve) => this.#logStream.end(resolve))
        await this.karin.dispose()
      } finally {
        await this.sim.close()
      }
    }
  }
}
