/**
 * The only place where errors become OneBot retcodes and response envelopes (style rule 9).
 *
 * Over WS, HTTP-level failures become 1400/1401/1403/1404 (onebot-v11.md §A3); everything else is
 * go-cqhttp's retcode 100 with `msg` = the error code and `wording` = readable text. `message` repeats
 * `wording` because NapCat-era clients read `message`, gocq-era ones `wording`.
 */
import { BridgeError, type ErrorCode } from '../errors/bridge-error.js'
import type { ActionResponse } from './types.js'

export const Retcode = {
  Ok: 0,
  Async: 1,
  Failed: 100,
  BadRequest: 1400,
  Unauthorized: 1401,
  Forbidden: 1403,
  NotFound: 1404,
} as const

const RETCODES = {
  BAD_PARAMS: Retcode.BadRequest,
  UNAUTHENTICATED: Retcode.Unauthorized,
  FILE_NOT_ALLOWED: Retcode.Forbidden,
  UNKNOWN_ACTION: Retcode.NotFound,
  CONFIG_INVALID: Retcode.Failed,
  MAPPING_INVALID: Retcode.Failed,
  KOOK_API: Retcode.Failed,
  KOOK_HTTP: Retcode.Failed,
  KOOK_AUTH: Retcode.Failed,
  RATE_LIMITED: Retcode.Failed,
  NETWORK: Retcode.Failed,
  GATEWAY: Retcode.Failed,
  WEBHOOK_INVALID: Retcode.Failed,
  EVENT_INVALID: Retcode.Failed,
  NOT_FOUND: Retcode.Failed,
  UNSUPPORTED: Retcode.Failed,
  UPLOAD: Retcode.Failed,
  TIMEOUT: Retcode.Failed,
  CLOSED: Retcode.Failed,
  INTERNAL: Retcode.Failed,
} as const satisfies Record<ErrorCode, number>

export function retcodeFor(code: ErrorCode): number {
  return RETCODES[code]
}

/** The HTTP API answers 200 with the envelope even for failed actions, except an unknown action (§A1). */
export function httpStatusFor(retcode: number): number {
  return retcode === Retcode.NotFound ? 404 : 200
}

function withEcho(response: ActionResponse, hasEcho: boolean, echo: unknown): ActionResponse {
  if (hasEcho) response.echo = echo
  return response
}

export function okResponse(data: unknown, hasEcho: boolean, echo?: unknown): ActionResponse {
  return withEcho(
    { status: 'ok', retcode: Retcode.Ok, data: data ?? null, message: '', wording: '' },
    hasEcho,
    echo,
  )
}

export function asyncResponse(hasEcho: boolean, echo?: unknown): ActionResponse {
  return withEcho(
    { status: 'async', retcode: Retcode.Async, data: null, message: '', wording: '' },
    hasEcho,
    echo,
  )
}

export function failedResponse(error: unknown, hasEcho: boolean, echo?: unknown): ActionResponse {
  const bridgeError = BridgeError.from(error)
  return withEcho(
    {
      status: 'failed',
      retcode: retcodeFor(bridgeError.code),
      data: null,
      message: bridgeError.message,
      wording: bridgeError.message,
      msg: bridgeError.code,
    },
    hasEcho,
    echo,
  )
}
