/**
 * The wire under `KookApi` for ordinary calls: `node:http`/`node:https` with one keep-alive agent each.
 *
 * Why not `fetch`: every KOOK reply a framework sends is one API call on the event's critical path, and
 * undici's fetch spends ~0.3–1 ms per call in WHATWG plumbing (Request/Response objects, body streams,
 * several extra promise turns before the first byte is written) where `http.request` on a pooled socket
 * writes the request within the same tick. Same protocol, same connection reuse, less latency.
 *
 * Kept equal to what `fetch` did, so the client above sees no difference:
 * - one pooled connection per origin, reused (keep-alive), idle sockets closed after 4 s (undici's
 *   default) or earlier when the server's `Keep-Alive: timeout` hint says so (node's Agent honours it),
 *   idle sockets never hold the process open;
 * - `Accept-Encoding: gzip, deflate` with transparent decoding, as fetch does;
 * - the body decoded as UTF-8 with a leading BOM dropped (`Response.text()` semantics);
 * - errors keep node's `code` (`ECONNREFUSED`, `ECONNRESET`, …) so "may it have reached KOOK" is judged
 *   the same way; `cancel()` destroys the request (timeouts, callers giving up).
 * Cancelling is a plain callback rather than an AbortSignal handed to `http.request`: node wires a signal
 * through EventTarget and end-of-stream listeners, which cost more than the rest of the request setup.
 * Redirects are not followed here (KOOK's API never redirects); `KookApi` hands a redirected GET to fetch.
 */
import http from 'node:http'
import https from 'node:https'
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'

/** The part of `Headers` the client reads; fetch's `Headers` fits it too. */
export interface HeaderReader {
  get(name: string): string | null
  has(name: string): boolean
}

export interface RawAnswer {
  status: number
  headers: HeaderReader
  text: string
}

/** One request in flight: its answer, and how to give up on it (then `answer` rejects). */
export interface Exchange {
  answer: Promise<RawAnswer>
  cancel(): void
}

/** undici's keepAliveTimeout default: what fetch did before, so real KOOK sees the same idle behaviour. */
const IDLE_SOCKET_MS = 4_000
const utf8 = new TextDecoder('utf-8')

const agentOptions = {
  keepAlive: true,
  // The most recently used socket first, as node's global agent: the warmest one, least likely stale.
  scheduling: 'lifo',
  timeout: IDLE_SOCKET_MS,
  noDelay: true,
} as const satisfies http.AgentOptions

class IncomingHeaders implements HeaderReader {
  readonly #headers: http.IncomingHttpHeaders
  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers
  }
  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()]
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(', ') : value
  }
  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined
  }
}

/** Undoes `Content-Encoding` as fetch would; unknown encodings pass through untouched (fetch does too). */
function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const coding = encoding?.trim().toLowerCase()
  if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body)
  if (coding === 'deflate') {
    // "deflate" should be zlib-wrapped, but some servers send raw deflate; fetch accepts both.
    try {
      return inflateSync(body)
    } catch {
      return inflateRawSync(body)
    }
  }
  return body
}

/** Where a request goes, without its path: what `http.request` would otherwise parse out of the URL. */
interface Origin {
  /** `scheme://authority`, exactly as it starts the URLs sent. */
  prefix: string
  secure: boolean
  hostname: string
  port: string
  /** The `Host` header node would set: the hostname, plus the port unless it is the scheme's default. */
  hostHeader: string
}

/** A request target that needs no normalising: printable ASCII, no space, no fragment. */
const PLAIN_PATH = /^\/[\x21-\x22\x24-\x7e]*$/

/**
 * The request's headers as node's raw `[name, value, …]` list, in the order node writes them for a
 * headers object (the given ones, `Accept-Encoding`, `Content-Length`, then the `Host` it adds), so the
 * request is byte for byte the same (test/kook/api/http-transport.test.ts compares them); undefined
 * when the caller set one of those itself. Why: for an
 * object, `ClientRequest` calls `setHeader` per header (name check, lower-casing into its header map)
 * and builds `Host` itself, then serialises the map; a list goes straight to the serialiser, which
 * checks names and values the same way. Measured, request created → first socket write, median of 270
 * requests on a kept-alive socket with the CPU caches flushed between requests: 52–62 µs as an object,
 * 40–50 µs as a list.
 */
const OWN_HEADERS = new Set(['accept-encoding', 'content-length', 'host'])

function rawHeaders(
  headers: Record<string, string>,
  contentLength: string | undefined,
  host: string,
): string[] | undefined {
  const raw: string[] = []
  for (const name in headers) {
    // A header the list adds itself, in any case: the object path (node merges such names).
    if (OWN_HEADERS.has(name.toLowerCase())) return undefined
    raw.push(name, headers[name] as string)
  }
  raw.push('Accept-Encoding', 'gzip, deflate')
  if (contentLength !== undefined) raw.push('Content-Length', contentLength)
  raw.push('Host', host)
  return raw
}

export class HttpTransport {
  #http: http.Agent | undefined
  #https: https.Agent | undefined
  /**
   * The origin of the last URL, parsed once: a client only ever calls one API root, and re-parsing the
   * same URL on every call (what `http.request(url)` does) was a visible part of each call's cost.
   */
  #origin: Origin | undefined

  /**
   * The parsed origin of `url` when its path can be sent exactly as written; undefined leaves the URL to
   * `http.request` (anything unusual: credentials, IPv6 literals, characters that need escaping).
   */
  #originOf(url: string): Origin | undefined {
    const cached = this.#origin
    if (
      cached !== undefined &&
      url.startsWith(cached.prefix) &&
      PLAIN_PATH.test(url.slice(cached.prefix.length))
    )
      return cached
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return undefined // http.request reports the bad URL itself, with its usual error code
    }
    const prefix = `${parsed.protocol}//${parsed.host}`
    const secure = parsed.protocol === 'https:'
    const usable =
      (secure || parsed.protocol === 'http:') &&
      parsed.username === '' &&
      parsed.password === '' &&
      !parsed.hostname.startsWith('[') &&
      url.startsWith(prefix) &&
      PLAIN_PATH.test(url.slice(prefix.length))
    if (!usable) return undefined
    // `URL` drops a scheme's default port, exactly when node's `Host` leaves it out.
    const hostHeader = parsed.port === '' ? parsed.hostname : `${parsed.hostname}:${parsed.port}`
    this.#origin = { prefix, secure, hostname: parsed.hostname, port: parsed.port, hostHeader }
    return this.#origin
  }

  /** Created on first use: a client of the simulator never needs the TLS one. */
  #httpAgent(): http.Agent {
    if (this.#http === undefined) this.#http = new http.Agent(agentOptions)
    return this.#http
  }

  #httpsAgent(): https.Agent {
    if (this.#https === undefined) this.#https = new https.Agent(agentOptions)
    return this.#https
  }

  /**
   * Sends one request with a string body (or none) and reads the whole answer. `answer` rejects on any
   * network failure or on `cancel()`; HTTP error statuses resolve.
   */
  send(url: string, method: string, headers: Record<string, string>, body: string | undefined): Exchange {
    const origin = this.#originOf(url)
    const secure = origin?.secure ?? /^https:/i.test(url)
    const agent = secure ? this.#httpsAgent() : this.#httpAgent()
    const contentLength = body === undefined ? undefined : String(Buffer.byteLength(body))
    let cancel: () => void = () => {}
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      let settled = false
      let req: http.ClientRequest | undefined
      const fail = (error: unknown): void => {
        if (settled) return
        settled = true
        req?.destroy()
        reject(error)
      }
      cancel = () => fail(new DOMException('This operation was aborted', 'AbortError'))
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', fail)
        res.on('end', () => {
          if (settled) return
          settled = true
          try {
            const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
            const text = utf8.decode(decodeBody(raw, res.headers['content-encoding']))
            resolve({ status: res.statusCode ?? 0, headers: new IncomingHeaders(res.headers), text })
          } catch (error) {
            reject(error)
          }
        })
      }
      const list = origin === undefined ? undefined : rawHeaders(headers, contentLength, origin.hostHeader)
      if (origin === undefined || list === undefined) {
        // Object.assign, not `{ ...headers, 'Accept-Encoding': … }`: on Node 20 every property defined
        // after an object spread takes V8's slow path (a copy plus two additions: 3.8 µs spread, 0.05 µs
        // assigned, in a loop of 20,000; the same key order either way).
        const outgoing: Record<string, string> = Object.assign({}, headers)
        outgoing['Accept-Encoding'] = 'gzip, deflate'
        if (contentLength !== undefined) outgoing['Content-Length'] = contentLength
        const options: http.RequestOptions = { method, headers: outgoing, agent }
        req = secure ? https.request(url, options, onResponse) : http.request(url, options, onResponse)
      } else {
        const options: http.RequestOptions = {
          method,
          headers: list,
          agent,
          hostname: origin.hostname,
          path: url.slice(origin.prefix.length),
        }
        if (origin.port !== '') options.port = origin.port
        req = secure ? https.request(options, onResponse) : http.request(options, onResponse)
      }
      req.on('error', fail)
      req.end(body)
    })
    return { answer, cancel: () => cancel() }
  }
}
