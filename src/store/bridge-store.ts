/**
 * Persistent state of one bot: numeric id aliases (OneBot needs numbers), the message index, the
 * gateway session and DM chat codes. Two implementations share one contract suite
 * (`test/store/bridge-store.contract.ts`): SQLite (default, a file in the data directory) and memory.
 *
 * Hot-path calls (`numberFor`, `putMessage`, `getMessage`) are synchronous and served from memory;
 * the SQLite store persists with write-behind batches so an event never waits for a disk write.
 */
import type { Scene } from '../model/bridge-event.js'

/** Kinds of KOOK ids that get numeric aliases. Each kind has its own number space. */
export type AliasKind = 'user' | 'guild' | 'channel'

export interface MessageRecord {
  /** KOOK msg_id of the first (or only) KOOK message of this logical message. */
  msgId: string
  /** Positive int32, allocated once, never reused, survives restarts (OneBot message_id). */
  number: number
  /** Positive increasing synthetic sequence (kritor message_seq). Equal to `number`. */
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
  /** Reverse of `numberFor`: the KOOK id behind a number (alias or pass-through). */
  idFor(kind: AliasKind, num: number): string

  /** Allocates (or returns) the record of a message. `number` is assigned by the store. */
  putMessage(record: Omit<MessageRecord, 'number'> & { number?: number }): MessageRecord
  /** Adds further KOOK msg_ids to a logical message (a send split into several KOOK messages). */
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
  close(): void
}

export interface StoreOptions {
  /** `memory` for tests; otherwise a SQLite file path. */
  location: 'memory' | { file: string }
  /** Bot key: several bots can share one file, each in its own id space. */
  bot: string
}
