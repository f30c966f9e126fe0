/**
 * kritor.event.EventService, active mode: `RegisterActiveListener` opens one stream per EventType
 * (frameworks open CORE_EVENT, MESSAGE, NOTICE and REQUEST, kritor.md §2). The stream is handed to the
 * endpoint's EventStreams and stays open until the client leaves or the endpoint stops — CORE_EVENT
 * too, though it carries nothing (kritor.md §7).
 */
import { kritor } from '../../../gen/kritor/1.0.3/kritor.js'
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { EventStreamKind } from '../event-streams.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.event.EventService']

const EventType = kritor.event.EventType

export function streamKindOf(type: kritor.event.EventType): EventStreamKind {
  switch (type) {
    case EventType.EVENT_TYPE_CORE_EVENT:
      return 'core'
    case EventType.EVENT_TYPE_MESSAGE:
      return 'message'
    case EventType.EVENT_TYPE_NOTICE:
      return 'notice'
    case EventType.EVENT_TYPE_REQUEST:
      return 'request'
    default:
      throw new BridgeError(
        ErrorCode.BadParams,
        `type ${String(type)} is not a kritor 1.0.3 EventType (0 CORE_EVENT, 1 MESSAGE, 2 NOTICE, 3 REQUEST)`,
      )
  }
}

export function eventService(deps: ServiceDeps): ServiceImpl<Service> {
  return {
    RegisterActiveListener: (request, call) => deps.streams.open(streamKindOf(request.type), call),
    RegisterPassiveListener: unimplemented(
      'passive mode (the bridge dials the framework) is not served by an active-mode listener',
    ),
  }
}
