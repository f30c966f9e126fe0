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
  readonly #parts = new Map<string, number>()
  readonly #reserveBlock: number
  #next: number
  #reservedUpTo: number

  constructor(options: MessageIndexOptions) {
    this.#backing = options.backing ?? NO_BACKING
    this.#next = Math.max(1, options.nextNumber)
    this.#reservedUpTo = this.#next
    this.#reserveBlock = options.reserveBlock ?? 1000
    this.#records = new LruMap({
      maxEntries: options.maxMessages ?? Number.POSITIVE_INFINITY,
      maxWeight: options.maxBytes ?? Number.POSITIVE_INFINITY,
      weigh: weighRecord,
      onEvict: (num, record) => {
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
    const existing = this.get(input.msgId)
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
    const cached = this.#parts.get(msgId)
    if (cached !== undefined) {
      const record = this.#records.get(cached)
      if (record !== undefined) return record
    }
    const num = this.#backing.numberOfPart(msgId)
    if (num === undefined) return undefined
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
    const newParts = partsOf(input).filter((p) => !existing.parts.includes(p))
    const fill = {
      guildId: existing.guildId === undefined ? input.guildId : undefined,
      channelId: existing.channelId === undefined ? input.channelId : undefined,
      chatCode: existing.chatCode === undefined ? input.chatCode : undefined,
      body: existing.body === undefined ? input.body : undefined,
    }
    const filled = Object.values(fill).some((v) => v !== undefined)
    if (newParts.length === 0 && !filled) return existing

    const record: MessageRecord = { ...existing, parts: [...existing.parts, ...newParts] }
    if (fill.guildId !== undefined) record.guildId = fill.guildId
    if (fill.channelId !== undefined) record.channelId = fill.channelId
    if (fill.chatCode !== undefined) record.chatCode = fill.chatCode
    if (fill.body !== undefined) record.body = fill.body
    freezeRecord(record)
    this.#records.set(record.number, record)
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
