/**
 * Decides what to do with the bot's own messages, and correlates sends with their echoes.
 *
 * KOOK delivers the bot's own messages back as events (kook.md §8.1; satori#203): fed to a framework
 * they look like a user talking, and a bot answering itself loops. So a message event (type ≠ 255)
 * whose author_id is the bot's own id is dropped by default. Its `nonce` is the one passed to
 * message/create, which lets a sender wait for the echo (e.g. to learn the final content). The echo may
 * arrive *before* the HTTP response of the send, so recent echoes are remembered for a short while and a
 * later `awaitEcho` still finds them.
 *
 * Optionally other bots' messages are dropped too: KOOK bans bots that loop with each other.
 */
import { Metrics } from '../../util/metrics.js'

export type SelfFilterVerdict = 'drop' | 'deliver'

export interface SelfFilterOptions {
  /** The bot's own user id (from `user/me`). */
  selfId: string
  /** What happens to the bot's own messages. @defaultValue 'drop' */
  mode?: 'drop' | 'keep' | undefined
  /** What happens to messages of other bots (`extra.author.bot`). @defaultValue 'keep' */
  otherBots?: 'drop' | 'keep' | undefined
  metrics?: Metrics | undefined
  /** How long an echo waits for a late `awaitEcho`. @defaultValue 10000 */
  echoMemoryMs?: number | undefined
  /** How many unclaimed echoes are remembered at most. @defaultValue 256 */
  echoMemorySize?: number | undefined
  /** Milliseconds clock for the echo memory. @defaultValue Date.now */
  now?: (() => number) | undefined
}

type KookEvent = Record<string, unknown>

interface Waiter {
  promise: Promise<KookEvent | undefined>
  resolve: (event: KookEvent | undefined) => void
  timer: NodeJS.Timeout
}

const SYSTEM_EVENT = 255

export class SelfFilter {
  readonly #selfId: string
  readonly #dropSelf: boolean
  readonly #dropBots: boolean
  readonly #metrics: Metrics
  readonly #memoryMs: number
  readonly #memorySize: number
  readonly #now: () => number
  /** Unclaimed echoes by nonce, oldest first (Map order), so expiry scans only the front. */
  readonly #echoes = new Map<string, { event: KookEvent; at: number }>()
  readonly #waiters = new Map<string, Waiter>()

  constructor(options: SelfFilterOptions) {
    this.#selfId = options.selfId
    this.#dropSelf = (options.mode ?? 'drop') === 'drop'
    this.#dropBots = options.otherBots === 'drop'
    this.#metrics = options.metrics ?? new Metrics()
    this.#memoryMs = options.echoMemoryMs ?? 10_000
    this.#memorySize = options.echoMemorySize ?? 256
    this.#now = options.now ?? Date.now
  }

  /** Looks at one event (`d`) after ingress: whether it goes on to the frameworks. */
  observe(d: KookEvent): SelfFilterVerdict {
    if (d['type'] === SYSTEM_EVENT) return 'deliver'
    const author = d['author_id']
    if (author === this.#selfId || (typeof author === 'number' && String(author) === this.#selfId)) {
      const nonce = d['nonce']
      if (typeof nonce === 'string' && nonce !== '') this.#echo(nonce, d)
      if (!this.#dropSelf) return 'deliver'
      this.#metrics.inc(
        'kook_self_messages_dropped_total',
        undefined,
        1,
        "the bot's own messages not delivered",
      )
      return 'drop'
    }
    if (this.#dropBots && isBotAuthor(d)) {
      this.#metrics.inc('kook_bot_messages_dropped_total', undefined, 1, "other bots' messages not delivered")
      return 'drop'
    }
    return 'deliver'
  }

  /**
   * Resolves with the echoed event carrying `nonce`, whether it arrived before this call (within
   * `echoMemoryMs`) or arrives within `timeoutMs`; `undefined` otherwise.
   */
  awaitEcho(nonce: string, timeoutMs: number): Promise<KookEvent | undefined> {
    this.#expire()
    const seen = this.#echoes.get(nonce)
    if (seen !== undefined) {
      this.#echoes.delete(nonce)
      return Promise.resolve(seen.event)
    }
    const pending = this.#waiters.get(nonce)
    if (pending !== undefined) return pending.promise
    let resolve!: (event: KookEvent | undefined) => void
    const promise = new Promise<KookEvent | undefined>((r) => {
      resolve = r
    })
    const timer = setTimeout(() => {
      this.#waiters.delete(nonce)
      resolve(undefined)
    }, timeoutMs)
    this.#waiters.set(nonce, { promise, resolve, timer })
    return promise
  }

  /** Resolves every pending `awaitEcho` with `undefined` and forgets all echoes; no timer survives. */
  close(): void {
    for (const waiter of this.#waiters.values()) {
      clearTimeout(waiter.timer)
      waiter.resolve(undefined)
    }
    this.#waiters.clear()
    this.#echoes.clear()
  }

  #echo(nonce: string, event: KookEvent): void {
    const waiter = this.#waiters.get(nonce)
    if (waiter !== undefined) {
      this.#waiters.delete(nonce)
      clearTimeout(waiter.timer)
      waiter.resolve(event)
      return
    }
    this.#expire()
    this.#echoes.delete(nonce) // re-insert at the back: it is the newest now
    this.#echoes.set(nonce, { event, at: this.#now() })
    if (this.#echoes.size > this.#memorySize) {
      const oldest = this.#echoes.keys().next()
      if (!oldest.done) this.#echoes.delete(oldest.value)
    }
  }

  /** Forgets echoes older than the memory window. Clock-based, so no timer is ever left behind. */
  #expire(): void {
    const cutoff = this.#now() - this.#memoryMs
    for (const [nonce, entry] of this.#echoes) {
      if (entry.at > cutoff) break
      this.#echoes.delete(nonce)
    }
  }
}

function isBotAuthor(d: KookEvent): boolean {
  const extra = d['extra']
  if (typeof extra !== 'object' || extra === null) return false
  const author = (extra as Record<string, unknown>)['author']
  return typeof author === 'object' && author !== null && (author as Record<string, unknown>)['bot'] === true
}
