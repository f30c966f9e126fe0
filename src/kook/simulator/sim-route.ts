import type { SimEventSources } from './sim-event-factory.js'
import type { SimParams } from './sim-params.js'
import type { Json } from './sim-views.js'

/** A file part of a multipart request. */
export interface SimUploadedFile {
  filename: string | undefined
  contentType: string | undefined
  data: Buffer
}

export interface SimRouteRequest {
  params: SimParams
  files: ReadonlyMap<string, SimUploadedFile>
}

/** What a route may use: world state, stores, the clock, and `emit` to push an event to every client. */
export interface SimApiContext extends SimEventSources {
  clock(): number
  /** `http://host:port` */
  readonly origin: string
  /**
   * Queues an event for every gateway session and webhook target (as `KookSimulator.inject`). A function
   * is called when the event goes out: an API call's events go out after its answer is written
   * (sim-api-server.ts), so building them need not delay the answer either.
   */
  emit(d: Json | (() => Json)): void
  /** A fresh gateway URL with a new short-lived token. */
  gatewayUrl(compress: boolean): string
}

/**
 * One HTTP API route: its method and what it does. `run` returns the envelope's `data`, or throws a
 * `SimApiFailure` for a KOOK error code.
 */
export interface SimRoute {
  method: 'GET' | 'POST'
  run(ctx: SimApiContext, req: SimRouteRequest): unknown
}
