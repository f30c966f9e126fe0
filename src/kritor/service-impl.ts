/**
 * The typed shape of a service implementation, derived from the generated service tables
 * (`gen/.../services.js`): `ServiceImpl<typeof services['kritor.core.CoreService']>` has one member per
 * RPC, so a method left out fails the build (connect-es `ServiceImpl`, style.md §3). A method the
 * bridge does not serve says so explicitly with `unimplemented(reason)`, and answers UNIMPLEMENTED
 * with that reason.
 *
 * - Unary methods get the decoded request (the generated class: uint64 fields are `Long`s, read them
 *   with `String()`; unset optional fields are `null`) and resolve to the response as a plain object.
 *   A thrown BridgeError becomes a gRPC status in status.ts.
 * - Server-streaming methods get the call and write **pre-encoded bytes**: the endpoint encodes each
 *   event once and every stream sends the same buffer (performance.md §2), so the method is served
 *   with an identity serializer.
 * - Client-streaming and bidi methods (passive mode's RegisterPassiveListener, ReverseStream) are not
 *   served by an active-mode listener: they can only be `unimplemented`.
 */
import type { Metadata } from '@grpc/grpc-js'
import type { EventCall } from './event-streams.js'

/** What service-definition.ts needs to know about one generated method entry. */
export interface MethodDescriptor {
  readonly path: string
  readonly requestStream: boolean
  readonly responseStream: boolean
  readonly requestType: { decode(reader: Uint8Array): unknown }
  readonly responseType: { encode(message: never): { finish(): Uint8Array } }
}

export type ServiceDescriptor = Readonly<Record<string, MethodDescriptor>>

export type RequestOf<M> = M extends { requestType: { decode(reader: never, length?: number): infer R } }
  ? R
  : never
export type ResponseOf<M> = M extends { responseType: { encode(message: infer I, writer?: never): unknown } }
  ? I
  : never

export interface CallContext {
  /** The client connection, e.g. `ipv4:127.0.0.1:53122`. */
  readonly peer: string
  readonly metadata: Metadata
}

export type UnaryMethod<M> = (request: RequestOf<M>, ctx: CallContext) => Promise<ResponseOf<M>>
/** Writes pre-encoded bytes to `call` until the client leaves; must not end the call by itself. */
export type StreamMethod<M> = (request: RequestOf<M>, call: EventCall, ctx: CallContext) => void

export interface Unimplemented {
  readonly unimplemented: string
}

export type MethodImpl<M> = M extends { requestStream: false; responseStream: false }
  ? UnaryMethod<M> | Unimplemented
  : M extends { requestStream: false; responseStream: true }
    ? StreamMethod<M> | Unimplemented
    : Unimplemented

export type ServiceImpl<S> = { readonly [K in keyof S]: MethodImpl<S[K]> }

/** Marks a method the bridge does not serve; the reason is the UNIMPLEMENTED status message. */
export function unimplemented(reason: string): Unimplemented {
  return { unimplemented: reason }
}

export function isUnimplemented(value: unknown): value is Unimplemented {
  return typeof value === 'object' && value !== null && 'unimplemented' in value
}
