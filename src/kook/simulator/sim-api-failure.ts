import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'

/**
 * A KOOK API refusal raised by a simulator route: rendered as the envelope `{code, message, data: {}}` with
 * `httpStatus` (logical errors are HTTP 200 with code ≠ 0 on real KOOK, kook.md §5).
 */
export class SimApiFailure extends BridgeError {
  readonly kookCode: number
  readonly kookMessage: string
  readonly httpStatus: number

  constructor(kookCode: number, kookMessage: string, httpStatus = 200) {
    super(ErrorCode.KookApi, `simulated KOOK failure ${kookCode}: ${kookMessage}`, {
      details: { kookCode, httpStatus },
    })
    this.name = `SimApiFailure[${kookCode}]`
    this.kookCode = kookCode
    this.kookMessage = kookMessage
    this.httpStatus = httpStatus
  }
}

/** KOOK's generic "bad request" code. */
export const KOOK_BAD_REQUEST = 40000
/** KOOK's "no permission" code. */
export const KOOK_FORBIDDEN = 40300

/** Throws a KOOK logical error (HTTP 200, code ≠ 0). */
export function fail(code: number, message: string): never {
  throw new SimApiFailure(code, message)
}
