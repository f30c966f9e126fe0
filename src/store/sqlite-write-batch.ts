/**
 * One write-behind window of the SQLite store as plain arrays, and the SQL that applies it. Shared by
 * the writer thread (sqlite-writer.ts, the normal case) and the main thread (before the writer starts
 * and after it failed), so both write exactly the same rows.
 *
 * Plain flat arrays because the batch crosses threads by structured clone: a flat array of strings
 * and numbers is the cheapest thing to clone (measured, 50-row windows: ~1.3 µs per row on the main
 * thread to build and post, against ~12 µs per row to commit the same rows there).
 *
 * Imports nothing at run time: the writer thread loads this module, and every module it loads costs
 * that thread heap and start-up time.
 */
import type Database from 'better-sqlite3'
import type { GatewaySession, MessageRecord } from './bridge-store.js'

/** Slots per message in `WriteBatch.messages`. */
export const MESSAGE_SLOTS = 10

/** Message counter name in the `counters` table. */
export const MESSAGE_COUNTER = 'message'

export interface WriteBatch {
  /**
   * Per message, MESSAGE_SLOTS slots: number, msgId, scene, guildId, channelId, chatCode, userId,
   * time, parts (`null` when the parts are just `[msgId]`, every received message), body. Absent
   * optional fields are `null`.
   */
  messages: Array<string | number | null | readonly string[]>
  /** Per part link, 4 slots: partId, number, fresh (1: no row on disk yet), hash53 key. */
  parts: Array<string | number>
  /** Per chat code, 2 slots: userId, chatCode. */
  chatCodes: string[]
  /** Absent: unchanged; `null`: cleared. */
  session?: [sessionId: string, sn: number] | null
}

/** What the store collects during one window (also kept until the window is committed, for reads). */
export interface PendingWindow {
  messages: Map<number, MessageRecord>
  /** `fresh`: no row for the part on disk yet, so it is inserted without looking. */
  parts: Map<string, { num: number; fresh: boolean; key: number }>
  chatCodes: Map<string, string>
  /** `undefined`: unchanged; `{ value: undefined }`: cleared. */
  session: { value: GatewaySession | undefined } | undefined
}

export function emptyWindow(): PendingWindow {
  return { messages: new Map(), parts: new Map(), chatCodes: new Map(), session: undefined }
}

export function windowSize(window: PendingWindow): number {
  return (
    window.messages.size + window.parts.size + window.chatCodes.size + (window.session === undefined ? 0 : 1)
  )
}

/**
 * `later` laid over `earlier` (both uncommitted, `earlier` older): the newest record of a message and
 * the newest link of a part win; a part stays fresh if either window inserted it fresh, as nothing
 * of it is on disk yet.
 */
export function mergeWindows(earlier: PendingWindow, later: PendingWindow): PendingWindow {
  const merged: PendingWindow = {
    messages: new Map([...earlier.messages, ...later.messages]),
    parts: new Map(earlier.parts),
    chatCodes: new Map([...earlier.chatCodes, ...later.chatCodes]),
    session: later.session ?? earlier.session,
  }
  for (const [partId, link] of later.parts) {
    const before = merged.parts.get(partId)
    merged.parts.set(partId, before?.fresh === true && !link.fresh ? { ...link, fresh: true } : link)
  }
  return merged
}

export function encodeWindow(window: PendingWindow): WriteBatch {
  const messages: WriteBatch['messages'] = []
  for (const r of window.messages.values()) {
    const parts = r.parts.length === 1 && r.parts[0] === r.msgId ? null : r.parts
    messages.push(
      r.number,
      r.msgId,
      r.scene,
      r.guildId ?? null,
      r.channelId ?? null,
      r.chatCode ?? null,
      r.userId,
      r.time,
      parts,
      r.body ?? null,
    )
  }
  const parts: WriteBatch['parts'] = []
  for (const [partId, { num, fresh, key }] of window.parts) parts.push(partId, num, fresh ? 1 : 0, key)
  const chatCodes: string[] = []
  for (const [userId, chatCode] of window.chatCodes) chatCodes.push(userId, chatCode)
  const batch: WriteBatch = { messages, parts, chatCodes }
  if (window.session !== undefined) {
    const session = window.session.value
    batch.session = session === undefined ? null : [session.sessionId, session.sn]
  }
  return batch
}

type MessageParams = [
  string,
  number,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string,
  number,
  string,
  string | null,
]

export interface WriteStatements {
  putMessage: Database.Statement<MessageParams>
  insertPart: Database.Statement<[string, number, string, number]>
  relinkPart: Database.Statement<[number, string, number, string]>
  putSession: Database.Statement<[string, string, number]>
  deleteSession: Database.Statement<[string]>
  putChatCode: Database.Statement<[string, string, string]>
  reserve: Database.Statement<[string, string, number]>
}

export function prepareWriteStatements(db: Database.Database): WriteStatements {
  return {
    putMessage: db.prepare<MessageParams>(
      `INSERT OR REPLACE INTO messages
         (bot, number, msg_id, scene, guild_id, channel_id, chat_code, user_id, time, parts, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertPart: db.prepare<[string, number, string, number]>(
      'INSERT INTO message_parts (bot, part_key, part_id, number) VALUES (?, ?, ?, ?)',
    ),
    relinkPart: db.prepare<[number, string, number, string]>(
      'UPDATE message_parts SET number = ? WHERE bot = ? AND part_key = ? AND part_id = ?',
    ),
    putSession: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO sessions (bot, session_id, sn) VALUES (?, ?, ?)',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE bot = ?'),
    putChatCode: db.prepare<[string, string, string]>(
      'INSERT OR REPLACE INTO chat_codes (bot, user_id, chat_code) VALUES (?, ?, ?)',
    ),
    // max(): reservations are written by both threads (the main thread's synchronous one and the
    // writer's look-ahead) in either order; the counter must never go back below one of them.
    reserve: db.prepare<[string, string, number]>(
      `INSERT INTO counters (bot, name, value) VALUES (?, ?, ?)
       ON CONFLICT (bot, name) DO UPDATE SET value = max(value, excluded.value)`,
    ),
  }
}

/** Writes `batch`; the caller wraps it in one transaction. */
export function applyBatch(sql: WriteStatements, bot: string, batch: WriteBatch): void {
  const m = batch.messages
  for (let i = 0; i < m.length; i += MESSAGE_SLOTS) {
    const msgId = m[i + 1] as string
    const parts = m[i + 8] as readonly string[] | null
    sql.putMessage.run(
      bot,
      m[i] as number,
      msgId,
      m[i + 2] as string,
      m[i + 3] as string | null,
      m[i + 4] as string | null,
      m[i + 5] as string | null,
      m[i + 6] as string,
      m[i + 7] as number,
      JSON.stringify(parts ?? [msgId]),
      m[i + 9] as string | null,
    )
  }
  const p = batch.parts
  for (let i = 0; i < p.length; i += 4) {
    const partId = p[i] as string
    const num = p[i + 1] as number
    const key = p[i + 3] as number
    if (p[i + 2] === 1 || sql.relinkPart.run(num, bot, key, partId).changes === 0) {
      sql.insertPart.run(bot, key, partId, num)
    }
  }
  const c = batch.chatCodes
  for (let i = 0; i < c.length; i += 2) sql.putChatCode.run(bot, c[i] as string, c[i + 1] as string)
  if (batch.session === null) sql.deleteSession.run(bot)
  else if (batch.session !== undefined) sql.putSession.run(bot, batch.session[0], batch.session[1])
}
