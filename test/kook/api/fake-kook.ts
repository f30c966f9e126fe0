/**
 * A loopback HTTP server that plays the KOOK API for one test: each route answers through a handler the
 * test sets, and every request is recorded (arrival time, headers, query, raw body) so tests can assert
 * what actually went over the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  route: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
  /** performance.now() when the request was fully read. */
  at: number
}

export type Reply =
  | {
      status?: number
      headers?: Record<string, string>
      /** Sent as the KOOK envelope `{ code: 0, message: '操作成功', data }`. */
      data?: unknown
      /** A full JSON body (envelope or not). */
      json?: unknown
      /** Raw text, sent as is. */
      raw?: string
      /** Hold the answer back this long (ms). */
      delayMs?: number
    }
  /** Read the whole request, then reset the connection without answering. */
  | 'reset'

export type Handler = (request: RecordedRequest, count: number) => Reply | Promise<Reply>

export interface FakeKook {
  baseUrl: string
  requests: RecordedRequest[]
  /** Requests received for one route. */
  requestsTo(route: string): RecordedRequest[]
  on(route: string, handler: Handler): void
  close(): Promise<void>
}

/** Rate-limit headers as KOOK sends them. */
export function rateLimitHeaders(bucket: string, limit: number, remaining: number, resetSeconds: number) {
  return {
    'X-Rate-Limit-Bucket': bucket,
    'X-Rate-Limit-Limit': String(limit),
    'X-Rate-Limit-Remaining': String(remaining),
    'X-Rate-Limit-Reset': String(resetSeconds),
  }
}

export async function startFakeKook(): Promise<FakeKook> {
  const handlers = new Map<string, Handler>()
  const requests: RecordedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const route = url.pathname.replace(/^\/api\/v3\//, '')
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        route,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: performance.now(),
      }
      requests.push(recorded)
      const count = requests.filter((r) => r.route === route).length
      const handler = handlers.get(route)
      const reply = handler
        ? handler(recorded, count)
        : { status: 404, raw: '<html>404 Not Found</html>', headers: { 'Content-Type': 'text/html' } }
      void Promise.resolve(reply).then((r) => answer(req, res, r))
    })
  })

  function answer(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (reply === 'reset') {
      req.socket.resetAndDestroy()
      return
    }
    const send = (): void => {
      const body =
        reply.raw ?? JSON.stringify(reply.json ?? { code: 0, message: '操作成功', data: reply.data ?? {} })
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers })
      res.end(body)
    }
    if (reply.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        send()
      }, reply.delayMs)
      timers.add(timer)
    } else send()
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://127.0.0.1:${port}/api/v3`,
    requests,
    requestsTo: (route) => requests.filter((r) => r.route === route),
    on: (route, handler) => void handlers.set(route, handler),
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
    },
  }
}
