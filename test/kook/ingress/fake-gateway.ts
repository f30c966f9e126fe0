/**
 * A scripted KOOK gateway on 127.0.0.1:0 for focused state-machine tests: the test decides every frame
 * (HELLO codes, silence, malformed bytes) that the full simulator would not let it choose.
 */
import { deflateSync } from 'node:zlib'
import { vi } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'

export interface FakeConnection {
  /** The request URL, query included. */
  url: string
  query: URLSearchParams
  socket: WebSocket
  /** Frames the client sent, parsed. */
  received: Array<Record<string, unknown>>
  closed: boolean
  /** Sends a frame the way KOOK would for this URL: zlib binary when compress=1, else text. */
  send(frame: unknown): void
  /** Sends raw bytes (malformed-frame tests). */
  sendRaw(data: Buffer | string, binary: boolean): void
  hello(sessionId: string, code?: number): void
  event(sn: number, d: Record<string, unknown>): void
  pings(): Array<Record<string, unknown>>
}

export class FakeGateway {
  readonly connections: FakeConnection[] = []
  /** How many times the client asked for a gateway URL. */
  fetches = 0
  /** Called for every new connection (e.g. to say HELLO at once). */
  onConnection: ((conn: FakeConnection) => void) | undefined
  /** When set, `fetchGateway` throws it instead of answering. */
  fetchError: Error | undefined
  readonly #server: WebSocketServer
  readonly #port: number

  private constructor(server: WebSocketServer, port: number) {
    this.#server = server
    this.#port = port
    server.on('connection', (socket, req) => {
      const url = req.url ?? '/'
      const query = new URL(url, 'ws://x').searchParams
      const compress = query.get('compress') === '1'
      const conn: FakeConnection = {
        url,
        query,
        socket,
        received: [],
        closed: false,
        send(frame) {
          const text = JSON.stringify(frame)
          if (compress) socket.send(deflateSync(text), { binary: true })
          else socket.send(text, { binary: false })
        },
        sendRaw(data, binary) {
          socket.send(data, { binary })
        },
        hello(sessionId, code = 0) {
          conn.send({ s: 1, d: code === 0 ? { code, session_id: sessionId } : { code } })
        },
        event(sn, d) {
          conn.send({ s: 0, sn, d })
        },
        pings() {
          return conn.received.filter((f) => f['s'] === 2)
        },
      }
      socket.on('message', (data) => conn.received.push(JSON.parse(String(data)) as Record<string, unknown>))
      socket.on('close', () => {
        conn.closed = true
      })
      socket.on('error', () => {})
      this.connections.push(conn)
      this.onConnection?.(conn)
    })
  }

  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('unexpected server address')
    return new FakeGateway(server, address.port)
  }

  /** What the client's `fetchGateway` option should be. Like KOOK's, the URL already has a query. */
  readonly fetchGateway = async (compress: boolean): Promise<string> => {
    this.fetches++
    if (this.fetchError) throw this.fetchError
    return `ws://127.0.0.1:${this.#port}/gateway?compress=${compress ? 1 : 0}&token=t${this.fetches}`
  }

  /** Waits until connection number `index` (0-based) exists. */
  async connection(index: number): Promise<FakeConnection> {
    return vi.waitFor(
      () => {
        const conn = this.connections[index]
        if (!conn) throw new Error(`connection ${index} not opened yet`)
        return conn
      },
      { timeout: 5_000, interval: 5 },
    )
  }

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
