/**
 * The demo: what `npm start` runs when no KOOK token is configured. An embedded KOOK simulator on
 * loopback plays a short conversation over and over; kookbridge connects to it exactly as it would to
 * KOOK, with the OneBot v11 (and, when present, kritor) endpoints up, so a newcomer sees events flow
 * and can point Karin at it without a KOOK account.
 */
import { KritorSchema } from '../config/kritor-schema.js'
import { OneBotSchema } from '../config/onebot-schema.js'
import type { BotConfig, Config } from '../config/schema.js'
import { KookSimulator } from '../kook/simulator/kook-simulator.js'
import type { BridgeEvent } from '../model/bridge-event.js'
import type { Logger } from '../util/logger.js'
import { BridgeApp } from './bridge-app.js'

export interface DemoOptions {
  /** Endpoints and store settings; its bots' KOOK settings are replaced by the simulator's. */
  config: Config
  baseDir: string
  logger: Logger
  print: (line: string) => void
  /** Seconds between rounds of the scripted conversation; 0 plays it once. @defaultValue 15 */
  intervalSeconds?: number
}

/**
 * Endpoints the demo turns on when the configuration enables none: OneBot forward WS on the port
 * OneBot implementations conventionally use, and a reverse WS dialling Karin's default address.
 */
export const DEMO_ONEBOT = {
  enabled: true,
  forwardWs: { listen: '127.0.0.1:6700' },
  reverseWs: [{ url: 'ws://127.0.0.1:7777/onebot/v11/ws' }],
} as const

function demoBot(bot: BotConfig, sim: KookSimulator): BotConfig {
  const withKook: BotConfig = { ...bot, token: sim.token, apiBase: sim.apiBase, mode: 'ws' }
  if (!bot.onebot.enabled && !bot.kritor.enabled) {
    withKook.onebot = OneBotSchema.parse({ ...DEMO_ONEBOT, reverseWs: [...DEMO_ONEBOT.reverseWs] })
    withKook.kritor = KritorSchema.parse({ enabled: true })
  }
  return withKook
}

export interface RunningDemo {
  sim: KookSimulator
  app: BridgeApp
  stop(): Promise<void>
}

function describe(event: BridgeEvent): string {
  switch (event.type) {
    case 'message': {
      const where = event.scene === 'channel' ? `#${event.channelName ?? event.channelId}` : 'DM'
      return `message  ${where}  ${event.sender.name}: ${event.plainText.slice(0, 60)}`
    }
    case 'extension':
      return `${event.name}`
    default:
      return `${event.type}`
  }
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const { print } = options
  const sim = await KookSimulator.start({ logger: options.logger.child({ component: 'simulator' }) })
  // The demo always talks to the simulator, whatever the file says about KOOK.
  const [first] = options.config.bots
  if (first === undefined) throw new Error('no bot configured')
  const config: Config = {
    ...options.config,
    bots: [demoBot(first, sim)],
  }
  const app = await BridgeApp.start({ config, baseDir: options.baseDir, logger: options.logger })
  const [bot] = app.bots
  bot?.on('event', (event) => print(`  KOOK → bridge   ${describe(event)}`))
  sim.on('request', (request) => {
    if (request.route === 'message/create' || request.route === 'direct-message/create') {
      const content = String(request.params['content'] ?? '').slice(0, 60)
      print(`  framework → KOOK ${request.route}: ${content}`)
    } else if (request.route === 'message/delete') {
      print(`  framework → KOOK message/delete ${String(request.params['msg_id'])}`)
    }
  })

  print('')
  print('kookbridge demo: no KOOK token configured, so a KOOK simulator plays a conversation on loopback.')
  print(`  simulated KOOK API   ${sim.apiBase}   (token ${sim.token})`)
  const onebot = bot?.endpoints.onebot
  if (onebot) {
    const addresses = onebot.addresses()
    if (addresses.forwardWs) {
      print(`  OneBot v11 forward WS ws://${addresses.forwardWs.host}:${addresses.forwardWs.port}/`)
    }
    if (addresses.httpApi)
      print(`  OneBot v11 HTTP API   http://${addresses.httpApi.host}:${addresses.httpApi.port}/`)
    for (const upstream of config.bots[0]?.onebot.reverseWs ?? []) {
      print(`  OneBot v11 reverse WS → ${upstream.url}`)
    }
  }
  print('')
  print(
    'Point Karin at it: Karin listens for OneBot reverse WS on ws://127.0.0.1:7777/onebot/v11/ws by default,',
  )
  print('and kookbridge dials it; or add to @karinjs/config/adapter.json:')
  print('  { "onebot": { "ws_client": [ { "enable": true, "url": "ws://127.0.0.1:6700", "token": "" } ] } }')
  print('Then reply to "#ping" from a plugin and watch "framework → KOOK" lines. Ctrl-C stops.')
  print('')

  const channel = sim.world.channels.find((c) => c.type === 1)
  const humans = sim.world.users.filter((u) => !u.bot)
  const script = {
    name: 'demo',
    steps: [
      { post: { label: 'ping', content: '#ping', ...(channel ? { channelId: channel.id } : {}) } },
      { wait: 800 },
      { join: {} },
      { wait: 800 },
      { react: { message: 'ping', emoji: '👍', userId: humans[1]?.id ?? humans[0]?.id ?? '' } },
      { wait: 800 },
      { post: { content: 'hello from a DM', userId: humans[0]?.id ?? '' } },
    ],
  }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const round = async () => {
    if (stopped) return
    try {
      await sim.runScript(script as never)
    } catch (error) {
      // Stopping closes the simulator under a step that is waiting: that is the stop, not a failure.
      if (!stopped) options.logger.warn({ err: error }, 'demo script step failed')
    }
    if (!stopped && (options.intervalSeconds ?? 15) > 0) {
      timer = setTimeout(() => void round(), (options.intervalSeconds ?? 15) * 1000)
    }
  }
  // Events injected before the gateway session exists would reach nobody: wait for HELLO.
  const deadline = Date.now() + 10_000
  while (bot && !bot.online && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  void round()
  return {
    sim,
    app,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await app.stop()
      await sim.close()
    },
  }
}
