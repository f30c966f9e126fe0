/**
 * What kookbridge knows about KOOK's rate limits: per-bucket windows learned from response headers, the
 * route → bucket map, and the global gate (discord.js REST: handlers own their bucket, the manager owns
 * the global limit).
 *
 * KOOK quirk: buckets are not routes. Several routes can share one bucket, and a route's bucket is only
 * known once KOOK has answered it with `X-Rate-Limit-Bucket` (khl.py learns the map the same way). Until
 * then the route itself serves as its bucket.
 */
import type { RateLimitHeaders } from './rate-limit-headers.js'

interface BucketWindow {
  limit: number
  remaining: number
  /** Clock time (ms) at which the window refills. */
  resetAt: number
}

/** How long a request must wait before it may be sent, and which gate holds it. */
export interface RateLimitDelay {
  waitMs: number
  /** The global gate (`X-Rate-Limit-Global`) rather than the request's bucket. */
  global: boolean
  bucket: string
}

/** Wait assumed when KOOK says "no requests left" or answers 429 without telling for how long. */
const FALLBACK_RESET_MS = 1_000

export class RateLimitState {
  readonly #routeBuckets = new Map<string, string>()
  readonly #windows = new Map<string, BucketWindow>()
  #globalResetAt = 0

  /** The bucket requests of `route` belong to: the one KOOK named, else the route itself. */
  bucketOf(route: string): string {
    return this.#routeBuckets.get(route) ?? route
  }

  /** How long a request of `route` must wait at clock time `now` (0: send now). */
  delay(route: string, now: number): RateLimitDelay {
    const bucket = this.bucketOf(route)
    const globalWait = this.#globalResetAt - now
    let bucketWait = 0
    const window = this.#windows.get(bucket)
    if (window && window.remaining <= 0) {
      if (window.resetAt <= now) window.remaining = window.limit
      else bucketWait = window.resetAt - now
    }
    return globalWait > 0 && globalWait >= bucketWait
      ? { waitMs: globalWait, global: true, bucket }
      : { waitMs: Math.max(0, bucketWait), global: false, bucket }
  }

  /**
   * Counts a request about to leave. Requests of one bucket are sent one by one, so the headers of
   * each answer normally correct this; it matters while a route's bucket is still being learned and two
   * queues briefly feed the same bucket.
   */
  consume(route: string): void {
    const window = this.#windows.get(this.bucketOf(route))
    if (window && window.remaining > 0) window.remaining -= 1
  }

  /** Learns from one answer's headers. Returns the bucket the answer belongs to. */
  update(route: string, headers: RateLimitHeaders, status: number, now: number): string {
    if (headers.bucket !== undefined) this.#routeBuckets.set(route, headers.bucket)
    const bucket = this.bucketOf(route)
    const previous = this.#windows.get(bucket)
    if (status === 429) {
      const resetAt = now + (headers.resetMs ?? FALLBACK_RESET_MS)
      // Only a 429 carrying X-Rate-Limit-Global stops every bucket (style rule 8).
      if (headers.global) this.#globalResetAt = Math.max(this.#globalResetAt, resetAt)
      else this.#windows.set(bucket, { limit: headers.limit ?? previous?.limit ?? 1, remaining: 0, resetAt })
      return bucket
    }
    if (headers.remaining !== undefined) {
      const resetMs = headers.resetMs ?? (headers.remaining === 0 ? FALLBACK_RESET_MS : 0)
      this.#windows.set(bucket, {
        limit: Math.max(1, headers.limit ?? previous?.limit ?? headers.remaining),
        remaining: headers.remaining,
        resetAt: now + resetMs,
      })
    }
    return bucket
  }
}
