/**
 * The kritor services a KOOK bridge has nothing behind: every method answers UNIMPLEMENTED with the
 * service's reason (instead of grpc-js's bare "The server does not implement the method"), so a
 * framework's log says why.
 */
import { services } from '../../../gen/kritor/1.0.3/services.js'
import type { ServiceDescriptor, ServiceImpl } from '../service-impl.js'
import { unimplemented } from '../service-impl.js'

function allUnimplemented<S extends ServiceDescriptor>(descriptor: S, reason: string): ServiceImpl<S> {
  const entry = unimplemented(reason)
  return Object.fromEntries(Object.keys(descriptor).map((name) => [name, entry])) as ServiceImpl<S>
}

/** Service name → its all-UNIMPLEMENTED implementation. */
export function unsupportedServices() {
  return {
    'kritor.customization.CustomizationService': allUnimplemented(
      services['kritor.customization.CustomizationService'],
      'KOOK calls go through kookbridge.v1.ExtensionService/CallKookApi',
    ),
    'kritor.developer.DeveloperService': allUnimplemented(
      services['kritor.developer.DeveloperService'],
      'developer tools of QQ protocol implementations have no KOOK counterpart',
    ),
    'kritor.developer.QsignService': allUnimplemented(
      services['kritor.developer.QsignService'],
      'QQ signing does not exist on KOOK',
    ),
    'kritor.file.GroupFileService': allUnimplemented(
      services['kritor.file.GroupFileService'],
      'KOOK channels have no file system; send FILE elements instead',
    ),
    'kritor.process.ProcessService': allUnimplemented(
      services['kritor.process.ProcessService'],
      'KOOK has no friend or join requests to answer',
    ),
    'kritor.reverse.ReverseService': allUnimplemented(
      services['kritor.reverse.ReverseService'],
      'ReverseStream belongs to passive mode, which an active-mode listener does not serve',
    ),
    'kritor.web.WebService': allUnimplemented(
      services['kritor.web.WebService'],
      'KOOK bots have no web cookies',
    ),
  } as const
}
