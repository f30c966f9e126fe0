/**
 * Prometheus text metrics at `GET /metrics`. Loopback only: the counters reveal traffic shape and
 * there is no token to protect them (the schema refuses another bind).
 */
import { createServer, type Server } from 'node:http'
import type { ListenAddress } from '../config/listen-address.js'
import type { Metrics } from '../util/metrics.js'

export class MetricsServer {
  readonly #server: Server

  constructor(metrics: Metrics) {
    this.#server = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        res.end(metrics.render())
        return
      }
      res.writeHead(404).end()
    })
  }

  start(address: ListenAddress): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(address.port, address.host, () => {
        const bound = this.#server.address()
        resolve(typeof bound === 'object' && bound ? { host: bound.address, port: bound.port } : address)
      })
    })
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections()
      this.#server.close(() => resolve())
    })
  }
}
