import { inflateSync } from 'node:zlib'
import { WebSocket } from 'ws'

/** A decoded server frame plus how it travelled. */
export interface ReceivedFrame {
  s: number
  d?: Record<string, unknown>
  sn?: number
  binary: boolean
}

/**
 * A deliberately dumb gateway client for simulator tests: a raw `ws` socket that decodes every server
 * frame (zlib for binary ones) and lets a test wait for frames in order. No reconnect logic of its own.
 */
export class RawGatewayClient {
  readonly frames: ReceivedFrame[] = []
  readonly closed: Promise<{ code: number }>
  #cursor = 0
  #wake: (() => void) | undefined
  readonly #ws: WebSocket

  private constructor(ws: WebSocket) {
    this.#ws = ws
    ws.on('message', (data: Buffer, isBinary) => {
      const text = isBinary ? inflateSync(data).toString('utf8') : data.toString('utf8')
      this.frames.push({ ...(JSON.parse(text) as Omit<ReceivedFrame, 'binary'>), binary: isBinary })
      this.#wake?.()
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        resolve({ code })
        this.#wake?.()
      }),
    )
  }

  static connect(url: string): Promise<RawGatewayClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      const client = new RawGatewayClient(ws)
      ws.once('open', () => resolve(client))
      ws.once('error', reject)
    })
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN
  }

  /** The next frame (after the last one taken) matching `match`; frames skipped over stay in `frames`. */
  async next(match: (f: ReceivedFrame) => boolean = () => true, timeoutMs = 2000): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (let i = this.#cursor; i < this.frames.length; i++) {
        const frame = this.frames[i]
        if (frame && match(frame)) {
          this.#cursor = i + 1
          return frame
        }
      }
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Waits for the next `count` events (s=0). */
  async events(count: number, timeoutMs = 2000): Promise<ReceivedFrame[]> {
    const out: ReceivedFrame[] = []
    while (out.length < count) out.push(await this.next((f) => f.s === 0, timeoutMs))
    return out
  }

  /** Resolves if no frame matching `match` arrives within `ms`, rejects otherwise. */
  async nothing(match: (f: ReceivedFrame) => boolean, ms: number): Promise<void> {
    const before = this.frames.length
    await new Promise((resolve) => setTimeout(resolve, ms))
    const late = this.frames.slice(before).find(match)
    if (late) throw new Error(`unexpected frame ${JSON.stringify(late)}`)
  }

  send(frame: unknown): void {
    this.#ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame))
  }

  async close(): Promise<void> {
    if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate()
    await this.closed
  }
}
