/**
 * A WebSocket server playing the framework side of reverse WS (Karin is the server there, karin.md §2):
 * records each connection's headers and frames, and can run Karin's connect-time handshake
 * (get_login_info, then get_version_info, each awaited, with string echoes).
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'

export interface Frame {
  at: number
  body: Record<string, unknown>
}

export class FrameworkConnection {
  readonly frames: Frame[] = []
  handshakeDoneAt: number | undefined
  #echo = 0

  constructor(
    readonly ws: WebSocket,
    readonly headers: IncomingHttpHeaders,
  ) {
    ws.on('message', (data) => {
      this.frames.push({ at: performance.now(), body: JSON.parse(String(data)) as Record<string, unknown> })
    })
  }

  /** Event frames (no echo key), in arrival order. */
  events(): Array<Record<string, unknown>> {
    return this.frames.filter((f) => !('echo' in f.body) && 'post_type' in f.body).map((f) => f.body)
  }

  /** Message events only. */
  messages(): Array<Record<string, unknown>> {
    return this.events().filter((e) => e['post_type'] === 'message')
  }

  async call(action: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const echo = String(++this.#echo)
    this.ws.send(JSON.stringify({ action, params, echo }))
    for (let i = 0; i < 400; i++) {
      const found = this.frames.find((f) => f.body['echo'] === echo)
      if (found) return found.body
      await new Promise((r) => setTimeout(r, 5))
    }
    throw new Error(`no response to ${action}`)
  }

  /** What Karin does right after connecting. */
  async karinHandshake(): Promise<void> {
    await this.call('get_login_info')
    await this.call('get_version_info')
    this.handshakeDoneAt = performance.now()
  }
}

const servers: FakeFramework[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

export class FakeFramework {
  readonly connections: FrameworkConnection[] = []

  private constructor(
    readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(options: { port?: number; karin?: boolean } = {}): Promise<FakeFramework> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 })
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve)
      wss.once('error', reject)
    })
    const framework = new FakeFramework(wss, (wss.address() as AddressInfo).port)
    wss.on('connection', (ws, req) => {
      const connection = new FrameworkConnection(ws, req.headers)
      framework.connections.push(connection)
      if (options.karin) void connection.karinHandshake().catch(() => {})
    })
    servers.push(framework)
    return framework
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}

/** A loopback port that was free a moment ago (for an upstream that is down, then comes up). */
export async function freePort(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', resolve))
  const { port } = wss.address() as AddressInfo
  await new Promise<void>((resolve) => wss.close(() => resolve()))
  return port
}

export { WebSocket }
