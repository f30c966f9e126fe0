/**
 * The whole bridge on the KOOK simulator with OneBot's HTTP API and HTTP POST turned on, and a real
 * HTTP server as the framework's POST receiver. Its answer to each event is `answer(event)`: a JSON
 * body (a quick operation), or undefined for 204. Torn down after each test.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, vi } from 'vitest'
import { BotRuntime } from '../../../src/bridge/bot-runtime.js'
import { BotSchema } from '../../../src/config/schema.js'
import { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'

export type WireEvent = Record<string, unknown>

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

export const waitFor = <T>(fn: () => T) => vi.waitFor(fn, { timeout: 5_000, interval: 10 })

async function receiver(answer: (event: WireEvent) => unknown) {
  const events: WireEvent[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WireEvent
      events.push(event)
      const reply = answer(event)
      if (reply === undefined) res.writeHead(204).end()
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  return { events, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/onebot` }
}

export interface SimOneBotOptions {
  /** Runs on the simulator before the bridge connects: what it posts is unknown to the bridge. */
  before?: (sim: KookSimulator) => void
  answer?: (event: WireEvent) => unknown
}

export async function startSimOneBot(options: SimOneBotOptions = {}) {
  const sim = await KookSimulator.start()
  cleanup.push(() => sim.close())
  options.before?.(sim)
  const post = await receiver(options.answer ?? (() => undefined))
  const config = BotSchema.parse({
    token: sim.token,
    apiBase: sim.apiBase,
    onebot: {
      enabled: true,
      heartbeatIntervalMs: 0,
      httpApi: { listen: '127.0.0.1:0' },
      httpPost: [{ url: post.url }],
    },
  })
  const runtime = await BotRuntime.start({ config, store: 'memory' })
  cleanup.push(() => runtime.stop())
  await sim.waitForConnection(5_000)
  const port = runtime.endpoints.onebot?.addresses().httpApi?.port
  if (port === undefined) throw new Error('the OneBot HTTP API did not start')

  /** A OneBot HTTP API call; answers the envelope. */
  async function call<T = unknown>(action: string, params: Record<string, unknown> = {}) {
    const res = await fetch(`http://127.0.0.1:${port}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    })
    return (await res.json()) as { status: string; retcode: number; data: T; message: string }
  }

  const channel = sim.world.channels.find((c) => c.type === 1)!
  const guild = sim.world.guilds.find((g) => g.id === channel.guild_id)!
  // Not the owner: KOOK refuses to kick an owner.
  const human = sim.world.users.find((u) => !u.bot && u.id !== guild.user_id)!
  /** Message events the receiver got, in order. */
  const messages = () => post.events.filter((e) => e['post_type'] === 'message')
  return { sim, runtime, call, events: post.events, messages, channel, guild, human }
}

export const requestsTo = (sim: KookSimulator, route: string) => sim.requests.filter((r) => r.route === route)
