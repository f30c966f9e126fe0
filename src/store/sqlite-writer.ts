/**
 * Entry of the SQLite store's writer thread (started by sqlite-writer-client.ts). It owns a second
 * connection to the store's file (WAL: one writer and any number of readers at once) and commits the
 * batches the main thread posts, in order, one transaction each; WAL checkpoints run here too, as
 * they are triggered by the committing connection.
 *
 * Progress goes back through shared memory, so the main thread can read it (or block on it in
 * `flush()` / `close()`) without waiting for its event loop: the sequence number of the last
 * committed batch, of the first one that failed (after which nothing more is written: later batches
 * depend on it), and the message-number reservation committed. An `ack` message per commit also
 * lets the main thread release the window it kept for reads.
 */
import fs from 'node:fs'
import os from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { applyBatch, MESSAGE_COUNTER, prepareWriteStatements, type WriteBatch } from './sqlite-write-batch.js'
import {
  COMMITTED,
  FAILED,
  RESERVE_WANTED,
  RESERVED,
  type ToWriter,
  type WriterData,
  type WriterReport,
} from './sqlite-writer-protocol.js'

const data = workerData as WriterData
const state = new Int32Array(data.state)
const port = parentPort

/**
 * Linux schedules threads one by one: a writer at nice 0, woken by each posted window, may take the
 * core from the main thread at once (wake-up preemption) and hold up events behind a batch that can
 * wait. Nice 10 for this thread alone keeps its work in the background. Measured (a paced store
 * loop, per-window event-loop hold, p99 of 2 runs each, busy 2-core box): nice 0 1.7 / 4.1 ms at
 * 1,000/s and 3.8 / 4.5 ms at 10,000/s; nice 10 0.6 / 0.9 and 1.9 / 0.8 ms. It cannot starve the
 * store: when the writer falls behind, the main thread blocks on it (back-pressure) and so yields
 * the core. A hint only: where it is not possible (no /proc/thread-self), nothing changes.
 */
const WRITER_NICE = 10

function lowerPriority(): void {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').at(-1))
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, WRITER_NICE)
  } catch {
    // Not Linux, or not allowed: the default priority works, only with more preemption.
  }
}

function report(message: WriterReport): void {
  port?.postMessage(message)
}

function fail(seq: number, reason: unknown): void {
  Atomics.store(state, FAILED, seq)
  Atomics.notify(state, COMMITTED)
  report({ kind: 'failed', seq, message: String(reason) })
}

lowerPriority()

let db: Database.Database | undefined
/** Commits `batch` (if any) and the reservation wanted; returns the reservation (minus one) written. */
let commit: ((batch: WriteBatch | undefined) => number) | undefined
let failed = false
try {
  db = new Database(data.file, { timeout: 5_000 })
  // Per-connection settings, as on the main connection (see sqlite-store.ts for the figures).
  db.pragma('synchronous = NORMAL')
  db.pragma('wal_autocheckpoint = 10000')
  const sql = prepareWriteStatements(db)
  commit = db.transaction((batch: WriteBatch | undefined) => {
    if (batch !== undefined) applyBatch(sql, data.bot, batch)
    const wanted = Atomics.load(state, RESERVE_WANTED)
    if (wanted > Atomics.load(state, RESERVED)) sql.reserve.run(data.bot, MESSAGE_COUNTER, wanted + 1)
    return wanted
  })
} catch (error) {
  failed = true
  db?.close()
  db = undefined
  // No batch can be written: the first one (sequence 1) is the one that failed.
  fail(1, error)
}

function handle(message: ToWriter): void {
  if (message.kind === 'close') {
    try {
      db?.close()
    } catch {
      // Closing a connection that has no transaction open cannot lose anything.
    }
    db = undefined
    Atomics.store(state, COMMITTED, message.seq)
    Atomics.notify(state, COMMITTED)
    port?.close()
    return
  }
  if (failed || commit === undefined) return
  const batch = message.kind === 'batch' ? message.batch : undefined
  // An idle writer woken for a reservation another commit already covered has nothing to do.
  if (batch === undefined && Atomics.load(state, RESERVE_WANTED) <= Atomics.load(state, RESERVED)) return
  let reserved: number
  try {
    reserved = commit(batch)
  } catch (error) {
    failed = true
    // A failed reservation alone fails the next batch: the main thread reserves for itself then.
    fail(message.kind === 'batch' ? message.seq : Atomics.load(state, COMMITTED) + 1, error)
    return
  }
  if (reserved > Atomics.load(state, RESERVED)) Atomics.store(state, RESERVED, reserved)
  if (message.kind === 'batch') Atomics.store(state, COMMITTED, message.seq)
  // Every change is notified on the COMMITTED slot, where the main thread blocks (if it does).
  Atomics.notify(state, COMMITTED)
  if (message.kind === 'batch') report({ kind: 'ack', seq: message.seq })
}

port?.on('message', handle)
