/**
 * What the kritor service implementations share, built once by the endpoint. Services are thin
 * decoders onto Operations (architecture.md "Operation"): they validate the request, run one or a few
 * operations and encode the result; nothing here talks to KOOK directly.
 */
import type { OperationRunner } from '../../model/operation.js'
import type { BridgeStore } from '../../store/bridge-store.js'
import type { EmojiFaceIds } from '../emoji-face-ids.js'
import type { SceneMode } from '../encode-push-message.js'
import type { EventStreams } from '../event-streams.js'
import type { GroupResolver } from '../group-resolver.js'
import type { TicketAuth } from '../ticket-auth.js'

/** The bot an endpoint serves (the same shape the OneBot endpoint takes). */
export interface BotIdentity {
  /** KOOK user id of the bot. */
  id: string
  /** The configured bot name: labels logs. */
  name: string
  /** The KOOK username: what GetCurrentAccount and GetBotInfo report. */
  nickname: string
}

/** Calls one KOOK HTTP API endpoint as the bot and returns its `data` (ExtensionService.CallKookApi). */
export type CallKookApi = (endpoint: string, params: Record<string, unknown>) => Promise<unknown>

export interface ServiceDeps {
  bot: BotIdentity
  version: string
  ops: OperationRunner
  store: BridgeStore
  sceneMode: SceneMode
  auth: TicketAuth
  streams: EventStreams
  faceIds: EmojiFaceIds
  groups: GroupResolver
  callKookApi: CallKookApi | undefined
  onInvalidId: (id: string) => void
}
