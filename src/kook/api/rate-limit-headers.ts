/**
 * Reads KOOK's rate-limit headers (kook.md §5, api-docs rate-limit.md):
 *
 *   X-Rate-Limit-Limit: 5          requests allowed per window
 *   X-Rate-Limit-Remaining: 0      requests left in this window
 *   X-Rate-Limit-Reset: 14         seconds until the window refills (fractions accepted)
 *   X-Rate-Limit-Bucket: user/info the bucket, which is not the route: several routes share one
 *   X-Rate-Limit-Global            present (with any value, even empty) when the global limit tripped
 */
export interface RateLimitHeaders {
  bucket: string | undefined
  limit: number | undefined
  remaining: number | undefined
  /** Milliseconds until the bucket refills. */
  resetMs: number | undefined
  global: boolean
}

/** The part of `Headers` read here (fetch's `Headers` and the node:http transport's reader both fit). */
interface HeaderReader {
  get(name: string): string | null
  has(name: string): boolean
}

export function parseRateLimitHeaders(headers: HeaderReader): RateLimitHeaders {
  const bucket = headers.get('x-rate-limit-bucket')?.trim()
  const reset = readNumber(headers, 'x-rate-limit-reset')
  return {
    bucket: bucket ? bucket : undefined,
    limit: readNumber(headers, 'x-rate-limit-limit'),
    remaining: readNumber(headers, 'x-rate-limit-remaining'),
    resetMs: reset === undefined ? undefined : Math.ceil(reset * 1000),
    // KOOK documents the header without a value: its presence is the signal.
    global: headers.has('x-rate-limit-global'),
  }
}

function readNumber(headers: HeaderReader, name: string): number | undefined {
  const raw = headers.get(name)
  if (raw === null || raw.trim() === '') return undefined
  const value = Number(raw)
  return Number.isFinite(value) && value >= 0 ? value : undefined
}
