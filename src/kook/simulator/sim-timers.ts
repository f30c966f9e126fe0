import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'

/**
 * Every timer the simulator starts goes through here, so `close()` can cancel all of them at once and a
 * test never leaks a pending delay (pong delays, webhook retries, script waits).
 */
export class SimTimers {
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #sleepers = new Set<(reason: BridgeError) => void>()
  #closed = false

  /** Runs `fn` after `ms`; returns a canceller. Does nothing once closed. */
  after(ms: number, fn: () => void): () => void {
    if (this.#closed) return () => {}
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      fn()
    }, ms)
    this.#timers.add(timer)
    return () => {
      clearTimeout(timer)
      this.#timers.delete(timer)
    }
  }

  /** Resolves after `ms`; rejects with a `CLOSED` error if the simulator closes first. */
  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.reject(closedError())
    return new Promise((resolve, reject) => {
      const cancel = this.after(ms, () => {
        this.#sleepers.delete(abort)
        resolve()
      })
      const abort = (reason: BridgeError): void => {
        cancel()
        reject(reason)
      }
      this.#sleepers.add(abort)
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  close(): void {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    for (const abort of [...this.#sleepers]) abort(closedError())
    this.#sleepers.clear()
  }
}

function closedError(): BridgeError {
  return new BridgeError(ErrorCode.Closed, 'the KOOK simulator was closed')
}
