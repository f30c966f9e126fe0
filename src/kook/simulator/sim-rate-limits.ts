/** A scripted bucket state: what the *next* request on the route sees before it is counted. */
export interface SimRateLimitScript {
  limit: number
  /** Requests still allowed in this window; 0 = the next request is refused with 429. */
  remaining: number
  /** Seconds until the bucket refills to `limit` (also the window length after that). */
  resetSeconds: number
  /** KOOK bucket name; several routes may share one (buckets ≠ routes, kook.md §5). Default: the route. */
  bucket?: string
}

/** A one-off scripted failure for a route (see `KookSimulator.failNext`). */
export type SimFailure =
  | { status: 429; global?: boolean; resetSeconds?: number }
  | { code: number; message: string }
  | { status: number }
  /** Close the socket without answering, before or after the route ran (its side effects happen). */
  | { drop: 'before' | 'after' }

interface Bucket {
  name: string
  limit: number
  remaining: number
  windowMs: number
  resetAt: number
}

export interface SimRateDecision {
  limited: boolean
  headers: Record<string, string>
}

/**
 * Rate-limit buckets behind the `X-Rate-Limit-*` headers of every response (kook.md §5). Buckets really
 * count: when `remaining` reaches 0 the next request gets HTTP 429 until the reset time passes, so a client
 * that ignores the headers is caught. Defaults are generous enough that tests never hit them by accident.
 */
export class SimRateLimits {
  readonly #clock: () => number
  readonly #defaults: { limit: number; resetSeconds: number }
  readonly #bucketOfRoute = new Map<string, string>()
  readonly #buckets = new Map<string, Bucket>()
  readonly #failures = new Map<string, SimFailure[]>()

  constructor(clock: () => number, defaults: { limit: number; resetSeconds: number }) {
    this.#clock = clock
    this.#defaults = defaults
  }

  script(route: string, script: SimRateLimitScript): void {
    const name = script.bucket ?? route
    this.#bucketOfRoute.set(route, name)
    this.#buckets.set(name, {
      name,
      limit: script.limit,
      remaining: script.remaining,
      windowMs: script.resetSeconds * 1000,
      resetAt: this.#clock() + script.resetSeconds * 1000,
    })
  }

  failNext(route: string, failure: SimFailure, times: number): void {
    const queue = this.#failures.get(route) ?? []
    for (let i = 0; i < times; i++) queue.push(failure)
    this.#failures.set(route, queue)
  }

  /** The next scripted failure for the route, consumed. */
  takeFailure(route: string): SimFailure | undefined {
    const queue = this.#failures.get(route)
    const failure = queue?.shift()
    if (queue && queue.length === 0) this.#failures.delete(route)
    return failure
  }

  /** Counts one request against the route's bucket. */
  consume(route: string): SimRateDecision {
    const bucket = this.#bucket(route)
    if (bucket.remaining <= 0) return { limited: true, headers: this.#headers(bucket) }
    bucket.remaining--
    return { limited: false, headers: this.#headers(bucket) }
  }

  /** Headers of a scripted 429: the bucket looks exhausted for `resetSeconds`. */
  limitedHeaders(route: string, resetSeconds: number, global: boolean): Record<string, string> {
    const bucket = this.#bucket(route)
    return {
      'X-Rate-Limit-Limit': String(bucket.limit),
      'X-Rate-Limit-Remaining': '0',
      'X-Rate-Limit-Reset': String(resetSeconds),
      'X-Rate-Limit-Bucket': bucket.name,
      // Present only when the global limit tripped: clients must then pause every route (kook.md §5).
      ...(global ? { 'X-Rate-Limit-Global': 'true' } : {}),
    }
  }

  #bucket(route: string): Bucket {
    const name = this.#bucketOfRoute.get(route) ?? route
    const now = this.#clock()
    let bucket = this.#buckets.get(name)
    if (!bucket) {
      const windowMs = this.#defaults.resetSeconds * 1000
      bucket = {
        name,
        limit: this.#defaults.limit,
        remaining: this.#defaults.limit,
        windowMs,
        resetAt: now + windowMs,
      }
      this.#buckets.set(name, bucket)
    }
    if (now >= bucket.resetAt) {
      bucket.remaining = bucket.limit
      bucket.resetAt = now + bucket.windowMs
    }
    return bucket
  }

  #headers(bucket: Bucket): Record<string, string> {
    const resetSeconds = Math.max(0, Math.ceil((bucket.resetAt - this.#clock()) / 1000))
    return {
      'X-Rate-Limit-Limit': String(bucket.limit),
      'X-Rate-Limit-Remaining': String(bucket.remaining),
      'X-Rate-Limit-Reset': String(resetSeconds),
      'X-Rate-Limit-Bucket': bucket.name,
    }
  }
}
