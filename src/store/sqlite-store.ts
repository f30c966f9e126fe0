/**
 * BridgeStore in a SQLite file (better-sqlite3), the default. Several bots may share one file, each
 * in its own id space keyed by `bot`.
 *
 * Hot-path calls never wait for the disk. Reads are served from memory (aliases, chat codes and the
 * session are loaded whole at open; messages through a bounded LRU, then what is not yet committed,
 * then SQLite). Writes are write-behind: changes are coalesced into a window that ends at most
 * `flushIntervalMs` after its first change (sooner when `flushAfter` changes are waiting), or on
 * `flush()` / `close()`, and is committed in one transaction.
 *
 * Why a time window and not one commit per event-loop tick: a commit rewrites every page it dirtied
 * (the tails of the message tables plus one random page of the msg_id index per message), and a
 * gateway tick carries only a few events. Measured (putMessage + numberFor per event, CPU time,
 * 40k events, store-bench's loop with N events per tick): one commit per tick cost 75 µs/event at
 * N = 1, 34 at 16, 21 at 500; with the 50 ms window (and the part-key filter) 12–13 µs at any N,
 * against 4.4 for the memory store. What a commit costs still depends on its size (100k events, N
 * rows a commit: 32 µs/event at 5, 25 at 20, 20 at 50, 18 at 200, 12.5 at 1000), so the window is
 * in time: 50 rows a commit at 1,000 events/s, 1,000 at 20,000/s. A process crash loses at most the
 * windows not yet committed (their numbers stay reserved, see below, so none is ever reused); a
 * clean close loses nothing.
 *
 * The commits run on a writer thread (sqlite-writer.ts, its own connection to the file; WAL lets it
 * write while this thread reads), started with the first window that holds messages, so an idle
 * bridge does not pay its ~10 MB of RSS (measured: 52.9 → 63.3 MB at its start, built JS). This
 * thread only copies each window into flat arrays and posts it. Measured at a paced 10,000 events/s
 * (putMessage + numberFor, per-thread CPU from /proc schedstat, 60k events, 2 runs each, busy 2-core
 * box): main-thread CPU 21.4 → 10.6–13.9 µs/event (4.5 of it the pacing loop), all threads 24 →
 * 24–30; the event loop held per window 6.6–6.9 → 0.37–0.43 ms (p50) and 88–140 → 4.5–5.9 ms (p99,
 * the old one including WAL checkpoints, now also on the writer). At 1,000/s: 0.85 → 0.21 ms (p50).
 * The writer runs at a lower priority (see sqlite-writer.ts: wake-up preemption on the main thread).
 * Windows in flight stay readable from memory until the writer's commit is seen; a writer that
 * falls ten bursts behind makes this thread wait (back-pressure), and one that fails hands its
 * windows back to be written here, as before the thread existed, until a write succeeds.
 *
 * Two things are durable before the call that needs them returns, because losing them in a crash
 * would hand one number to two things: new aliases (rare: once per id too large to pass through),
 * written here; and message-number reservations, which the writer keeps RESERVE_AHEAD blocks ahead
 * of the block in use (see #reserve). After a crash, numbering resumes above the last reservation;
 * a clean close records the exact position, so no numbers are skipped.
 */
import Database from 'better-sqlite3'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { ShardedMap } from '../util/sharded-map.js'
import { AliasSpace } from './alias-space.js'
import type { AliasKind, BridgeStore, GatewaySession, MessageRecord, StoreOptions } from './bridge-store.js'
import { hash53 } from './hash53.js'
import { MESSAGE_NUMBER_MAX, type MessageBacking, MessageIndex, type MessageInput } from './message-index.js'
import { PartKeyFilter } from './part-key-filter.js'
import { migrateSchema } from './sqlite-schema.js'
import {
  applyBatch,
  emptyWindow,
  encodeWindow,
  MESSAGE_COUNTER,
  mergeWindows,
  type PendingWindow,
  prepareWriteStatements,
  type WriteBatch,
  windowSize,
} from './sqlite-write-batch.js'
import { SqliteWriterClient } from './sqlite-writer-client.js'

export interface SqliteStoreOptions extends Omit<StoreOptions, 'location'> {
  /** Path of the SQLite file; its directory must exist (`openStore` creates it). */
  file: string
  /** Message numbers covered by one durable reservation. @defaultValue 1000 */
  reserveBlock?: number
  /** Longest a change waits in memory before its write-behind commit. @defaultValue 50 */
  flushIntervalMs?: number
  /**
   * Pending changes that end the window at the end of the current tick instead. Bounds the size of
   * one commit (~8 µs per message at 1000 rows a commit, so ~15 ms of the writer's time at the
   * default, or of this thread's without the writer), and sets the back-pressure limit: ten times
   * this in flight. @defaultValue 2000
   */
  flushAfter?: number
}

export interface SqliteStoreStats {
  cachedMessages: number
  cachedBytes: number
  /** Changes not yet committed (in the current window or with the writer thread). */
  pendingWrites: number
}

const ALIAS_KINDS = ['user', 'guild', 'channel'] as const satisfies readonly AliasKind[]
/** Longest `flush()` / `close()` block for the writer thread before writing on this thread instead. */
const WRITER_WAIT_MS = 30_000
/**
 * Blocks of message numbers the writer keeps reserved ahead of the block in use: a reservation has
 * the time of this many blocks (8,000 messages by default, 400 ms at 20,000/s: a WAL checkpoint in the writer fits) to be committed before
 * the main thread would wait for it.
 */
const RESERVE_AHEAD = 8
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
    session: db.prepare<[string], { session_id: string; sn: number }>(
      'SELECT session_id, sn FROM sessions WHERE bot = ?',
    ),
    chatCodes: db.prepare<[string], { user_id: string; chat_code: string }>(
      'SELECT user_id, chat_code FROM chat_codes WHERE bot = ?',
    ),
  }
}

type Statements = ReturnType<typeof prepareStatements>

/** A window handed to the writer thread, kept until its commit is seen. */
interface InFlight {
  seq: number
  window: PendingWindow
  rows: number
}

type PartLink = PendingWindow['parts'] extends Map<string, infer L> ? L : never

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

  /** Changes of the current window, not yet handed to the writer. */
  #pending: PendingWindow = emptyWindow()
  /** Windows posted to the writer and not yet known committed, oldest first. */
  #inFlight: InFlight[] = []
  /** Messages and part rows in `#inFlight`. */
  #inFlightRows = 0
  /**
   * Every record and part link not yet known committed (pending or in flight), newest version: what
   * reads see before the disk. One lookup however many windows are in flight.
   */
  // Sharded (src/util/sharded-map.ts): behind a busy writer these hold up to ~20,000 rows with a
  // delete per commit, and a single Map rehashed all of them in one call now and then (~8 ms at 20k).
  readonly #unsavedMessages = new ShardedMap<number, MessageRecord>(64)
  readonly #unsavedParts = new ShardedMap<string, PartLink>(64)
  /** Every part key on disk or pending: a "no" skips the index query (see part-key-filter.ts). */
  readonly #partKeys: PartKeyFilter
  readonly #flushIntervalMs: number
  readonly #flushAfter: number
  readonly #reserveBlock: number
  #scheduled: NodeJS.Timeout | NodeJS.Immediate | undefined
  /** `#scheduled` is an immediate (a burst), not the window's timeout. */
  #immediate = false
  #closed = false
  /** Started on the first window with messages in it (not at open: a thread costs idle RSS). */
  #writer: SqliteWriterClient | undefined
  /** The writer failed: windows are written on this thread until one such write succeeds. */
  #degraded = false
  /** Message numbers below this are durably reserved. */
  #reserved: number
  #applyTx: (batch: WriteBatch) => void = () => {}
  #recordAliasTx: (kind: AliasKind, id: string, num: number, nextAlias: number) => void = () => {}
  #reserveHere: (upTo: number) => void = () => {}

  constructor(options: SqliteStoreOptions) {
    this.#file = options.file
    this.#bot = options.bot
    this.#onError = options.onError
    this.#flushIntervalMs = options.flushIntervalMs ?? 50
    this.#flushAfter = options.flushAfter ?? 2000
    this.#reserveBlock = options.reserveBlock ?? 1000
    let db: Database.Database | undefined
    try {
      db = new Database(options.file, { timeout: 5_000 })
      // WAL: readers never block the writer, and one fsync-free commit per tick is cheap. NORMAL
      // sync in WAL mode survives a process crash (only an OS crash can lose the last commits).
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      // Checkpoint every ~40 MB of WAL instead of ~4 MB: index pages rewritten by many commits are
      // then copied back once (measured: about a third less write cost per message). While the
      // writer thread runs, it does the checkpoints (see #startWriter).
      db.pragma('wal_autocheckpoint = 10000')
      migrateSchema(db, options.file)
      this.#db = db
      this.#sql = prepareStatements(db)
      const sql = this.#sql
      const write = prepareWriteStatements(db)
      this.#applyTx = db.transaction((batch: WriteBatch) => applyBatch(write, options.bot, batch))
      this.#recordAliasTx = db.transaction((kind: AliasKind, id: string, num: number, nextAlias: number) => {
        sql.insertAlias.run(options.bot, kind, id, num)
        sql.putCounter.run(options.bot, aliasCounter(kind), nextAlias)
      })
      this.#reserveHere = (upTo) => write.reserve.run(options.bot, MESSAGE_COUNTER, upTo)
      const loaded = this.#load()
      this.#aliases = loaded.aliases
      this.#partKeys = loaded.partKeys
      this.#reserved = loaded.nextNumber
      this.#messages = new MessageIndex({
        nextNumber: loaded.nextNumber,
        backing: this.#backing(),
        maxMessages: options.cache?.messages ?? 100_000,
        maxBytes: options.cache?.bytes ?? 64 * 1024 * 1024,
        reserveBlock: this.#reserveBlock,
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
    this.#pending.session = { value }
    this.#schedule()
  }

  rememberChatCode(userId: string, chatCode: string): void {
    this.#assertOpen()
    if (this.#chatCodes.get(userId) === chatCode) return
    this.#chatCodes.set(userId, chatCode)
    this.#pending.chatCodes.set(userId, chatCode)
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

  /** Returns once every change made so far is committed (blocks on the writer thread if need be). */
  flush(): void {
    this.#assertOpen()
    this.#flushPending(true)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    let failure: BridgeError | undefined
    try {
      this.#flushPending(true)
      const writer = this.#writer
      this.#writer = undefined
      // Everything is committed: a failure to close the writer's connection loses nothing.
      writer?.close(WRITER_WAIT_MS)
      // Every allocated number is on disk now: record the exact position so a restart skips none.
      this.#sql.putCounter.run(this.#bot, MESSAGE_COUNTER, this.#messages.nextNumber)
    } catch (error) {
      failure = storageError(error, 'close', this.#file)
    } finally {
      this.#cancelScheduled()
      this.#writer?.terminate()
      this.#writer = undefined
      this.#db.close()
    }
    if (failure !== undefined) throw failure
  }

  /** Cache and queue sizes, for metrics and tests. */
  stats(): SqliteStoreStats {
    this.#settle()
    let pendingWrites = windowSize(this.#pending)
    for (const { window } of this.#inFlight) pendingWrites += windowSize(window)
    return {
      cachedMessages: this.#messages.cachedMessages,
      cachedBytes: this.#messages.cachedBytes,
      pendingWrites,
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

  /**
   * Synchronous on this thread, like reservations: a lost alias would give its number to another id.
   * New aliases are rare (once per id too large to pass through); while the writer commits, this
   * waits for its lock.
   */
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
        const unsaved = this.#unsavedMessages.get(num)
        if (unsaved !== undefined) return unsaved
        try {
          const row = sql.message.get(bot, num)
          return row === undefined ? undefined : rowToRecord(row)
        } catch (error) {
          throw storageError(error, 'reading a message', this.#file)
        }
      },
      numberOfPart: (partId) => {
        const unsaved = this.#unsavedParts.get(partId)
        if (unsaved !== undefined) return unsaved.num
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
        this.#pending.messages.set(record.number, record)
        this.#unsavedMessages.set(record.number, record)
        this.#schedule()
      },
      partLinked: (partId, num, fresh) => {
        // A re-link within the window still has no row on disk: it stays fresh. (A re-link of a part
        // whose window is with the writer is an update of it: the writer commits windows in order.)
        const parts = this.#pending.parts
        const pending = parts.get(partId)
        const fresher = fresh || pending?.fresh === true
        const key = pending?.key ?? hash53(partId)
        // Before the write: from now on the part may be on disk.
        if (pending === undefined) this.#partKeys.add(key)
        const link = { num, fresh: fresher, key }
        parts.set(partId, link)
        this.#unsavedParts.set(partId, link)
        this.#schedule()
      },
      reserveNumbers: (upTo) => this.#reserve(upTo),
    }
  }

  /**
   * Numbers below `upTo` must be durably reserved before this returns. With the writer running,
   * reservations run ahead: when a block comes into use, the writer is asked to reserve up to
   * RESERVE_AHEAD blocks beyond it with its next commit (through shared memory, not a queued batch,
   * so it never waits behind a backlog), and this blocks only if that has not happened by the time
   * the block is used up. Without the writer (before it starts, or after it failed) the reservation
   * is written here, one block ahead, as before. A crash thus skips at most RESERVE_AHEAD + 1 blocks
   * of numbers; none is ever reused.
   */
  #reserve(upTo: number): void {
    const writer = this.#writer
    if (writer !== undefined) this.#reserved = Math.max(this.#reserved, writer.reserved)
    if (this.#reserved >= upTo) {
      writer?.requestReserve(Math.min(upTo + RESERVE_AHEAD * this.#reserveBlock, MESSAGE_NUMBER_MAX + 1))
      return
    }
    const ahead = Math.min(upTo + this.#reserveBlock, MESSAGE_NUMBER_MAX + 1)
    if (writer !== undefined) {
      // The writer holds the write lock most of the time: waiting for it here wakes at its commit,
      // where SQLite's busy handler (on this thread's own write) would sleep in coarse steps.
      if (writer.waitForReserved(ahead, WRITER_WAIT_MS) === 'committed') {
        this.#reserved = Math.max(this.#reserved, writer.reserved)
        return
      }
      this.#writerFailed(writer)
    }
    try {
      this.#reserveHere(ahead)
    } catch (error) {
      throw storageError(error, 'reserving message numbers', this.#file)
    }
    this.#reserved = ahead
  }

  /** Releases the windows the writer has committed since last looked. */
  #settle(): void {
    const writer = this.#writer
    if (writer === undefined) return
    const committed = writer.committed
    let done = 0
    for (const flight of this.#inFlight) {
      if (flight.seq > committed) break
      this.#forget(flight.window)
      this.#inFlightRows -= flight.rows
      done++
    }
    if (done > 0) this.#inFlight.splice(0, done)
  }

  /** `window` is on disk: reads of what it wrote go to the disk now, unless a later change is unsaved. */
  #forget(window: PendingWindow): void {
    for (const [num, record] of window.messages) {
      if (this.#unsavedMessages.get(num) === record) this.#unsavedMessages.delete(num)
    }
    for (const [partId, link] of window.parts) {
      if (this.#unsavedParts.get(partId) === link) this.#unsavedParts.delete(partId)
    }
  }

  #schedule(): void {
    if (this.#scheduled === undefined) {
      this.#scheduled = setTimeout(this.#background, this.#flushIntervalMs)
    } else if (
      this.#pending.messages.size + this.#pending.parts.size >= this.#flushAfter &&
      !this.#immediate
    ) {
      // A burst: hand it over at the end of this tick rather than hold an unbounded queue for the window.
      this.#cancelScheduled()
      this.#scheduled = setImmediate(this.#background)
      this.#immediate = true
    }
  }

  readonly #background = (): void => {
    this.#scheduled = undefined
    this.#immediate = false
    try {
      this.#flushPending(false)
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

  /**
   * Ends the current window: posts it to the writer (started on the first window with messages), or
   * writes it here when there is no writer. `wait`: returns only once everything is committed.
   */
  #flushPending(wait: boolean): void {
    this.#cancelScheduled()
    this.#settle()
    const window = this.#pending
    if (windowSize(window) > 0) {
      const writer = this.#writerFor(window)
      if (writer === undefined) {
        this.#writeHere(window)
        return
      }
      const seq = writer.post(encodeWindow(window))
      const rows = window.messages.size + window.parts.size
      this.#inFlight.push({ seq, window, rows })
      this.#inFlightRows += rows
      this.#pending = emptyWindow()
    }
    const writer = this.#writer
    if (writer === undefined) return
    if (wait) {
      this.#awaitWriter(writer, writer.lastSeq)
    } else if (this.#inFlightRows > 10 * this.#flushAfter) {
      // Back-pressure: the writer is behind by ten bursts (20,000 rows by default, ~0.25 s of its
      // work: a checkpoint fits). Wait for it rather than queue without bound.
      let rows = this.#inFlightRows
      let seq = 0
      for (const flight of this.#inFlight) {
        if (rows <= this.#flushAfter) break
        rows -= flight.rows
        seq = flight.seq
      }
      this.#awaitWriter(writer, seq)
    }
  }

  /** Blocks until the writer committed `seq`; if it failed or hung, writes its windows here instead. */
  #awaitWriter(writer: SqliteWriterClient, seq: number): void {
    if (writer.waitFor(seq, WRITER_WAIT_MS) === 'committed') {
      this.#settle()
      return
    }
    this.#writerFailed(writer)
    this.#writeHere(this.#pending)
  }

  /** One transaction on this thread: before the writer starts, and after it failed. */
  #writeHere(window: PendingWindow): void {
    try {
      this.#applyTx(encodeWindow(window))
    } catch (error) {
      throw storageError(error, 'flush', this.#file)
    }
    this.#forget(window)
    if (this.#pending === window) this.#pending = emptyWindow()
    this.#degraded = false
  }

  #writerFor(window: PendingWindow): SqliteWriterClient | undefined {
    if (this.#writer !== undefined) return this.#writer
    // Session and chat-code changes alone (an idle bridge) are a few rows: not worth a thread.
    if (this.#degraded || (window.messages.size === 0 && window.parts.size === 0)) return undefined
    let writer: SqliteWriterClient
    try {
      writer = new SqliteWriterClient(this.#file, this.#bot, {
        onAck: () => this.#settle(),
        onFailed: (_seq, message) => {
          if (this.#writer !== writer) return
          this.#writerFailed(writer)
          this.#onError?.(storageError(message, 'write-behind flush', this.#file))
        },
      })
    } catch {
      // No thread to be had (resource limits): this window is written here, the next tries again.
      return undefined
    }
    this.#writer = writer
    // The writer's commits trigger the checkpoints now, off this thread; this connection's rare
    // commits (aliases, reservations) must not run one here.
    this.#db.pragma('wal_autocheckpoint = 0')
    return writer
  }

  /**
   * The writer stopped (or hung past WRITER_WAIT_MS, in which case it is ended mid-transaction, which
   * rolls back; should it have just committed, rewriting is harmless: messages are replaced, and a
   * fresh part inserted twice resolves to the same number). Its uncommitted windows return to the
   * pending one, oldest first, and this thread writes until a write succeeds.
   */
  #writerFailed(writer: SqliteWriterClient): void {
    if (this.#writer !== writer) return
    this.#settle()
    this.#writer = undefined
    writer.terminate()
    let merged = emptyWindow()
    for (const { window } of this.#inFlight) merged = mergeWindows(merged, window)
    this.#pending = mergeWindows(merged, this.#pending)
    this.#inFlight = []
    this.#inFlightRows = 0
    this.#degraded = true
    try {
      this.#db.pragma('wal_autocheckpoint = 10000')
    } catch {
      // Only the checkpoint cadence: the next successful write restores nothing else.
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new BridgeError(ErrorCode.Closed, `the store ${this.#file} is closed`)
  }
}
