/**
 * The message index of one bot: KOOK msg_id (UUID) → logical message record with a compact positive
 * int32 number (OneBot `message_id`, kritor `message_seq`). Served from a bounded in-memory LRU; the
 * backing (SQLite, or nothing for the memory store) answers misses and receives every change.
 *
 * A logical message may span several KOOK messages (one OneBot send with text, an image and a file
 * becomes three KOOK messages); every part resolves to the same record, so one recall or reply id
 * covers them all.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { ShardedMap, shardsFor } from '../util/sharded-map.js'
import type { MessageRecord } from './bridge-store.js'
import { LruMap } from './lru-map.js'

/** OneBot v11 `message_id` is int32; numbers are positive so `0` and negatives stay "none". */
export const MESSAGE_NUMBER_MAX = 2 ** 31 - 1

export type MessageInput = Omit<MessageRecord, 'number'> & { number?: number }

/** Where records that are not in memory live, and where changes go. */
export interface MessageBacking {
  loadByNumber(num: number): MessageRecord | undefined
  numberOfPart(partId: string): number | undefined
  /** A record was created or changed (write-behind is fine). */
  messageChanged(record: MessageRecord): void
  /**
   * `partId` now resolves to `num` (write-behind is fine). `fresh`: the part was looked up and is
   * known nowhere yet (the msg_id of a new message), so the backing may skip looking for an old link.
   */
  partLinked(partId: string, num: number, fresh: boolean): void
  /**
   * Numbers below `upTo` may be handed out from now on. Must be durable before returning: after a
   * crash, allocation resumes from the last reservation, so a number is never given twice.
   */
  reserveNumbers(upTo: number): void
}

export interface MessageIndexOptions {
  /** The next number to hand out (≥ 1). */
  nextNumber: number
  backing?: MessageBacking
  /** @defaultValue Infinity */
  maxMessages?: number
  /** @defaultValue Infinity */
  maxBytes?: number
  /** How many numbers one durable reservation covers. @defaultValue 1000 */
  reserveBlock?: number
}

const NO_BACKING: MessageBacking = {
  loadByNumber: () => undefined,
  numberOfPart: () => undefined,
  messageChanged: () => {},
  partLinked: () => {},
  reserveNumbers: () => {},
}

/** Rough heap cost of a cached record: object and array overhead plus UTF-16 strings. */
function weighRecord(record: MessageRecord): number {
  let chars = record.msgId.length + record.userId.length + (record.body?.length ?? 0)
  for (const part of record.parts) chars += part.length
  return 400 + 2 * chars
}

function freezeRecord(record: MessageRecord): MessageRecord {
  Object.freeze(record.parts)
  return Object.freeze(record)
}

function checkInput(input: MessageInput): void {
  const problem =
    typeof input.msgId !== 'string' || input.msgId === ''
      ? 'msgId must be a non-empty string'
      : input.scene !== 'channel' && input.scene !== 'direct'
        ? 'scene must be channel or direct'
        : typeof input.userId !== 'string'
          ? 'userId must be a string'
          : !Number.isFinite(input.time)
            ? 'time must be a finite number'
            : !Array.isArray(input.parts) || input.parts.some((p) => typeof p !== 'string' || p === '')
              ? 'parts must be non-empty strings'
              : undefined
  if (problem !== undefined) {
    throw new BridgeError(ErrorCode.BadParams, problem, { details: { msgId: input.msgId } })
  }
}

const NO_PARTS: readonly string[] = Object.freeze([])

/** Parts in order without duplicates, the message's own msg_id included. */
function partsOf(input: MessageInput): string[] {
  // Every received message: one KOOK message, its own id. No Set and no spread for it.
  if (input.parts.length === 0 || (input.parts.length === 1 && input.parts[0] === input.msgId)) {
    return [input.msgId]
  }
  const parts = input.parts.includes(input.msgId) ? [...input.parts] : [input.msgId, ...input.parts]
  return [...new Set(parts)]
}

export class MessageIndex {
  readonly #backing: MessageBacking
  readonly #records: LruMap<number, MessageRecord>
  /** part msg_id → number, for cached records only (entries leave with their record). */
  readonly #parts: ShardedMap<string, number>
  readonly #reserveBlock: number
  /**
   * The record `put` stored last. A received message is looked up again right after it was put (the
   * first endpoint puts it for its number, then the bot runtime and any other endpoint ask), so `get`
   * answers that from here while the record is still the most recently used one, skipping the part
   * map and the LRU (two lookups in maps of up to 100,000 entries). Cleared when the record leaves the
   * cache or another is merged; replaced by every put.
   *
   * Measured with `#lastMiss` and the allocation-free no-change `#merge` (50,000 messages through
   * get-miss → put → put, as the kritor encoder and the bot runtime do; 1,000-message LRU; same
   * process, interleaved, medians of 10 rounds): 1.25–1.41 → 1.03–1.06 µs per message. With the
   * memory store's unbounded index the retained records' GC hides the difference.
   */
  #last: MessageRecord | undefined
  /**
   * The msg_id the last `get` found nowhere. An encoder asks for a new message's number (a miss),
   * then puts it, whose own lookup would miss again — in the part map and in the backing (SQLite:
   * hash53 and its filter). Only linking a part can make an unknown id known, so `#link` clears it.
   */
  #lastMiss: string | undefined
  #next: number
  #reservedUpTo: number

  constructor(options: MessageIndexOptions) {
    this.#backing = options.backing ?? NO_BACKING
    this.#next = Math.max(1, options.nextNumber)
    this.#reservedUpTo = this.#next
    this.#reserveBlock = options.reserveBlock ?? 1000
    this.#parts = new ShardedMap(shardsFor(options.maxMessages ?? Number.POSITIVE_INFINITY))
    this.#records = new LruMap({
      maxEntries: options.maxMessages ?? Number.POSITIVE_INFINITY,
      maxWeight: options.maxBytes ?? Number.POSITIVE_INFINITY,
      weigh: weighRecord,
      onEvict: (num, record) => {
        if (record === this.#last) this.#last = undefined
        for (const part of record.parts) {
          if (this.#parts.get(part) === num) this.#parts.delete(part)
        }
      },
    })
  }

  /** The number the next new message gets. */
  get nextNumber(): number {
    return this.#next
  }

  get cachedMessages(): number {
    return this.#records.size
  }

  get cachedBytes(): number {
    return this.#records.weight
  }

  put(input: MessageInput): MessageRecord {
    checkInput(input)
    const existing = input.msgId === this.#lastMiss ? undefined : this.get(input.msgId)
    if (existing !== undefined) return this.#merge(existing, input)

    const number = this.#allocate()
    const record: MessageRecord = {
      msgId: input.msgId,
      number,
      scene: input.scene,
      userId: input.userId,
      time: input.time,
      parts: partsOf(input),
    }
    if (input.guildId !== undefined) record.guildId = input.guildId
    if (input.channelId !== undefined) record.channelId = input.channelId
    if (input.chatCode !== undefined) record.chatCode = input.chatCode
    if (input.body !== undefined) record.body = input.body
    freezeRecord(record)
    this.#records.set(number, record)
    this.#last = record
    this.#backing.messageChanged(record)
    // Extra parts given with a new message are an explicit link, like addParts.
    for (const part of record.parts) this.#link(part, number, part === record.msgId)
    return record
  }

  addParts(msgId: string, parts: string[]): void {
    const record = this.get(msgId)
    if (record === undefined) {
      throw new BridgeError(ErrorCode.NotFound, `unknown message ${msgId}`, { details: { msgId } })
    }
    if (parts.some((p) => typeof p !== 'string' || p === '')) {
      throw new BridgeError(ErrorCode.BadParams, 'parts must be non-empty strings', { details: { msgId } })
    }
    this.#merge(record, { ...record, parts })
  }

  get(msgId: string): MessageRecord | undefined {
    // Exact as long as the record is the LRU's newest: then the lookup below would return it and its
    // recency touch would change nothing. Its msg_id cannot point elsewhere meanwhile: only a later
    // put or merge re-links a part, and those replace or clear `#last`.
    const last = this.#last
    if (last !== undefined && last.msgId === msgId && this.#records.newestKey === last.number) return last
    const cached = this.#parts.get(msgId)
    if (cached !== undefined) {
      const record = this.#records.get(cached)
      if (record !== undefined) return record
    }
    const num = this.#backing.numberOfPart(msgId)
    if (num === undefined) {
      this.#lastMiss = msgId
      return undefined
    }
    const record = this.getByNumber(num)
    if (record !== undefined) this.#parts.set(msgId, num)
    return record
  }

  getByNumber(num: number): MessageRecord | undefined {
    if (!Number.isInteger(num) || num < 1 || num > MESSAGE_NUMBER_MAX) return undefined
    const cached = this.#records.get(num)
    if (cached !== undefined) return cached
    const loaded = this.#backing.loadByNumber(num)
    if (loaded === undefined) return undefined
    // Parts are not indexed from a loaded record: one of them may since have been linked elsewhere.
    const record = freezeRecord({ ...loaded, parts: [...loaded.parts] })
    this.#records.set(num, record)
    return record
  }

  /** Fills fields the record lacks and links new parts; first writer wins on conflicting values. */
  #merge(existing: MessageRecord, input: MessageInput): MessageRecord {
    // Every received message comes here once with nothing new (the kritor or OneBot encoder indexed
    // it, then the bot runtime does), so the no-change case allocates nothing: no parts array, no
    // fill object.
    const single = input.parts.length === 0 || (input.parts.length === 1 && input.parts[0] === input.msgId)
    const newParts =
      single && existing.parts.includes(input.msgId)
        ? NO_PARTS
        : partsOf(input).filter((p) => !existing.parts.includes(p))
    const guildId = existing.guildId === undefined ? input.guildId : undefined
    const channelId = existing.channelId === undefined ? input.channelId : undefined
    const chatCode = existing.chatCode === undefined ? input.chatCode : undefined
    const body = existing.body === undefined ? input.body : undefined
    const filled =
      guildId !== undefined || channelId !== undefined || chatCode !== undefined || body !== undefined
    if (newParts.length === 0 && !filled) return existing

    const record: MessageRecord = { ...existing, parts: [...existing.parts, ...newParts] }
    if (guildId !== undefined) record.guildId = guildId
    if (channelId !== undefined) record.channelId = channelId
    if (chatCode !== undefined) record.chatCode = chatCode
    if (body !== undefined) record.body = body
    freezeRecord(record)
    this.#records.set(record.number, record)
    // Not `#last`: the merged record's own msg_id may have been re-linked to another record.
    this.#last = undefined
    this.#backing.messageChanged(record)
    for (const part of newParts) this.#link(part, record.number, false)
    return record
  }

  /**
   * Points a part at a record. A part already owned by another record is re-pointed: linking is an
   * explicit statement by the sender (the gateway echo of part 2 may have arrived, and been indexed
   * on its own, before the send finished and linked it). The other record keeps its number.
   */
  #link(part: string, num: number, fresh: boolean): void {
    if (part === this.#lastMiss) this.#lastMiss = undefined
    this.#parts.set(part, num)
    this.#backing.partLinked(part, num, fresh)
  }

  #allocate(): number {
    const num = this.#next
    if (num > MESSAGE_NUMBER_MAX) {
      throw new BridgeError(ErrorCode.Internal, 'message numbers (int32) exhausted', { details: { num } })
    }
    if (num >= this.#reservedUpTo) {
      const upTo = Math.min(num + this.#reserveBlock, MESSAGE_NUMBER_MAX + 1)
      this.#backing.reserveNumbers(upTo)
      this.#reservedUpTo = upTo
    }
    this.#next = num + 1
    return num
  }
}
