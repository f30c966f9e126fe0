/**
 * Access-token checks of the forward WS and HTTP API servers (onebot-v11.md §A1).
 *
 * The token may come as `Authorization: Bearer <t>` (spec, Karin), `Authorization: Token <t>` (the gocq
 * family, Koishi) or `?access_token=<t>`. Missing → 401, wrong → 403. Tokens are compared in constant
 * time over their SHA-256 digests, so neither content nor length leaks through timing. Tokens are
 * never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

export type AccessVerdict = 'ok' | 'missing' | 'wrong'

/** The token a request presents, if any: the Authorization header first, then the query. */
export function presentedToken(headers: IncomingHttpHeaders, url: URL): string | undefined {
  const header = headers.authorization
  if (header !== undefined) {
    const match = /^(?:Bearer|Token)\s+(.+)$/i.exec(header.trim())
    // An Authorization header in another scheme presents no usable token: treated as a wrong one.
    return match?.[1] ?? ''
  }
  return url.searchParams.get('access_token') ?? undefined
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

export function tokenMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented))
}

/** Without a configured token every request is allowed (the schema permits that only on loopback). */
export function checkAccess(expected: string | undefined, presented: string | undefined): AccessVerdict {
  if (expected === undefined) return 'ok'
  if (presented === undefined) return 'missing'
  return tokenMatches(expected, presented) ? 'ok' : 'wrong'
}

export function httpStatusOf(verdict: Exclude<AccessVerdict, 'ok'>): 401 | 403 {
  return verdict === 'missing' ? 401 : 403
}
