/**
 * A FIFO turnstile for one rate-limit bucket: one request at a time, in the order they arrived
 * (discord.js SequentialHandler's AsyncQueue). The holder calls `shift()` when done, which lets the next
 * waiter in. Sending strictly one by one is what keeps a bucket's `remaining` count accurate: each
 * response's headers are read before the next request of that bucket leaves.
 */
interface Waiter {
  resolve: () => void
  cleanup: () => void
}

export class BucketQueue {
  readonly #waiters: Waiter[] = []
  #busy = false

  /** Requests holding or waiting for the turn. */
  get pending(): number {
    return this.#waiters.length + (this.#busy ? 1 : 0)
  }

  /**
   * Takes the turn at once when nobody holds it, and says so; false when the caller must `wait`. The
   * common case (a free bucket) then costs no promise and no microtask hop before the request is sent.
   */
  tryEnter(): boolean {
    if (this.#busy) return false
    this.#busy = true
    return true
  }

  /**
   * Resolves when it is the caller's turn. If `signal` aborts first, the caller leaves the line and the
   * promise rejects with the signal's reason; the caller must then not call `shift()`.
   */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (!this.#busy) {
      this.#busy = true
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter)
        if (index !== -1) this.#waiters.splice(index, 1)
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(waiter)
    })
  }

  /** Ends the current turn and hands it to the next waiter, if any. */
  shift(): void {
    const next = this.#waiters.shift()
    if (!next) {
      this.#busy = false
      return
    }
    next.cleanup()
    next.resolve()
  }
}
