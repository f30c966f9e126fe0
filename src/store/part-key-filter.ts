/**
 * "Is this message part possibly on disk?" for the SQLite store, answered from memory: a scalable
 * Bloom filter over the `hash53` keys of every part row of one bot (those on disk at open, and every
 * part linked since).
 *
 * Why: every new KOOK message is looked up before it is numbered (`putMessage` is idempotent on
 * msg_id), and a new msg_id is not in the memory cache, so without this each event paid an index
 * query on `message_parts` that finds nothing. Measured (bench/store-bench.ts' loop under
 * --cpu-prof, 200k-row index): ~9 µs CPU per event, the largest single cost of the store. The filter
 * answers "certainly not" for all but a few in a thousand new ids (measured 0.25% with a million keys
 * in five segments) for 0.6 µs at most, hash included; a "maybe" still asks SQLite, which compares
 * the stored msg_id, so a false positive costs one query and never a wrong answer. Memory: 2–4 bytes
 * per message ever stored (4 MB for a million).
 *
 * No false negatives is the whole contract: a key is added before the part can be looked up, and
 * nothing is ever removed (a re-linked or evicted part stays "maybe", which is only slower).
 *
 * Scalable: when the newest segment is full, a segment twice its size is added, so the filter grows
 * with the history without ever re-reading it. Each segment keeps ≤ 0.4% false positives at capacity
 * (≥ 12 bits and 7 probes per key); lookups test every segment (about log2 of the growth, a handful).
 */

/** Bits per key and probes per key: (1 − e^(−7/12))^7 ≈ 0.33% false positives at capacity. */
const BITS_PER_KEY = 12
const PROBES = 7
/** The smallest segment: 64k keys in 96 KiB, so a fresh store costs next to nothing. */
const MIN_CAPACITY = 1 << 16

interface Segment {
  readonly words: Int32Array
  /** Bit count − 1 (a power of two minus one). */
  readonly mask: number
  readonly capacity: number
  count: number
}

function makeSegment(capacity: number): Segment {
  let bits = 1 << 10
  while (bits < capacity * BITS_PER_KEY) bits *= 2
  return { words: new Int32Array(bits / 32), mask: bits - 1, capacity, count: 0 }
}

/**
 * Two 32-bit probe seeds from a 53-bit key (double hashing). The key is already well mixed (cyrb53):
 * the low 32 bits seed the first probe, the high 21 bits mixed with the low ones the stride (odd, so
 * the probes of one key never repeat a bit).
 */
function low(key: number): number {
  return key >>> 0
}
function stride(key: number): number {
  const hi = Math.floor(key / 4294967296)
  return Math.imul(hi ^ (key >>> 16), 0x85ebca6b) | 1
}

export class PartKeyFilter {
  readonly #segments: Segment[] = []

  /** @param expected keys about to be added (the rows on disk at open): sized so they fit at once. */
  constructor(expected = 0) {
    this.#segments.push(makeSegment(Math.max(MIN_CAPACITY, 2 * expected)))
  }

  /** Keys added so far. */
  get size(): number {
    let count = 0
    for (const segment of this.#segments) count += segment.count
    return count
  }

  /** Bytes held by the bit arrays. */
  get bytes(): number {
    let bytes = 0
    for (const segment of this.#segments) bytes += segment.words.byteLength
    return bytes
  }

  add(key: number): void {
    let segment = this.#segments[this.#segments.length - 1] as Segment
    if (segment.count >= segment.capacity) {
      segment = makeSegment(segment.capacity * 2)
      this.#segments.push(segment)
    }
    const { words, mask } = segment
    let bit = low(key)
    const step = stride(key)
    for (let i = 0; i < PROBES; i++) {
      const at = bit & mask
      words[at >>> 5] = (words[at >>> 5] as number) | (1 << (at & 31))
      bit = (bit + step) | 0
    }
    segment.count++
  }

  /** False: the key was never added. True: it may have been. */
  mightContain(key: number): boolean {
    const first = low(key)
    const step = stride(key)
    for (const { words, mask } of this.#segments) {
      let bit = first
      let all = true
      for (let i = 0; i < PROBES; i++) {
        const at = bit & mask
        if (((words[at >>> 5] as number) & (1 << (at & 31))) === 0) {
          all = false
          break
        }
        bit = (bit + step) | 0
      }
      if (all) return true
    }
    return false
  }
}
