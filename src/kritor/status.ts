/**
 * The only place where errors become gRPC status (style rule 9). Every BridgeError code has exactly one
 * status; the details are the error's readable message, and the code itself travels in the trailer
 * `kookbridge-error-code` so a client can switch on it without parsing text.
 *
 * Status choices follow kritor's docs (kritor.md §4): auth failure UNAUTHENTICATED, bad arguments
 * INVALID_ARGUMENT, unsupported APIs UNIMPLEMENTED, internal errors INTERNAL.
 */
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js'
import { BridgeError, type ErrorCode, KookApiError } from '../errors/bridge-error.js'

const STATUS = {
  BAD_PARAMS: Status.INVALID_ARGUMENT,
  NOT_FOUND: Status.NOT_FOUND,
  UNSUPPORTED: Status.UNIMPLEMENTED,
  UNKNOWN_ACTION: Status.UNIMPLEMENTED,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  FILE_NOT_ALLOWED: Status.PERMISSION_DENIED,
  // Media that cannot be fetched or uploaded: the request was understood but cannot be carried out.
  UPLOAD: Status.FAILED_PRECONDITION,
  // Refined by the KOOK code below.
  KOOK_API: Status.INTERNAL,
  KOOK_HTTP: Status.UNAVAILABLE,
  KOOK_AUTH: Status.UNAVAILABLE,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  NETWORK: Status.UNAVAILABLE,
  GATEWAY: Status.UNAVAILABLE,
  TIMEOUT: Status.DEADLINE_EXCEEDED,
  CLOSED: Status.UNAVAILABLE,
  CONFIG_INVALID: Status.INTERNAL,
  MAPPING_INVALID: Status.INTERNAL,
  WEBHOOK_INVALID: Status.INTERNAL,
  EVENT_INVALID: Status.INTERNAL,
  INTERNAL: Status.INTERNAL,
} as const satisfies Record<ErrorCode, Status>

/** Trailer naming the BridgeError code of a failed call. */
export const ERROR_CODE_TRAILER = 'kookbridge-error-code'

export function statusOf(error: BridgeError): Status {
  // KOOK's 4xxxx codes are refusals of this request (bad params 40000, no permission 40300, unknown
  // target 40400…): the bridge worked, KOOK said no. Anything else from KOOK is its internal failure.
  if (error instanceof KookApiError) {
    return error.kookCode >= 40000 && error.kookCode < 50000 ? Status.FAILED_PRECONDITION : Status.INTERNAL
  }
  return STATUS[error.code]
}

/** Any thrown value → the status object grpc-js sends. */
export function toGrpcStatus(reason: unknown): Partial<StatusObject> {
  const error = BridgeError.from(reason)
  const metadata = new Metadata()
  metadata.set(ERROR_CODE_TRAILER, error.code)
  return { code: statusOf(error), details: error.message, metadata }
}
