import { randomBytes, randomInt, randomUUID } from 'node:crypto'

/**
 * Identifier shapes KOOK uses (kook.md §7), generated fresh. Ids are always decimal strings: channel ids
 * reach 17 digits, beyond 2^53, so a client that parses them to numbers breaks visibly here.
 */
export const simIds = {
  /** A decimal id of exactly `digits` digits (no leading zero). */
  numeric(digits: number): string {
    let id = String(randomInt(1, 10))
    while (id.length < digits) id += String(randomInt(0, 10))
    return id
  },
  /** Message ids and system-event ids are UUID v4. */
  message(): string {
    return randomUUID()
  },
  /** Gateway session ids are UUIDs too. */
  session(): string {
    return randomUUID()
  },
  /** A DM chat code: 32 lowercase hex characters. */
  chatCode(): string {
    return randomBytes(16).toString('hex')
  },
  /** The 4-digit `identify_num` of `username#1234`. */
  identifyNum(): string {
    return String(randomInt(1000, 10_000))
  },
  /** The short-lived token KOOK puts in the gateway URL. */
  gatewayToken(): string {
    return randomBytes(18).toString('base64url')
  },
  /** Asset ids in upload URLs. */
  asset(): string {
    return randomBytes(8).toString('hex')
  },
}
