/**
 * kritor authentication (kritor.md §4). Off when no tickets are configured (the schema allows that on
 * loopback only). When on, a call is allowed if
 * - it carries a valid `ticket` request header, or
 * - its peer connection made a successful `Authenticate` before: nonebot authenticates once and then
 *   sends no ticket on the event streams (and on service calls only when told `is_required`), and
 *   grpc-js clients of one target share one connection, so the peer address names the framework.
 * Failures are UNAUTHENTICATED (decided by the caller through status.ts).
 *
 * Tickets are compared in constant time over SHA-256 digests (equal lengths, no early exit) and are
 * never logged. The set of authenticated peers is bounded (least recently used forgotten first); a
 * forgotten peer simply authenticates again or sends its ticket.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Metadata } from '@grpc/grpc-js'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { LruMap } from '../store/lru-map.js'

const Code = kritor.authentication.AuthenticateResponse.AuthenticateResponseCode
const MAX_PEERS = 1024

export interface TicketAuthOptions {
  tickets: readonly string[]
  /** The bot's ids an Authenticate `account` may name (uid; uin is the same decimal string). */
  account: string
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

export class TicketAuth {
  readonly #digests: Buffer[]
  readonly #account: string
  readonly #peers = new LruMap<string, true>({ maxEntries: MAX_PEERS })

  constructor(options: TicketAuthOptions) {
    this.#digests = options.tickets.map(digest)
    this.#account = options.account
  }

  /** Whether tickets are configured at all. */
  get enabled(): boolean {
    return this.#digests.length > 0
  }

  /** Whether a call from `peer` with these request headers may proceed. */
  allows(metadata: Metadata, peer: string): boolean {
    if (!this.enabled) return true
    for (const value of metadata.get('ticket')) {
      if (this.#valid(typeof value === 'string' ? value : value.toString('utf8'))) return true
    }
    return this.#peers.get(peer) === true
  }

  /** `Authenticate`: kritor's answer codes; a foreign account is NO_ACCOUNT, never an error. */
  authenticate(
    account: string,
    ticket: string,
    peer: string,
  ): { code: kritor.authentication.AuthenticateResponse.AuthenticateResponseCode; msg: string } {
    if (account.trim() !== this.#account) {
      return { code: Code.NO_ACCOUNT, msg: `this endpoint serves account ${this.#account}` }
    }
    if (!this.enabled) return { code: Code.OK, msg: 'authentication is not required' }
    if (!this.#valid(ticket)) return { code: Code.NO_TICKET, msg: 'invalid ticket' }
    this.#peers.set(peer, true)
    return { code: Code.OK, msg: 'authenticated' }
  }

  /** `GetAuthenticationState.is_required`: whether this peer must still send a `ticket` header. */
  isRequired(peer: string): boolean {
    return this.enabled && this.#peers.get(peer) !== true
  }

  #valid(ticket: string): boolean {
    if (ticket === '') return false
    const candidate = digest(ticket)
    let ok = false
    for (const known of this.#digests) {
      // Evaluate every comparison: how many tickets matched before must not show in the timing.
      const equal = timingSafeEqual(candidate, known)
      ok = ok || equal
    }
    return ok
  }
}
