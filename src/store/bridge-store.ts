/**
 * Persistent state of one bot: numeric id aliases (OneBot needs numbers), the message index, the
 * gateway session and DM chat codes. Two implementations share one contract suite
 * (`test/store/bridge-store.contract.ts`): SQLite (default, a file in the data directory) and memory.
 *
 * Hot-path calls (`numberFor`, `putMessage`, `getMessage`) are synchronous and served from memory;
 * the SQLite store persists with write-behind batches so an event never waits for a disk write.
 */
import type { BridgeError } from '../errors/bridge-error.js'
import type { MessageEvent, Scene } from '../model/bridge-event.js'

/** Kinds of KOOK ids that get numeric aliases. Each kind has its own number space. */
export type AliasKind = 'user' | 'guild' | 'channel'

export interface MessageRecord {
  /** KOOK msg_id of the first (or only) KOOK message of this logical message. */
  msgId: string
  /**
   * Positive int32, allocated once, never reused, survives restarts (OneBot message_id). Also the
   * positive increasing synthetic sequence (kritor message_seq).
   */
  number: number
  scene: Scene
  guildId?: string
  channelId?: string
  chatCode?: string
  /** Author id. */
  userId: string
  time: number
  /** Every KOOK msg_id of the logical message, in send order (a send may become several messages). */
  parts: string[]
  /** Serialized content for get-message (JSON of the MessageEvent without `raw`), when kept. */
  body?: string
}

export interface GatewaySession {
  sessionId: string
  sn: number
}

export interface BridgeStore {
  /**
   * The number a KOOK id is shown as to number-only protocols. Ids that fit a JS safe integer pass
   * through unchanged; larger ones get a stable alias that is itself a safe integer.
   */
  numberFor(kind: AliasKind, id: string): number
  /**
   * Reverse of `numberFor`: the KOOK id behind a number (alias or pass-through). Throws `BAD_PARAMS`
   * for a value no id can have (NaN from `Number(uuid)`, negative, fractional, above 2^53−1).
   */
  idFor(kind: AliasKind, num: number): string

  /**
   * Allocates (or returns) the record of a message. Idempotent on `msgId` (also when `msgId` is a
   * part of a known logical message): the existing record is returned, with fields it lacked filled
   * in from `record` and new parts linked. `number` is owned by the store: a given one is ignored.
   * Returned records are frozen snapshots.
   */
  putMessage(record: Omit<MessageRecord, 'number'> & { number?: number }): MessageRecord
  /**
   * Adds further KOOK msg_ids to a logical message (a send split into several KOOK messages); each
   * part then resolves to it through `getMessage`. Throws `NOT_FOUND` when `msgId` is unknown.
   */
  addParts(msgId: string, parts: string[]): void
  getMessage(msgId: string): MessageRecord | undefined
  getMessageByNumber(num: number): MessageRecord | undefined

  loadSession(): GatewaySession | undefined
  saveSession(session: GatewaySession | undefined): void

  /** DM chat codes learned from events: needed to view or fetch DMs by user. */
  rememberChatCode(userId: string, chatCode: string): void
  chatCodeFor(userId: string): string | undefined
  /** Users with a known DM session (kritor GetFriendList, OneBot get_friend_list). */
  directPeers(): Array<{ userId: string; chatCode: string }>

  /** Writes pending changes now. */
  flush(): void
  /** Flushes and releases the store; idempotent. Any other call afterwards throws `CLOSED`. */
  close(): void
}

export interface StoreOptions {
  /** `memory` for tests; otherwise a SQLite file path. */
  location: 'memory' | { file: string }
  /** Bot key: several bots can share one file, each in its own id space. */
  bot: string
  /** Bounds of the in-memory message cache of the SQLite store (older records are read from disk). */
  cache?: {
    /** @defaultValue 100_000 */
    messages?: number
    /** Estimated bytes of cached records (bodies dominate). @defaultValue 64 MiB */
    bytes?: number
  }
  /**
   * Called when a background (write-behind) flush fails. The pending writes are kept and retried on
   * the next write, `flush()` or `close()`, which throw the error themselves.
   */
  onError?: (error: BridgeError) => void
}

/**
 * The index record of a received message (one KOOK message, its own only part). Built with plain
 * assignments, not spreads: the runtime indexes every message with it.
 */
export function messageRecordOf(event: MessageEvent): Omit<MessageRecord, 'number'> {
  const record: Omit<MessageRecord, 'number'> = {
    msgId: event.messageId,
    scene: event.scene,
    userId: event.sender.id,
    time: event.time,
    parts: [event.messageId],
  }
  // A DM read back from KOOK may carry an empty guild id: no guild.
  if (event.guildId !== undefined && event.guildId !== '') record.guildId = event.guildId
  if (event.channelId !== undefined) record.channelId = event.channelId
  if (event.chatCode !== undefined) record.chatCode = event.chatCode
  return record
}
