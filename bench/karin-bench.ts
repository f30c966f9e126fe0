/**
 * Karin benchmark: what kookbridge adds to a real Karin 1.x round trip.
 *
 * One Karin process (reverse WS server, the e2e plugin's `#ping` → `pong`) serves two OneBot bots at once:
 * - via kookbridge: the KOOK simulator posts `#ping` in a channel → gateway → kookbridge → reverse WS →
 *   Karin → `send_group_msg` → kookbridge → HTTP `message/create`, timed until the simulator records the call;
 * - direct: a bare OneBot v11 side of our own (second reverse WS connection, another X-Self-ID) pushes a
 *   group `#ping` event, timed until Karin's `send_group_msg` frame arrives.
 * The measurements take turns (and turns at going first), back to back in one process, after a warm-up,
 * so machine load hits them alike. "Added" is the difference of the medians.
 *
 * Back to back, but not overlapping: a kookbridge round is timed until the simulator records the API
 * call, while kookbridge still has work in flight (reading the HTTP answer, answering Karin's call, the
 * echo of its own message coming back through the gateway). Each step therefore waits, event-driven (no
 * idle sleep), until its own trailing work is done before the next step starts; otherwise that work
 * landed in whatever measurement came next (mostly the direct one, which made "added" look smaller).
 *
 * Part of what is added is not kookbridge's work but the two KOOK hops any KOOK bot pays: the gateway
 * frame in and the HTTP API call out. A third, interleaved measurement times exactly those against a
 * second simulator with nothing attached but a bare `ws` client and a bare keep-alive `http.request`
 * (what kookbridge uses), and reports the rest as kookbridge's own share.
 *
 * Run alone: `npx tsx bench/karin-bench.ts` (prints a table).
 */
import http from 'node:http'
import { pathToFileURL } from 'node:url'
import { inflateSync } from 'node:zlib'
import WebSocket from 'ws'
import { KookSimulator } from '../src/kook/simulator/kook-simulator.js'
import { BridgeUnderTest } from '../test/e2e/karin/bridge-under-test.js'
import { type BenchRow, renderBenchTable } from './bench-row.js'

const SECTION = 'karin'
const ROUNDS = 200
const WARMUP = 30
const ROUND_TIMEOUT_MS = 5_000
/** The direct bot's OneBot ids (far from kookbridge's, so the two never mix in Karin). */
const DIRECT_SELF_ID = 10_001
const DIRECT_GROUP_ID = 123_456
const DIRECT_USER_ID = 20_002
/** Karin attaches its listener a few microtasks after the handshake replies (karin.md §7.5). */
const SETTLE_MS = 50

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[index] ?? Number.NaN
}

/** Resolves once `check()` holds, testing once per event-loop turn: event-driven, never an idle sleep. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + ROUND_TIMEOUT_MS
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`karin bench: ${what} timed out`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

function timeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`karin bench: ${what} timed out`)), ROUND_TIMEOUT_MS)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** A minimal OneBot v11 implementation facing Karin: answers its calls, pushes group messages. */
class DirectOneBot {
  readonly #ws: WebSocket
  #messageId = 0
  #onSend: ((at: number) => void) | undefined
  #afterReply: ((action: string) => void) | undefined

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data) => this.#onFrame(data.toString()))
  }

  static async connect(url: string, token: string): Promise<DirectOneBot> {
    const ws = new WebSocket(url, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-self-id': String(DIRECT_SELF_ID),
        'x-client-role': 'Universal',
      },
    })
    const bot = new DirectOneBot(ws)
    let handshake = 0
    const handshaken = new Promise<void>((resolve) => {
      bot.#afterReply = (action) => {
        if (action === 'get_login_info' || action === 'get_version_info') handshake++
        if (handshake === 2) resolve()
      }
    })
    await timeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      }),
      'direct connect',
    )
    await timeout(handshaken, 'direct handshake')
    bot.#afterReply = undefined
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
    return bot
  }

  #onFrame(text: string): void {
    const at = performance.now()
    const frame = JSON.parse(text) as { action?: string; echo?: unknown }
    if (typeof frame.action !== 'string') return
    let data: unknown = null
    if (frame.action === 'get_login_info') data = { user_id: DIRECT_SELF_ID, nickname: 'direct' }
    else if (frame.action === 'get_version_info')
      data = { app_name: 'direct-onebot', app_version: '1.0.0', protocol_version: 'v11' }
    else if (frame.action === 'send_group_msg' || frame.action === 'send_private_msg') {
      data = { message_id: ++this.#messageId }
      this.#onSend?.(at)
    }
    this.#ws.send(JSON.stringify({ status: 'ok', retcode: 0, data, echo: frame.echo }))
    this.#afterReply?.(frame.action)
  }

  /** Pushes a group `#ping` and resolves with the ms until Karin's reply call arrived. */
  async round(): Promise<number> {
    const id = ++this.#messageId
    const event = {
      time: Math.floor(Date.now() / 1000),
      self_id: DIRECT_SELF_ID,
      post_type: 'message',
      message_type: 'group',
      sub_type: 'normal',
      message_id: id,
      group_id: DIRECT_GROUP_ID,
      user_id: DIRECT_USER_ID,
      anonymous: null,
      message: [{ type: 'text', data: { text: '#ping' } }],
      raw_message: '#ping',
      font: 0,
      sender: { user_id: DIRECT_USER_ID, nickname: 'bench', card: '', role: 'member' },
    }
    const replied = new Promise<number>((resolve) => {
      this.#onSend = resolve
    })
    const start = performance.now()
    this.#ws.send(JSON.stringify(event))
    const end = await timeout(replied, 'direct round')
    this.#onSend = undefined
    return end - start
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()))
    this.#ws.close()
    await timeout(closed, 'direct close').catch(() => this.#ws.terminate())
  }
}

/** The KOOK transport floor: a bare gateway client and bare API calls against an idle simulator. */
class KookFloor {
  readonly sim: KookSimulator
  readonly #ws: WebSocket
  /** Keep-alive, as kookbridge's own client (src/kook/api/http-transport.ts). */
  readonly #agent = new http.Agent({ keepAlive: true, noDelay: true })
  #onEvent: ((msgId: unknown, at: number) => void) | undefined
  /** msg_ids of every event the bare client received. */
  readonly #seen = new Set<unknown>()

  private constructor(sim: KookSimulator, ws: WebSocket) {
    this.sim = sim
    this.#ws = ws
    ws.on('message', (data: Buffer, isBinary) => {
      const at = performance.now()
      const frame = JSON.parse((isBinary ? inflateSync(data) : data).toString('utf8')) as {
        s: number
        d?: { msg_id?: unknown }
      }
      if (frame.s !== 0) return
      this.#seen.add(frame.d?.msg_id)
      this.#onEvent?.(frame.d?.msg_id, at)
    })
  }

  static async start(): Promise<KookFloor> {
    const sim = await KookSimulator.start()
    // compress=1, as kookbridge asks by default: the frame is deflated and inflated on the way.
    const ws = new WebSocket(sim.gatewayUrl(true))
    const floor = new KookFloor(sim, ws)
    await sim.waitForConnection(ROUND_TIMEOUT_MS)
    return floor
  }

  /** ms from posting a message to the bare client holding the decoded event. */
  async gatewayHop(): Promise<number> {
    let msgId: unknown
    const received = new Promise<number>((resolve) => {
      // Only this post's event: the echo of an earlier apiHop message may still be on its way.
      this.#onEvent = (id, at) => {
        if (id === msgId) resolve(at)
      }
    })
    const start = performance.now()
    msgId = this.sim.postMessage({ content: '#ping' })['msg_id']
    const end = await timeout(received, 'floor gateway hop')
    this.#onEvent = undefined
    return end - start
  }

  /**
   * ms from a bare message/create call to the simulator recording it. Returns once the answer is read
   * and the echo of the message has reached the bare client, so none of it spills into the next step.
   */
  async apiHop(channelId: string): Promise<number> {
    const recorded = new Promise<number>((resolve) => {
      const onRequest = (r: { route: string }) => {
        if (r.route !== 'message/create') return
        this.sim.off('request', onRequest)
        resolve(performance.now())
      }
      this.sim.on('request', onRequest)
    })
    const start = performance.now()
    const body = JSON.stringify({ type: 9, target_id: channelId, content: 'pong' })
    const answered = new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${this.sim.apiBase}/message/create`,
        {
          method: 'POST',
          agent: this.#agent,
          headers: {
            authorization: `Bot ${this.sim.token}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            text += chunk
          })
          res.on('end', () => resolve(text))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
    const end = await timeout(recorded, 'floor API hop')
    const msgId = (JSON.parse(await timeout(answered, 'floor API answer')) as { data?: { msg_id?: unknown } })
      .data?.msg_id
    await until(() => this.#seen.has(msgId), 'floor echo')
    return end - start
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()))
    this.#ws.close()
    await this.sim.close()
    await timeout(closed, 'floor close').catch(() => this.#ws.terminate())
    this.#agent.destroy()
  }
}

/**
 * One kookbridge round: KOOK event in, until the simulator records the reply's message/create. Returns
 * once kookbridge has also answered Karin's call and dropped the echo of its own message (self filter).
 */
async function bridgeRound(bridge: BridgeUnderTest, ingress: number[], record: boolean): Promise<number> {
  const { sim, runtime } = bridge
  const metrics = runtime.metrics
  const answered = metrics.total('kookbridge_onebot_actions_total')
  const echoes = metrics.total('kook_self_messages_dropped_total')
  let start = 0
  const onEvent = () => {
    if (record) ingress.push(performance.now() - start)
  }
  const replied = new Promise<number>((resolve) => {
    const onRequest = (r: { route: string }) => {
      if (r.route !== 'message/create') return
      sim.off('request', onRequest)
      resolve(performance.now())
    }
    sim.on('request', onRequest)
  })
  runtime.once('event', onEvent)
  start = performance.now()
  sim.postMessage({ content: '#ping' })
  const end = await timeout(replied, 'kookbridge round')
  runtime.off('event', onEvent)
  await until(
    () =>
      metrics.total('kookbridge_onebot_actions_total') > answered &&
      metrics.total('kook_self_messages_dropped_total') > echoes,
    'kookbridge trailing work',
  )
  return end - start
}

export async function runKarinBench(): Promise<BenchRow[]> {
  // kookbridge logs at info, as deployed; Karin at its default (info), for both bots alike.
  const bridge = await BridgeUnderTest.start('reverse', { logLevel: 'info' })
  let direct: DirectOneBot | undefined
  let floor: KookFloor | undefined
  try {
    const directBot = await DirectOneBot.connect(bridge.karin.reverseWsUrl, bridge.wsServerToken)
    direct = directBot
    const kook = await KookFloor.start()
    floor = kook
    const channelId = kook.sim.world.defaultChannel()?.id ?? ''
    const viaBridge: number[] = []
    const viaDirect: number[] = []
    const ingress: number[] = []
    const gatewayHop: number[] = []
    const apiHop: number[] = []
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const record = i >= WARMUP
      const steps = [
        async () => {
          const ms = await bridgeRound(bridge, ingress, record)
          if (record) viaBridge.push(ms)
        },
        async () => {
          const ms = await directBot.round()
          if (record) viaDirect.push(ms)
        },
        async () => {
          const gateway = await kook.gatewayHop()
          const api = await kook.apiHop(channelId)
          if (record) {
            gatewayHop.push(gateway)
            apiHop.push(api)
          }
        },
      ]
      // Rotate which goes first, so a periodic disturbance does not always hit the same measurement.
      // Back to back: an idle gap measured the VM's wake-up latency more than either path (tried: 10 ms, 50 ms).
      for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]?.()
    }
    const median = (values: number[]) =>
      percentile(
        values.sort((a, b) => a - b),
        0.5,
      )
    const sortedBridge = viaBridge.sort((a, b) => a - b)
    const sortedDirect = viaDirect.sort((a, b) => a - b)
    const added = percentile(sortedBridge, 0.5) - percentile(sortedDirect, 0.5)
    const transportFloor = median(gatewayHop) + median(apiHop)
    return [
      {
        section: SECTION,
        name: `via kookbridge: KOOK event → Karin → KOOK API, median (${ROUNDS} rounds)`,
        value: percentile(sortedBridge, 0.5),
        unit: 'ms',
      },
      { section: SECTION, name: 'via kookbridge, p99', value: percentile(sortedBridge, 0.99), unit: 'ms' },
      {
        section: SECTION,
        name: `direct: OneBot event → Karin → send_group_msg, median (${ROUNDS} rounds)`,
        value: percentile(sortedDirect, 0.5),
        unit: 'ms',
      },
      { section: SECTION, name: 'direct, p99', value: percentile(sortedDirect, 0.99), unit: 'ms' },
      {
        section: SECTION,
        name: 'added by kookbridge, median',
        value: added,
        unit: 'ms',
        target: '≤ 1 ms',
        pass: added <= 1,
      },
      {
        section: SECTION,
        name: 'bare KOOK gateway hop (ws + zlib), median',
        value: median(gatewayHop),
        unit: 'ms',
      },
      {
        section: SECTION,
        name: 'bare KOOK API call (http message/create), median',
        value: median(apiHop),
        unit: 'ms',
      },
      {
        section: SECTION,
        name: 'KOOK transport floor (the two above)',
        value: transportFloor,
        unit: 'ms',
      },
      {
        section: SECTION,
        name: "kookbridge's own share (added − transport floor), median",
        value: added - transportFloor,
        unit: 'ms',
      },
      {
        section: SECTION,
        name: 'kookbridge ingress (KOOK event → OneBot event published), median',
        value: median(ingress),
        unit: 'ms',
      },
    ]
  } finally {
    await direct?.close()
    await floor?.close()
    await bridge.stop()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runKarinBench()
  process.stdout.write(`${renderBenchTable(rows)}\n`)
}
