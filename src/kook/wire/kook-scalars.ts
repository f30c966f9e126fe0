/**
 * The scalar vocabulary of the KOOK wire: ids, integer ids, timestamps and flags, each accepting the
 * spellings KOOK is known to mix (kook.md §8.11) and yielding one normalised type downstream.
 *
 * Every preprocess function is declared once at module level: schemas run per event, closures do not.
 */
import { z } from 'zod'

const DECIMAL = /^-?\d+$/

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function numberToString(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value
}

function decimalStringToNumber(value: unknown): unknown {
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value
}

function numberToBoolean(value: unknown): unknown {
  return typeof value === 'number' ? value !== 0 : value
}

/**
 * A KOOK id (user, guild, channel, message, chat code, emoji): always a string downstream.
 *
 * KOOK writes ids as decimal strings (channels exceed 2^53, messages are UUIDs), but some old events
 * wrote user ids as JSON numbers (kook.md §8.11: `mention`), so numbers are stringified. A number above
 * 2^53 has already lost digits inside JSON.parse; nothing here can recover it. Placeholder ids from the
 * docs ("xxxx", "2418xxx") are strings like any other: ids are opaque, never parsed.
 */
export const kookId = z.preprocess(
  numberToString,
  z.string({ error: (issue) => `expected an id (string or number), received ${describe(issue.input)}` }),
)

/** A list of {@link kookId}s (`mention`, `nav_channels`, `guilds`, block-list `user_id`). */
export const kookIdList = z.array(kookId)

/**
 * An integer id: role ids (`mention_roles`, `role_id`) and item ids are uint32 on KOOK, written as JSON
 * numbers. A decimal string is accepted and read as a number, in case an event stringifies it.
 */
export const kookIntId = z.preprocess(
  decimalStringToNumber,
  z.int({ error: (issue) => `expected an integer id, received ${describe(issue.input)}` }),
)

/**
 * A millisecond epoch timestamp. The docs type `deleted_at` as a string while the example sends a
 * number, so a decimal string is read as a number.
 */
export const kookMillis = z.preprocess(
  decimalStringToNumber,
  z.number({ error: (issue) => `expected a millisecond timestamp, received ${describe(issue.input)}` }),
)

/**
 * A yes/no flag. KOOK writes `is_category` as 0/1 in events but as a boolean in the HTTP API
 * (kook.md §8.11), and several other flags (`enable_open`, `hoist`, `permission_sync`) as 0/1 ints;
 * downstream always sees a boolean (any non-zero number is true).
 */
export const kookFlag = z.preprocess(
  numberToBoolean,
  z.boolean({ error: (issue) => `expected a flag (boolean or 0/1), received ${describe(issue.input)}` }),
)

/**
 * A small enumerated integer that some SDKs observed as a string (guild mute `type` 1 mic / 2 headset,
 * kook.md §4): a decimal string is read as a number.
 */
export const kookIntCode = z.preprocess(
  decimalStringToNumber,
  z.int({ error: (issue) => `expected an integer code, received ${describe(issue.input)}` }),
)
