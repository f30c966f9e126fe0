import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import { inflateFrame } from './inflate-frame.js'

/** Signalling codes of KOOK gateway frames (kook.md §1). */
export const Signal = {
  Event: 0,
  Hello: 1,
  Ping: 2,
  Pong: 3,
  Resume: 4,
  Reconnect: 5,
  ResumeAck: 6,
} as const
export type Signal = (typeof Signal)[keyof typeof Signal]

/** One server frame: `{ s, d?, sn? }` (`sn` only on s=0). */
export interface GatewayFrame {
  s: number
  d?: Record<string, unknown> | undefined
  sn?: number | undefined
}

/** Why a frame was refused: the metrics label and the log reason. */
export type FrameProblem = 'inflate' | 'json' | 'shape'

export class FrameError extends BridgeError {
  readonly problem: FrameProblem
  constructor(problem: FrameProblem, message: string, cause?: unknown) {
    super(ErrorCode.Gateway, message, cause === undefined ? {} : { cause })
    this.problem = problem
  }
}

const OPEN_BRACE = 0x7b

/**
 * Decodes one WebSocket message into a frame, or says why it cannot.
 *
 * With `compress=1` every binary frame is its own complete zlib stream (no context shared between
 * frames), so synchronous native inflate per frame is correct and the cheapest option (performance.md:
 * async or pure-JS inflaters cost 4–9×); `inflateFrame` reuses one native context (2.8 vs 8.1 µs per
 * frame). Text frames (`compress=0`) are JSON.
 * A binary frame that already starts with `{` is taken as uncompressed JSON rather than refused.
 *
 * Errors are returned, not thrown: a bad frame is counted and skipped by the caller.
 */
export function decodeFrame(data: Buffer, isBinary: boolean): GatewayFrame | FrameError {
  let text: string
  if (isBinary && data[0] !== OPEN_BRACE) {
    try {
      text = inflateFrame(data)
    } catch (cause) {
      return new FrameError('inflate', `gateway frame of ${data.length} bytes is not a zlib stream`, cause)
    }
  } else {
    text = data.toString('utf8')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return new FrameError('json', `gateway frame is not JSON: ${preview(text)}`, cause)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new FrameError('shape', `gateway frame is not an object: ${preview(text)}`)
  }
  const frame = parsed as { s?: unknown; d?: unknown; sn?: unknown }
  if (typeof frame.s !== 'number' || !Number.isInteger(frame.s)) {
    return new FrameError('shape', `gateway frame has no integer "s": ${preview(text)}`)
  }
  const d = frame.d
  if (d !== undefined && d !== null && (typeof d !== 'object' || Array.isArray(d))) {
    return new FrameError('shape', `gateway frame s=${frame.s} has a non-object "d": ${preview(text)}`)
  }
  const sn = frame.sn
  if (sn !== undefined && sn !== null && (typeof sn !== 'number' || !Number.isSafeInteger(sn) || sn < 0)) {
    return new FrameError('shape', `gateway frame s=${frame.s} has an invalid "sn": ${preview(text)}`)
  }
  // The parsed object is ours: normalise it in place instead of allocating a second object per frame.
  if (d === null) frame.d = undefined
  if (sn === null) frame.sn = undefined
  return frame as GatewayFrame
}

/** The start of a bad frame, enough to recognise it in a log line without flooding it. */
function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text
}
