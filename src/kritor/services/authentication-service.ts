/**
 * kritor.authentication.AuthenticationService (kritor.md §4). Credentials that do not match come back
 * as kritor's answer codes, never as gRPC errors: nonebot reads `code`, and a foreign account is
 * NO_ACCOUNT. Both calls are open (no ticket needed): they are how a client gets one accepted.
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.authentication.AuthenticationService']

const TICKETS_FROM_CONFIG =
  'tickets come from the kookbridge configuration (kritor.tickets) and are not managed over gRPC'

export function authenticationService(deps: ServiceDeps): ServiceImpl<Service> {
  return {
    Authenticate: async (request, ctx) => deps.auth.authenticate(request.account, request.ticket, ctx.peer),
    GetAuthenticationState: async (_request, ctx) => ({ is_required: deps.auth.isRequired(ctx.peer) }),
    GetTicket: unimplemented(TICKETS_FROM_CONFIG),
    AddTicket: unimplemented(TICKETS_FROM_CONFIG),
    DeleteTicket: unimplemented(TICKETS_FROM_CONFIG),
  }
}
