/**
 * HTTP API server: `GET|POST /<action>` (onebot-v11.md §A1). Params from the query string, a JSON
 * body or a form body (query and form values are strings; the action schemas coerce them). Statuses
 * per the spec: 401 no token, 403 wrong token, 406 unsupported Content-Type, 400 unreadable body,
 * 404 unknown action, 413 body over `maxBodyBytes`; otherwise 200 with the envelope even when the
 * action failed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ListenAddress } from '../config/listen-address.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { checkAccess, httpStatusOf, presentedToken } from './access-token.js'
import type { ActionCall } from './handle-action.js'
import { failedResponse, httpStatusFor } from './retcode.js'
import type { ActionResponse } from './types.js'

export interface HttpApiServerOptions {
  listen: ListenAddress
  accessToken?: string | undefined
  maxBodyBytes: number
  dispatch(call: ActionCall): Promise<ActionResponse>
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // Stop keeping the body but let it drain, so the 413 reaches the client.
        req.off('data', onData)
        req.resume()
        reject(new HttpProblem(413, `body larger than ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function formParams(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of params) if (key !== 'access_token') out[key] = value
  return out
}

async function bodyParams(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit)
  if (body.length === 0) return {}
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/json' || type === '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new HttpProblem(400, 'body is not valid JSON')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HttpProblem(400, 'body must be a JSON object of params')
    }
    return parsed as Record<string, unknown>
  }
  if (type === 'application/x-www-form-urlencoded')
    return formParams(new URLSearchParams(body.toString('utf8')))
  throw new HttpProblem(406, `unsupported Content-Type ${type}`)
}

export class HttpApiServer {
  readonly #options: HttpApiServerOptions
  readonly #server: Server
  readonly #labels: Record<string, string>
  #address: ListenAddress | undefined

  constructor(options: HttpApiServerOptions) {
    this.#options = options
    this.#labels = { bot: options.bot, transport: 'http_api' }
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        options.logger?.error({ err: error }, 'HTTP API request failed')
        if (!res.headersSent) res.writeHead(500).end()
      })
    })
  }

  get address(): ListenAddress | undefined {
    return this.#address
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
    this.#address = { host, port: (this.#server.address() as AddressInfo).port }
    this.#options.logger?.info(this.#address, 'OneBot HTTP API listening')
    return this.#address
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  #reply(res: ServerResponse, status: number, body?: ActionResponse | string): void {
    if (body === undefined) {
      res.writeHead(status).end()
      return
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res
      .writeHead(status, {
        'content-type':
          typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      })
      .end(text)
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const verdict = checkAccess(this.#options.accessToken, presentedToken(req.headers, url))
    if (verdict !== 'ok') {
      this.#options.metrics?.inc('kookbridge_onebot_rejected_total', { ...this.#labels, reason: verdict })
      req.resume()
      this.#reply(res, httpStatusOf(verdict))
      return
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      req.resume()
      res.setHeader('allow', 'GET, POST')
      this.#reply(res, 405)
      return
    }
    const action = url.pathname.replace(/^\/+|\/+$/g, '')
    if (action === '' || action.includes('/')) {
      req.resume()
      const error = new BridgeError(ErrorCode.UnknownAction, `unknown action: ${url.pathname}`)
      this.#reply(res, 404, failedResponse(error, false))
      return
    }
    let params: Record<string, unknown>
    try {
      params = {
        ...formParams(url.searchParams),
        ...(req.method === 'POST' ? await bodyParams(req, this.#options.maxBodyBytes) : {}),
      }
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error
      this.#options.metrics?.inc('kookbridge_onebot_bad_requests_total', {
        ...this.#labels,
        status: String(error.status),
      })
      if (error.status === 413) res.setHeader('connection', 'close')
      this.#reply(res, error.status, error.message)
      return
    }
    const response = await this.#options.dispatch({ action, params, hasEcho: false })
    this.#reply(res, httpStatusFor(response.retcode), response)
  }
}
