/**
 * The whole process: every configured bot, plus the metrics server. Bots start independently: one
 * bot with a refused token stops with a clear error while the others keep serving.
 */

import { BotRuntime } from '../bridge/bot-runtime.js'
import type { ListenAddress } from '../config/listen-address.js'
import type { Config } from '../config/schema.js'
import type { Logger } from '../util/logger.js'
import { Metrics } from '../util/metrics.js'
import type { MetricsServer } from './metrics-server.js'

export interface BridgeAppOptions {
  config: Config
  baseDir: string
  logger: Logger
  metrics?: Metrics
}

export class BridgeApp {
  readonly bots: BotRuntime[] = []
  readonly metrics: Metrics
  #metricsServer: MetricsServer | undefined
  metricsAddress: ListenAddress | undefined

  private constructor(metrics: Metrics) {
    this.metrics = metrics
  }

  static async start(options: BridgeAppOptions): Promise<BridgeApp> {
    const app = new BridgeApp(options.metrics ?? new Metrics())
    const { config, logger } = options
    try {
      for (const bot of config.bots) {
        const runtime = await BotRuntime.start({
          config: bot,
          store: config.store === 'memory' ? 'memory' : { dataDir: config.dataDir },
          baseDir: options.baseDir,
          logger,
          metrics: app.metrics,
        })
        app.bots.push(runtime)
      }
      if (config.metrics.listen) {
        // Imported only when configured: node:http's server stays out of a process that serves none.
        const { MetricsServer } = await import('./metrics-server.js')
        app.#metricsServer = new MetricsServer(app.metrics)
        app.metricsAddress = await app.#metricsServer.start(config.metrics.listen)
        logger.info({ address: app.metricsAddress }, 'metrics served at /metrics')
      }
    } catch (error) {
      await app.stop()
      throw error
    }
    return app
  }

  async stop(): Promise<void> {
    await Promise.all(this.bots.map((bot) => bot.stop()))
    await this.#metricsServer?.stop()
  }
}
