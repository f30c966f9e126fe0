/**
 * Forward WebSocket server: frameworks dial us (onebot-v11.md §A1). `/` carries calls and events,
 * `/api` calls only, `/event` events only (a trailing slash is accepted). Access token in the
 * Authorization header (Bearer or Token) or `?access_token=`: missing → 401, wrong → 403, refused at the
 * upgrade before any frame. Each connection has its own bounded queue; every connection receives the
 * same encoded frame string.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { ListenAddress } from '../config/listen-address.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { checkAccess, httpStatusOf, presentedToken } from './access-token.js'
import { EventQueue } from './event-queue.js'
import type { ActionCall } from './handle-action.js'
import { type HandshakeOptions, OneBotSocket, type SocketRole } from './onebot-socket.js'
import type { ActionResponse } from './types.js'

export interface ForwardWsServerOptions {
  listen: ListenAddress
  accessToken?: string | undefined
  bufferSize: number
  handshake: HandshakeOptions
  dispatch(call: ActionCall): Promise<ActionResponse>
  lifecycleFrame(): string
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

const ROLES: Record<string, SocketRole> = { '/': 'universal', '/api': 'api', '/event': 'event' }

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }

function refuse(socket: Duplex, status: number): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  )
}

interface Connection {
  socket: OneBotSocket
  queue: EventQueue
  role: SocketRole
}

export class ForwardWsServer {
  readonly #options: ForwardWsServerOptions
  readonly #server: Server
  readonly #wss = new WebSocketServer({ noServer: true })
  readonly #connections = new Set<Connection>()
  readonly #labels: Record<string, string>
  #address: ListenAddress | undefined

  constructor(options: ForwardWsServerOptions) {
    this.#options = options
    this.#labels = { bot: options.bot, transport: 'forward_ws' }
    this.#server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required')
    })
    this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head))
  }

  get address(): ListenAddress | undefined {
    return this.#address
  }

  get connectionCount(): number {
    return this.#connections.size
  }

  async start(): Promise<ListenAddress> {
    const { host, port } = this.#options.listen
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
    const info = this.#server.address() as AddressInfo
    this.#address = { host, port: info.port }
    this.#options.logger?.info({ host, port: info.port }, 'OneBot forward WS listening')
    return this.#address
  }

  /** Sends an encoded event to every event-capable connection. */
  broadcast(frame: string, volatile = false): void {
    for (const connection of this.#connections) {
      if (connection.role === 'api') continue
      if (volatile && !connection.socket.live) continue
      const dropped = connection.queue.push(frame)
      if (dropped > 0) {
        this.#options.metrics?.inc('kookbridge_onebot_events_dropped_total', this.#labels, dropped)
      }
      connection.socket.notify()
    }
  }

  async stop(): Promise<void> {
    for (const connection of this.#connections) connection.socket.close(1001, 'shutting down')
    const deadline = Date.now() + 1_000
    while (this.#connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    for (const connection of this.#connections) connection.socket.terminate()
    this.#wss.close()
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname
    const role = ROLES[path]
    if (role === undefined) {
      this.#options.metrics?.inc('kookbridge_onebot_rejected_total', { ...this.#labels, reason: 'path' })
      refuse(socket, 404)
      return
    }
    const verdict = checkAccess(this.#options.accessToken, presentedToken(req.headers, url))
    if (verdict !== 'ok') {
      this.#options.metrics?.inc('kookbridge_onebot_rejected_total', { ...this.#labels, reason: verdict })
      this.#options.logger?.warn({ remote: req.socket.remoteAddress, verdict }, 'forward WS refused')
      refuse(socket, httpStatusOf(verdict))
      return
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const queue = new EventQueue(this.#options.bufferSize)
      const connection: Connection = {
        queue,
        role,
        socket: new OneBotSocket({
          ws,
          role,
          queue,
          dispatch: this.#options.dispatch,
          lifecycleFrame: this.#options.lifecycleFrame(),
          handshake: this.#options.handshake,
          logger: this.#options.logger,
          metrics: this.#options.metrics,
          labels: this.#labels,
          onClose: () => this.#connections.delete(connection),
        }),
      }
      this.#connections.add(connection)
    })
  }
}
