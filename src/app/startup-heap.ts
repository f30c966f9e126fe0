/**
 * Keeps V8's young generation at its initial size while the process starts, then hands it back to
 * V8's normal sizing.
 *
 * Why: V8 doubles the young generation (new space) whenever more bytes survive scavenges than it
 * holds. Loading modules is all survivors (code, schemas, the generated kritor classes), so start-up
 * alone grew it to its maximum, 2 × 16 MB, and an idle bridge kept those pages resident: measured
 * new space 32 MB committed, idle RSS ~97 MB; V8's memory reducer shrinks it only after several
 * idle seconds, and not reliably. Growth factor 1 during start-up keeps it at 2 × 1 MB; what start-up
 * allocates is long-lived anyway, so it is promoted a little earlier and nothing else changes.
 * Measured on the idle kritor-only bridge (gateway connected, no client), median of 5 runs:
 * `kookbridge start` 90 → 78 MB, the pipeline bench's bridge 91 → 75 MB.
 *
 * Throughput is unaffected: the factor is restored (to V8's default, 2) once the bridge is up, and
 * under load the young generation grows again exactly as before, driven by what survives. A fixed
 * `--max-semi-space-size` would have capped it under load too.
 *
 * `v8.setFlagsFromString` after start-up is safe for this flag: V8 reads it each time it decides to
 * grow the new space (SemiSpaceNewSpace::Grow), and nothing is cached from it.
 */
import v8 from 'node:v8'

/** V8's default; what `end()` restores. */
const DEFAULT_GROWTH_FACTOR = 2

/** Flags with which the user sized the young generation: then this module stays out of the way. */
const USER_SIZED = /--(?:semi[-_]space[-_]growth[-_]factor|(?:min|max)[-_]semi[-_]space[-_]size)\b/

let holders = 0

function userSized(): boolean {
  const options = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`
  return USER_SIZED.test(options)
}

/**
 * Holds the young generation small until the returned function is called (idempotent). Nested
 * holds are counted: the factor is restored when the last one ends.
 */
export function holdYoungGenerationSmall(): () => void {
  if (userSized()) return () => {}
  if (holders++ === 0) v8.setFlagsFromString('--semi-space-growth-factor=1')
  let ended = false
  return () => {
    if (ended) return
    ended = true
    if (--holders === 0) v8.setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`)
  }
}
