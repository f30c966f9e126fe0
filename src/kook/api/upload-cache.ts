/**
 * Remembers which bytes were already uploaded, by content hash, so sending the same picture twice
 * uploads it once. Bounded (least recently used goes first), and concurrent requests for the same
 * bytes share one upload. A failed upload is not remembered, so the next attempt tries again.
 */
export class UploadCache {
  readonly #urls = new Map<string, string>()
  readonly #inflight = new Map<string, Promise<string>>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = Math.max(0, Math.floor(capacity))
  }

  get size(): number {
    return this.#urls.size
  }

  /** The URL stored for `key`, an upload of the same key already under way, or `upload()`'s result. */
  resolve(key: string, upload: () => Promise<string>): Promise<string> {
    const url = this.#urls.get(key)
    if (url !== undefined) {
      // Re-insert to mark it most recently used: a Map iterates in insertion order.
      this.#urls.delete(key)
      this.#urls.set(key, url)
      return Promise.resolve(url)
    }
    const running = this.#inflight.get(key)
    if (running) return running
    const started = upload().then(
      (uploaded) => {
        this.#inflight.delete(key)
        this.#remember(key, uploaded)
        return uploaded
      },
      (error: unknown) => {
        this.#inflight.delete(key)
        throw error
      },
    )
    this.#inflight.set(key, started)
    return started
  }

  #remember(key: string, url: string): void {
    if (this.#capacity === 0) return
    this.#urls.set(key, url)
    while (this.#urls.size > this.#capacity) {
      const oldest = this.#urls.keys().next()
      if (oldest.done) break
      this.#urls.delete(oldest.value)
    }
  }
}
