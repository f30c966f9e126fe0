/**
 * The one closed error vocabulary of kookbridge. Callers switch on `code`, never on message text.
 * Protocol-specific renderings (gRPC status, OneBot retcode) are derived from the code in one place
 * per protocol (`kritor/status.ts`, `onebot/retcode.ts`).
 */
export const ErrorCode = {
  /** Configuration file or environment is invalid. */
  ConfigInvalid: 'CONFIG_INVALID',
  /** The mapping table or an override file is invalid. */
  MappingInvalid: 'MAPPING_INVALID',
  /** KOOK answered with `code != 0`. */
  KookApi: 'KOOK_API',
  /** KOOK answered with an unexpected HTTP status or an unreadable body. */
  KookHttp: 'KOOK_HTTP',
  /** The bot token was refused (HTTP 401, 40101, 40102): fatal for that bot. */
  KookAuth: 'KOOK_AUTH',
  /** A request was rate limited and the caller asked not to wait. */
  RateLimited: 'RATE_LIMITED',
  /** Network failure talking to KOOK; `mayHaveReached` tells whether a retry could duplicate. */
  Network: 'NETWORK',
  /** A gateway protocol violation or timeout. */
  Gateway: 'GATEWAY',
  /** A webhook request could not be decoded. */
  WebhookInvalid: 'WEBHOOK_INVALID',
  /** An inbound KOOK event failed validation. */
  EventInvalid: 'EVENT_INVALID',
  /** Action / RPC parameters are missing or malformed. */
  BadParams: 'BAD_PARAMS',
  /** The referenced message, user, guild or channel is unknown. */
  NotFound: 'NOT_FOUND',
  /** The action exists in the protocol but KOOK has no equivalent. */
  Unsupported: 'UNSUPPORTED',
  /** The action or RPC is not known at all. */
  UnknownAction: 'UNKNOWN_ACTION',
  /** Media could not be fetched or uploaded. */
  Upload: 'UPLOAD',
  /** A local file outside the configured roots was requested. */
  FileNotAllowed: 'FILE_NOT_ALLOWED',
  /** Authentication to one of our own endpoints failed. */
  Unauthenticated: 'UNAUTHENTICATED',
  /** Something timed out. */
  Timeout: 'TIMEOUT',
  /** The component was closed. */
  Closed: 'CLOSED',
  /** A bug: an invariant did not hold. */
  Internal: 'INTERNAL',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface BridgeErrorOptions {
  cause?: unknown
  /** Structured context (endpoint, file, row, field, id…) for logs and protocol error messages. */
  details?: Record<string, unknown>
}

export class BridgeError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown>

  constructor(code: ErrorCode, message: string, options: BridgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = `BridgeError[${code}]`
    this.code = code
    this.details = options.details ?? {}
  }

  /** Turns any thrown value into a BridgeError, keeping an existing one untouched. */
  static from(reason: unknown, code: ErrorCode = ErrorCode.Internal): BridgeError {
    if (reason instanceof BridgeError) return reason
    if (reason instanceof Error) {
      if (reason.name === 'AbortError' || reason.name === 'TimeoutError') {
        return new BridgeError(ErrorCode.Timeout, reason.message, { cause: reason })
      }
      return new BridgeError(code, reason.message, { cause: reason })
    }
    return new BridgeError(code, String(reason))
  }
}

/** KOOK answered `{code != 0}`. The KOOK code is part of the error name, e.g. `KookApiError[40300]`. */
export class KookApiError extends BridgeError {
  readonly kookCode: number
  readonly endpoint: string
  readonly httpStatus: number

  constructor(kookCode: number, message: string, endpoint: string, httpStatus = 200) {
    super(ErrorCode.KookApi, `KOOK ${endpoint} failed with code ${kookCode}: ${message}`, {
      details: { kookCode, endpoint, httpStatus },
    })
    this.name = `KookApiError[${kookCode}]`
    this.kookCode = kookCode
    this.endpoint = endpoint
    this.httpStatus = httpStatus
  }
}

export function isBridgeError(value: unknown, code?: ErrorCode): value is BridgeError {
  return value instanceof BridgeError && (code === undefined || value.code === code)
}
