/**
 * A generated service table + its ServiceImpl → what `grpc.Server#addService` takes. Every call goes
 * through the same steps, so no method can forget one:
 * 1. `kritor-self-uid`, `kritor-self-uin`, `kritor-self-version` are sent as initial metadata
 *    (OpenShamrock does so on every call; Karin keys the bot by them, kritor.md §1);
 * 2. the ticket check (ticket-auth.ts), except for the methods a client calls before it can have
 *    authenticated (Authenticate, GetAuthenticationState);
 * 3. the request, decoded with the generated decoder: bytes that do not decode answer
 *    INVALID_ARGUMENT (grpc-js would say INTERNAL) and are counted;
 * 4. the method, or UNIMPLEMENTED with its reason; any error → status.ts.
 *
 * Responses of unary methods are encoded with the generated encoder; server-streaming methods write
 * pre-encoded buffers, so their serializer is the identity.
 */
import {
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  status as Status,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import type { EventCall } from './event-streams.js'
import {
  type CallContext,
  isUnimplemented,
  type MethodDescriptor,
  type ServiceDescriptor,
  type ServiceImpl,
} from './service-impl.js'
import { toGrpcStatus } from './status.js'
import type { TicketAuth } from './ticket-auth.js'

export interface ServeEnv {
  auth: TicketAuth
  /** Method paths that skip the ticket check. */
  open: ReadonlySet<string>
  /** The `kritor-self-*` headers, sent first on every call. */
  initialMetadata: Metadata
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

export interface BuiltService {
  definition: ServiceDefinition
  implementation: UntypedServiceImplementation
}

type Decoded = { ok: true; value: unknown } | { ok: false; reason: string }

type AnyUnary = (request: unknown, ctx: CallContext) => Promise<unknown>
type AnyStream = (request: unknown, call: EventCall, ctx: CallContext) => void

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

const identity = (bytes: Buffer): Buffer => bytes

export function buildService<S extends ServiceDescriptor>(
  descriptor: S,
  impl: ServiceImpl<S>,
  env: ServeEnv,
): BuiltService {
  const definition: Record<string, ServiceDefinition[string]> = {}
  const implementation: UntypedServiceImplementation = {}
  for (const [name, method] of Object.entries(descriptor) as Array<[string, MethodDescriptor]>) {
    const handler = (impl as Record<string, unknown>)[name]
    const decode = (bytes: Buffer): Decoded => {
      try {
        return { ok: true, value: method.requestType.decode(bytes) }
      } catch (error) {
        return { ok: false, reason: (error as Error).message }
      }
    }
    const encode = (value: unknown): Buffer => toBuffer(method.responseType.encode(value as never).finish())
    definition[name] = {
      path: method.path,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: decode,
      responseSerialize: method.responseStream ? identity : encode,
      responseDeserialize: (bytes: Buffer) => bytes,
      originalName: name,
    }
    implementation[name] = method.responseStream
      ? serveStream(method, handler, env)
      : serveUnary(method, handler, env)
  }
  return { definition: definition as ServiceDefinition, implementation }
}

/** The ticket check and request decoding shared by both call kinds; a BridgeError when refused. */
function admit(
  method: MethodDescriptor,
  handler: unknown,
  decoded: Decoded,
  ctx: CallContext,
  env: ServeEnv,
) {
  if (!env.open.has(method.path) && !env.auth.allows(ctx.metadata, ctx.peer)) {
    return new BridgeError(
      ErrorCode.Unauthenticated,
      'a valid `ticket` header, or an earlier Authenticate from this connection, is required',
    )
  }
  if (isUnimplemented(handler) || typeof handler !== 'function' || method.requestStream) {
    const reason = isUnimplemented(handler) ? handler.unimplemented : 'not served by this endpoint'
    return new BridgeError(ErrorCode.Unsupported, `${method.path}: ${reason}`)
  }
  if (!decoded.ok) {
    env.metrics?.inc('kookbridge_kritor_bad_requests_total', { method: method.path })
    return new BridgeError(ErrorCode.BadParams, `malformed request for ${method.path}: ${decoded.reason}`)
  }
  return undefined
}

function count(env: ServeEnv, method: MethodDescriptor, code: Status): void {
  env.metrics?.inc('kookbridge_kritor_calls_total', { method: method.path, code: Status[code] })
}

function report(env: ServeEnv, method: MethodDescriptor, reason: unknown): ReturnType<typeof toGrpcStatus> {
  const status = toGrpcStatus(reason)
  const code = status.code ?? Status.UNKNOWN
  count(env, method, code)
  if (code === Status.INTERNAL || code === Status.UNKNOWN) {
    env.logger?.error({ err: reason, method: method.path }, 'kritor call failed')
  } else {
    env.logger?.debug(
      { code: Status[code], details: status.details, method: method.path },
      'kritor call refused',
    )
  }
  return status
}

function serveUnary(method: MethodDescriptor, handler: unknown, env: ServeEnv) {
  return (call: ServerUnaryCall<Decoded, unknown>, callback: sendUnaryData<unknown>): void => {
    call.sendMetadata(env.initialMetadata)
    const ctx: CallContext = { peer: call.getPeer(), metadata: call.metadata }
    const refused = admit(method, handler, call.request, ctx, env)
    if (refused !== undefined) {
      callback(report(env, method, refused))
      return
    }
    const request = (call.request as { ok: true; value: unknown }).value
    let pending: Promise<unknown>
    try {
      pending = (handler as AnyUnary)(request, ctx)
    } catch (error) {
      callback(report(env, method, error))
      return
    }
    pending.then(
      (response) => {
        count(env, method, Status.OK)
        callback(null, response)
      },
      (error: unknown) => callback(report(env, method, error)),
    )
  }
}

function serveStream(method: MethodDescriptor, handler: unknown, env: ServeEnv) {
  return (call: ServerWritableStream<Decoded, Buffer>): void => {
    // A failed write after the peer left surfaces as 'error'; the stream registry listens too.
    call.on('error', () => {})
    call.sendMetadata(env.initialMetadata)
    const ctx: CallContext = { peer: call.getPeer(), metadata: call.metadata }
    const refused = admit(method, handler, call.request, ctx, env)
    if (refused !== undefined) {
      call.emit('error', report(env, method, refused))
      return
    }
    count(env, method, Status.OK)
    try {
      ;(handler as AnyStream)((call.request as { ok: true; value: unknown }).value, call, ctx)
    } catch (error) {
      call.emit('error', report(env, method, error))
    }
  }
}
