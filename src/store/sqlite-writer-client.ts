/**
 * The main thread's handle on the SQLite store's writer thread (sqlite-writer.ts): posts batches,
 * reads their progress from shared memory, and blocks on it when a caller must know that everything
 * is on disk (`flush()`, `close()`).
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WriteBatch } from './sqlite-write-batch.js'
import {
  COMMITTED,
  FAILED,
  RESERVE_WANTED,
  RESERVED,
  STATE_SLOTS,
  type ToWriter,
  type WriterData,
  type WriterReport,
} from './sqlite-writer-protocol.js'

export type WaitResult = 'committed' | 'failed' | 'timeout'

export interface WriterHandlers {
  /** Message `seq` (and every one before it) is committed. */
  onAck(seq: number): void
  /** The writer stopped at message `seq`; nothing from it on was written. */
  onFailed(seq: number, message: string): void
}

/**
 * Built by tsc, the worker entry sits next to this file as .js. Run from the sources (vitest, tsx),
 * it is a .ts file that Node 20 cannot load by itself, and tsx's `--import` hooks do not reach a
 * worker on Node 20 (tsx registers them on the main thread only there), so the worker registers them
 * itself through tsx's API (a dev dependency, present wherever the sources run) before importing it.
 */
function spawn(workerData: WriterData): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL('./sqlite-writer.js', here), { workerData })
  const entry = new URL('./sqlite-writer.ts', here).href
  const boot = `
    const { workerData } = require('node:worker_threads')
    import(${JSON.stringify(tsxApiUrl(here))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })
      .catch((error) => {
        const state = new Int32Array(workerData.state)
        Atomics.store(state, ${FAILED}, 1)
        Atomics.notify(state, ${COMMITTED})
        throw error
      })`
  return new Worker(boot, { eval: true, workerData })
}

/**
 * The ESM build of `tsx/esm/api`, by tsx's own export map (`require.resolve` would give the CJS
 * build, whose `register()` fails to find its ESM half from a worker).
 */
function tsxApiUrl(from: string): string {
  const require = createRequire(from)
  const manifest = require.resolve('tsx/package.json')
  const { exports } = require(manifest) as { exports: Record<string, { import?: { default?: string } }> }
  const target = exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs'
  return pathToFileURL(path.join(path.dirname(manifest), target)).href
}

export class SqliteWriterClient {
  readonly #worker: Worker
  readonly #state: Int32Array
  readonly #handlers: WriterHandlers
  #seq = 0
  #refed = false
  #ended = false

  constructor(file: string, bot: string, handlers: WriterHandlers) {
    const state = new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT)
    this.#state = new Int32Array(state)
    this.#handlers = handlers
    this.#worker = spawn({ file, bot, state })
    // Referenced only while a batch is uncommitted: an idle writer must not keep the process alive,
    // a busy one must (as the write-behind timer did before the writer thread existed).
    this.#worker.unref()
    this.#worker.on('message', (report: WriterReport) => {
      if (this.#ended) return
      if (report.kind === 'ack') {
        if (report.seq >= this.#seq) this.#unref()
        this.#handlers.onAck(report.seq)
      } else {
        this.#ended = true
        this.#unref()
        this.#handlers.onFailed(report.seq, report.message)
      }
    })
    // A crash of the thread itself (its module failed to load, out of memory): nothing more commits.
    this.#worker.on('error', (error) => this.#lost(String(error)))
    this.#worker.on('exit', (code) => this.#lost(`writer thread exited with code ${code}`))
  }

  /** Sequence number of the last message posted. */
  get lastSeq(): number {
    return this.#seq
  }

  get committed(): number {
    return Atomics.load(this.#state, COMMITTED)
  }

  /** The message the writer failed at, 0 if none. */
  get failedAt(): number {
    return Atomics.load(this.#state, FAILED)
  }

  /** Message numbers below this are durably reserved by the writer (1: none yet). */
  get reserved(): number {
    return Atomics.load(this.#state, RESERVED) + 1
  }

  /**
   * Asks the writer to reserve the numbers below `upTo` with its next commit (or now, if idle). Not
   * a reason to keep the process alive: the caller reserves for itself when this is not done in time.
   */
  requestReserve(upTo: number): void {
    if (upTo - 1 <= Atomics.load(this.#state, RESERVE_WANTED)) return
    Atomics.store(this.#state, RESERVE_WANTED, upTo - 1)
    this.#worker.postMessage({ kind: 'reserve' } satisfies ToWriter)
  }

  /** Posts a batch; returns its sequence number. */
  post(batch: WriteBatch): number {
    const seq = ++this.#seq
    this.#send({ kind: 'batch', seq, batch })
    return seq
  }

  /** Blocks the calling thread until message `seq` is committed or the writer failed. */
  waitFor(seq: number, timeoutMs: number): WaitResult {
    return this.#block(() => Atomics.load(this.#state, COMMITTED) >= seq, timeoutMs)
  }

  /** Blocks the calling thread until numbers below `upTo` are reserved (see `requestReserve`). */
  waitForReserved(upTo: number, timeoutMs: number): WaitResult {
    this.requestReserve(upTo)
    return this.#block(() => Atomics.load(this.#state, RESERVED) >= upTo - 1, timeoutMs)
  }

  /** Every change of the shared state is notified on the COMMITTED slot. */
  #block(done: () => boolean, timeoutMs: number): WaitResult {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const committed = Atomics.load(this.#state, COMMITTED)
      if (done()) return 'committed'
      if (Atomics.load(this.#state, FAILED) !== 0) return 'failed'
      const left = deadline - performance.now()
      if (left <= 0) return 'timeout'
      Atomics.wait(this.#state, COMMITTED, committed, Math.min(left, 50))
    }
  }

  /** Waits for every posted batch, then closes the writer's connection and ends the thread. */
  close(timeoutMs: number): WaitResult {
    const written = this.waitFor(this.#seq, timeoutMs)
    if (written !== 'committed') {
      this.terminate()
      return written
    }
    const seq = ++this.#seq
    this.#send({ kind: 'close', seq })
    const closed = this.waitFor(seq, timeoutMs)
    this.terminate()
    return closed
  }

  /** Ends the thread without waiting (a transaction in progress rolls back). */
  terminate(): void {
    this.#ended = true
    this.#unref()
    // The thread object lives on until its exit is reported; without these listeners it no longer
    // holds the store (and its message cache) until then. Measured: store-bench's second store
    // started with the first one's ~50 MB cache still on the heap.
    this.#worker.removeAllListeners()
    this.#worker.on('error', () => {})
    this.#worker.terminate().catch(() => {})
  }

  #send(message: ToWriter): void {
    if (!this.#refed) {
      this.#worker.ref()
      this.#refed = true
    }
    this.#worker.postMessage(message)
  }

  #unref(): void {
    if (!this.#refed) return
    this.#worker.unref()
    this.#refed = false
  }

  #lost(message: string): void {
    if (this.#ended) return
    this.#ended = true
    this.#unref()
    this.#handlers.onFailed(this.committed + 1, message)
  }
}
