/** Messages and shared state between the SQLite store and its writer thread (sqlite-writer.ts). */
import type { WriteBatch } from './sqlite-write-batch.js'

/** Index in the shared Int32Array: sequence number of the last committed message. */
export const COMMITTED = 0
/** Index in the shared Int32Array: sequence number of the message that failed (0: none). */
export const FAILED = 1
/**
 * Index: message numbers the main thread wants reserved, minus one (int32 holds up to 2^31 − 1; the
 * reservation goes up to 2^31). The writer reserves them in its next transaction, whatever that is
 * for: a reservation never queues behind a backlog of batches.
 */
export const RESERVE_WANTED = 2
/** Index: the reservation the writer has committed, minus one. */
export const RESERVED = 3
export const STATE_SLOTS = 4

export interface WriterData {
  file: string
  bot: string
  /** SharedArrayBuffer of STATE_SLOTS Int32 slots. */
  state: SharedArrayBuffer
}

/** Sequence numbers start at 1 and grow by one per message; the writer handles them in order. */
export type ToWriter =
  | { kind: 'batch'; seq: number; batch: WriteBatch }
  /** Wakes an idle writer for RESERVE_WANTED (no sequence number: it is not a batch). */
  | { kind: 'reserve' }
  | { kind: 'close'; seq: number }

export type WriterReport = { kind: 'ack'; seq: number } | { kind: 'failed'; seq: number; message: string }
