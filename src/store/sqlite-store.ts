/**
 * BridgeStore in a SQLite file (better-sqlite3), the default. Several bots may share one file, each
 * in its own id space keyed by `bot`.
 *
 * Hot-path calls never wait for the disk. Reads are served from memory (aliases, chat codes and the
 * session are loaded whole at open; messages through a bounded LRU, misses read from SQLite). Writes
 * are write-behind: changes are coalesced in pending maps and written in one transaction at most
 * `flushIntervalMs` after the first of them (sooner when `flushAfter` changes are waiting), or on
 * `flush()` / `close()`.
 *
 * Why a time window and not one commit per event-loop tick: a commit rewrites every page it dirtied
 * (the tails of the message tables plus one random page of the msg_id index per message), and a
 * gateway tick carries only a few events. Measured (putMessage + numberFor per event, CPU time,
 * 40k events, store-bench's loop with N events per tick): one commit per tick cost 75 µs/event at
 * N = 1, 34 at 16, 21 at 500; with the 50 ms window (and the part-key filter) 12–13 µs at any N,
 * against 4.4 for the memory store. What a commit costs still depends on its size (100k events, N
 * rows a commit: 32 µs/event at 5, 25 at 20, 20 at 50, 18 at 200, 12.5 at 1000), so the window is
 * in time: 50 rows a commit at 1,000 events/s, 1,000 at 20,000/s. A process crash loses at most the
 * window's records (their numbers stay reserved, see below, so none is ever reused); a clean close
 * loses nothing.
 *
 * Two things are written synchronously instead, because losing them in a crash would hand one number
 * to two things: new aliases (rare: once per guild/channel ever seen) and message-number reservations
 * (one tiny write per `reserveBlock` messages). After a crash, numbering resumes above the last
 * reservation; a clean close records the exact position, so no numbers are skipped.
 */
import Database from 'better-sqlite3'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { AliasSpace } from './alias-space.js'
import type { AliasKind, BridgeStore, GatewaySession, MessageRecord, StoreOptions } from './bridge-store.js'
import { hash53 } from './hash53.js'
import { type MessageBacking, MessageIndex, type MessageInput } from './message-index.js'
import { PartKeyFilter } from './part-key-filter.js'
import { migrateSchema } from './sqlite-schema.js'

export interface SqliteStoreOptions extends Omit<StoreOptions, 'location'> {
  /** Path of the SQLite file; its directory must exist (`openStore` creates it). */
  file: string
  /** Message numbers covered by one durable reservation. @defaultValue 1000 */
  reserveBlock?: number
  /** Longest a change waits in memory before its write-behind commit. @defaultValue 50 */
  flushIntervalMs?: number
  /**
   * Pending changes that trigger the commit at the end of the current tick instead. Bounds memory in
   * a burst, and how long one commit holds the event loop (~8 µs per message at 1000 rows a commit,
   * so ~15 ms at the default). @defaultValue 2000
   */
  flushAfter?: number
}

export interface SqliteStoreStats {
  cachedMessages: number
  cachedBytes: number
  /** Changes waiting for the next write-behind flush. */
  pendingWrites: number
}

const ALIAS_KINDS = ['user', 'guild', 'channel'] as const satisfies readonly AliasKind[]
const MESSAGE_COUNTER = 'message'
const aliasCounter = (kind: AliasKind) => `alias:${kind}`

interface MessageRow {
  number: number
  msg_id: string
  scene: string
  guild_id: string | null
  channel_id: string | null
  chat_code: string | null
  user_id: string
  time: number
  parts: string
  body: string | null
}

function rowToRecord(row: MessageRow): MessageRecord {
  const record: MessageRecord = {
    msgId: row.msg_id,
    number: row.number,
    scene: row.scene === 'direct' ? 'direct' : 'channel',
    userId: row.user_id,
    time: row.time,
    parts: JSON.parse(row.parts) as string[],
  }
  if (row.guild_id !== null) record.guildId = row.guild_id
  if (row.channel_id !== null) record.channelId = row.channel_id
  if (row.chat_code !== null) record.chatCode = row.chat_code
  if (row.body !== null) record.body = row.body
  return record
}

function storageError(reason: unknown, what: string, file: string): BridgeError {
  if (reason instanceof BridgeError) return reason
  return new BridgeError(ErrorCode.Internal, `store ${file}: ${what} failed: ${String(reason)}`, {
    cause: reason,
    details: { file, what },
  })
}

function prepareStatements(db: Database.Database) {
  return {
    counters: db.prepare<[string], { name: string; value: number }>(
      'SELECT name, value FROM counters WHERE bot = ?',
    ),
    putCounter: db.prepare<[string, string, number]>(
      'INSERT INTO counters (bot, name, value) VALUES (?, ?, ?) ON CONFLICT (bot, name) DO UPDATE SET value = excluded.value',
    ),
    aliases: db.prepare<[string], { kind: string; id: string; num: number }>(
      'SELECT kind, id, num FROM aliases WHERE bot = ?',
    ),
    insertAlias: db.prepare<[string, string, string, number]>(
      'INSERT INTO aliases (bot, kind, id, num) VALUES (?, ?, ?, ?)',
    ),
    maxNumber: db.prepare<[string], number | null>('SELECT MAX(number) FROM messages WHERE bot = ?').pluck(),
    message: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE bot = ? AND number = ?'),
    partCandidates: db.prepare<[string, number], { part_id: string; number: number }>(
      'SELECT part_id, number FROM message_parts WHERE bot = ? AND part_key = ?',
    ),
    partKeyCount: db.prepare<[string], number>('SELECT COUNT(*) FROM message_parts WHERE bot = ?').pluck(),
    partKeys: db.prepare<[string], number>('SELECT part_key FROM message_parts WHERE bot = ?').pluck(),
    putMessage: db.prepare<
      [
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
    >(
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
    session: db.prepare<[string], { session_id: string; sn: number }>(
      'SELECT session_id, sn FROM sessions WHERE bot = ?',
    ),
    putSession: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO sessions (bot, session_id, sn) VALUES (?, ?, ?)',
    ),
    deleteSession: db.prepare<[string]>('DELETE FROM sessions WHERE bot = ?'),
    chatCodes: db.prepare<[string], { user_id: string; chat_code: string }>(
      'SELECT user_id, chat_code FROM chat_codes WHERE bot = ?',
    ),
    putChatCode: db.prepare<[string, string, string]>(
      'INSERT OR REPLACE INTO chat_codes (bot, user_id, chat_code) VALUES (?, ?, ?)',
    ),
  }
}

type Statements = ReturnType<typeof prepareStatements>

export class SqliteStore implements BridgeStore {
  readonly #file: string
  readonly #bot: string
  readonly #db: Database.Database
  readonly #sql: Statements
  readonly #onError: ((error: BridgeError) => void) | undefined
  readonly #aliases: Record<AliasKind, AliasSpace>
  readonly #messages: MessageIndex
  readonly #chatCodes = new Map<string, string>()
  #session: GatewaySession | undefined

  readonly #pendingMessages = new Map<number, MessageRecord>()
  /**
   * `fresh`: no row for the part on disk yet, so it can be inserted without looking. `key`: its
   * hash53, computed once when linked.
   */
  readonly #pendingParts = new Map<string, { num: number; fresh: boolean; key: number }>()
  /** Every part key on disk or pending: a "no" skips the index query (see part-key-filter.ts). */
  readonly #partKeys: PartKeyFilter
  readonly #flushIntervalMs: number
  readonly #flushAfter: number
  readonly #pendingChatCodes = new Map<string, string>()
  /** `undefined`: unchanged; `{ value: undefined }`: cleared. */
  #pendingSession: { value: GatewaySession | undefined } | undefined
  #scheduled: NodeJS.Timeout | NodeJS.Immediate | undefined
  /** `#scheduled` is an immediate (a burst), not the window's timeout. */
  #immediate = false
  #closed = false
  #writePendingTx: () => void = () => {}
  #recordAliasTx: (kind: AliasKind, id: string, num: number, nextAlias: number) => void = () => {}

  constructor(options: SqliteStoreOptions) {
    this.#file = options.file
    this.#bot = options.bot
    this.#onError = options.onError
    this.#flushIntervalMs = options.flushIntervalMs ?? 50
    this.#flushAfter = options.flushAfter ?? 2000
    let db: Database.Database | undefined
    try {
      db = new Database(options.file, { timeout: 5_000 })
      // WAL: readers never block the writer, and one fsync-free commit per tick is cheap. NORMAL
      // sync in WAL mode survives a process crash (only an OS crash can lose the last commits).
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      // Checkpoint every ~40 MB of WAL instead of ~4 MB: index pages rewritten by many commits are
      // then copied back once (measured: about a third less write cost per message).
      db.pragma('wal_autocheckpoint = 10000')
      migrateSchema(db, options.file)
      this.#db = db
      this.#sql = prepareStatements(db)
      const sql = this.#sql
      this.#writePendingTx = db.transaction(() => this.#writePending())
      this.#recordAliasTx = db.transaction((kind: AliasKind, id: string, num: number, nextAlias: number) => {
        sql.insertAlias.run(options.bot, kind, id, num)
        sql.putCounter.run(options.bot, aliasCounter(kind), nextAlias)
      })
      const loaded = this.#load()
      this.#aliases = loaded.aliases
      this.#partKeys = loaded.partKeys
      this.#messages = new MessageIndex({
        nextNumber: loaded.nextNumber,
        backing: this.#backing(),
        maxMessages: options.cache?.messages ?? 100_000,
        maxBytes: options.cache?.bytes ?? 64 * 1024 * 1024,
        ...(options.reserveBlock === undefined ? {} : { reserveBlock: options.reserveBlock }),
      })
    } catch (error) {
      db?.close()
      if (error instanceof BridgeError) throw error
      throw new BridgeError(ErrorCode.ConfigInvalid, `cannot open store ${options.file}: ${String(error)}`, {
        cause: error,
        details: { file: options.file },
      })
    }
  }

  numberFor(kind: AliasKind, id: string): number {
    this.#assertOpen()
    return this.#aliases[kind].numberFor(id)
  }

  idFor(kind: AliasKind, num: number): string {
    this.#assertOpen()
    return this.#aliases[kind].idFor(num)
  }

  putMessage(record: MessageInput): MessageRecord {
    this.#assertOpen()
    return this.#messages.put(record)
  }

  addParts(msgId: string, parts: string[]): void {
    this.#assertOpen()
    this.#messages.addParts(msgId, parts)
  }

  getMessage(msgId: string): MessageRecord | undefined {
    this.#assertOpen()
    return this.#messages.get(msgId)
  }

  getMessageByNumber(num: number): MessageRecord | undefined {
    this.#assertOpen()
    return this.#messages.getByNumber(num)
  }

  loadSession(): GatewaySession | undefined {
    this.#assertOpen()
    return this.#session === undefined ? undefined : { ...this.#session }
  }

  saveSession(session: GatewaySession | undefined): void {
    this.#assertOpen()
    const value = session === undefined ? undefined : { sessionId: session.sessionId, sn: session.sn }
    this.#session = value
    this.#pendingSession = { value }
    this.#schedule()
  }

  rememberChatCode(userId: string, chatCode: string): void {
    this.#assertOpen()
    if (this.#chatCodes.get(userId) === chatCode) return
    this.#chatCodes.set(userId, chatCode)
    this.#pendingChatCodes.set(userId, chatCode)
    this.#schedule()
  }

  chatCodeFor(userId: string): string | undefined {
    this.#assertOpen()
    return this.#chatCodes.get(userId)
  }

  directPeers(): Array<{ userId: string; chatCode: string }> {
    this.#assertOpen()
    return [...this.#chatCodes].map(([userId, chatCode]) => ({ userId, chatCode }))
  }

  flush(): void {
    this.#assertOpen()
    this.#flushPending()
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    let failure: BridgeError | undefined
    try {
      this.#flushPending()
      // Every allocated number is on disk now: record the exact position so a restart skips none.
      this.#sql.putCounter.run(this.#bot, MESSAGE_COUNTER, this.#messages.nextNumber)
    } catch (error) {
      failure = storageError(error, 'close', this.#file)
    } finally {
      this.#cancelScheduled()
      this.#db.close()
    }
    if (failure !== undefined) throw failure
  }

  /** Cache and queue sizes, for metrics and tests. */
  stats(): SqliteStoreStats {
    return {
      cachedMessages: this.#messages.cachedMessages,
      cachedBytes: this.#messages.cachedBytes,
      pendingWrites:
        this.#pendingMessages.size +
        this.#pendingParts.size +
        this.#pendingChatCodes.size +
        (this.#pendingSession === undefined ? 0 : 1),
    }
  }

  #load() {
    const bot = this.#bot
    const sql = this.#sql
    const counters = new Map(sql.counters.all(bot).map((row) => [row.name, row.value]))
    const entries: Record<AliasKind, Array<[string, number]>> = { user: [], guild: [], channel: [] }
    for (const row of sql.aliases.all(bot)) {
      if (row.kind === 'user' || row.kind === 'guild' || row.kind === 'channel') {
        entries[row.kind].push([row.id, row.num])
      }
    }
    const aliases = {} as Record<AliasKind, AliasSpace>
    for (const kind of ALIAS_KINDS) {
      const nextAlias = counters.get(aliasCounter(kind))
      aliases[kind] = new AliasSpace(
        nextAlias === undefined ? { entries: entries[kind] } : { entries: entries[kind], nextAlias },
        (id, num, next) => this.#recordAlias(kind, id, num, next),
      )
    }
    for (const row of sql.chatCodes.all(bot)) this.#chatCodes.set(row.user_id, row.chat_code)
    // One covering-index scan (measured ~0.3 µs per row: ~0.3 s at open for a million messages).
    // One writer per bot is assumed here as for the aliases: rows another process adds later are
    // not in the filter.
    const partKeys = new PartKeyFilter(sql.partKeyCount.get(bot) ?? 0)
    for (const key of sql.partKeys.iterate(bot)) partKeys.add(key)
    const session = sql.session.get(bot)
    if (session !== undefined) this.#session = { sessionId: session.session_id, sn: session.sn }
    // The counter is authoritative; the max is a guard should it ever lag the rows it numbers.
    const nextNumber = Math.max(counters.get(MESSAGE_COUNTER) ?? 1, (sql.maxNumber.get(bot) ?? 0) + 1)
    return { aliases, nextNumber, partKeys }
  }

  #recordAlias(kind: AliasKind, id: string, num: number, nextAlias: number): void {
    try {
      this.#recordAliasTx(kind, id, num, nextAlias)
    } catch (error) {
      throw storageError(error, 'recording an alias', this.#file)
    }
  }

  #backing(): MessageBacking {
    const bot = this.#bot
    const sql = this.#sql
    return {
      loadByNumber: (num) => {
        const pending = this.#pendingMessages.get(num)
        if (pending !== undefined) return pending
        try {
          const row = sql.message.get(bot, num)
          return row === undefined ? undefined : rowToRecord(row)
        } catch (error) {
          throw storageError(error, 'reading a message', this.#file)
        }
      },
      numberOfPart: (partId) => {
        const pending = this.#pendingParts.get(partId)
        if (pending !== undefined) return pending.num
        const key = hash53(partId)
        // The common case: a new message's msg_id, certainly not on disk, so no query.
        if (!this.#partKeys.mightContain(key)) return undefined
        try {
          let found: number | undefined
          // Usually zero or one row; a 53-bit hash collision just adds a row to compare.
          for (const row of sql.partCandidates.all(bot, key)) {
            if (row.part_id === partId) found = row.number
          }
          return found
        } catch (error) {
          throw storageError(error, 'reading a message part', this.#file)
        }
      },
      messageChanged: (record) => {
        this.#pendingMessages.set(record.number, record)
        this.#schedule()
      },
      partLinked: (partId, num, fresh) => {
        // A re-link before the first flush still has no row on disk: it stays fresh.
        const pending = this.#pendingParts.get(partId)
        const fresher = fresh || pending?.fresh === true
        const key = pending?.key ?? hash53(partId)
        // Before the write: from now on the part may be on disk.
        if (pending === undefined) this.#partKeys.add(key)
        this.#pendingParts.set(partId, { num, fresh: fresher, key })
        this.#schedule()
      },
      reserveNumbers: (upTo) => {
        try {
          sql.putCounter.run(bot, MESSAGE_COUNTER, upTo)
        } catch (error) {
          throw storageError(error, 'reserving message numbers', this.#file)
        }
      },
    }
  }

  #schedule(): void {
    if (this.#scheduled === undefined) {
      this.#scheduled = setTimeout(this.#background, this.#flushIntervalMs)
    } else if (this.#pendingMessages.size + this.#pendingParts.size >= this.#flushAfter && !this.#immediate) {
      // A burst: commit at the end of this tick rather than hold an unbounded queue for the window.
      this.#cancelScheduled()
      this.#scheduled = setImmediate(this.#background)
      this.#immediate = true
    }
  }

  readonly #background = (): void => {
    this.#scheduled = undefined
    this.#immediate = false
    try {
      this.#flushPending()
    } catch (error) {
      // Pending writes stay queued; the next write, flush() or close() retries and throws.
      this.#onError?.(storageError(error, 'write-behind flush', this.#file))
    }
  }

  #cancelScheduled(): void {
    const scheduled = this.#scheduled
    if (scheduled === undefined) return
    if (this.#immediate) clearImmediate(scheduled as NodeJS.Immediate)
    else clearTimeout(scheduled as NodeJS.Timeout)
    this.#scheduled = undefined
    this.#immediate = false
  }

  #flushPending(): void {
    this.#cancelScheduled()
    if (
      this.#pendingMessages.size === 0 &&
      this.#pendingParts.size === 0 &&
      this.#pendingChatCodes.size === 0 &&
      this.#pendingSession === undefined
    ) {
      return
    }
    try {
      this.#writePendingTx()
    } catch (error) {
      throw storageError(error, 'flush', this.#file)
    }
    this.#pendingMessages.clear()
    this.#pendingParts.clear()
    this.#pendingChatCodes.clear()
    this.#pendingSession = undefined
  }

  /** One transaction: a tick's worth of changes costs one commit, not one per event. */
  #writePending(): void {
    const bot = this.#bot
    const sql = this.#sql
    for (const r of this.#pendingMessages.values()) {
      sql.putMessage.run(
        bot,
        r.number,
        r.msgId,
        r.scene,
        r.guildId ?? null,
        r.channelId ?? null,
        r.chatCode ?? null,
        r.userId,
        r.time,
        JSON.stringify(r.parts),
        r.body ?? null,
      )
    }
    for (const [partId, { num, fresh, key }] of this.#pendingParts) {
      if (fresh || sql.relinkPart.run(num, bot, key, partId).changes === 0) {
        sql.insertPart.run(bot, key, partId, num)
      }
    }
    for (const [userId, chatCode] of this.#pendingChatCodes) sql.putChatCode.run(bot, userId, chatCode)
    if (this.#pendingSession !== undefined) {
      const session = this.#pendingSession.value
      if (session === undefined) sql.deleteSession.run(bot)
      else sql.putSession.run(bot, session.sessionId, session.sn)
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new BridgeError(ErrorCode.Closed, `the store ${this.#file} is closed`)
  }
}
