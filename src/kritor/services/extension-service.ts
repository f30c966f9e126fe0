/**
 * kookbridge.v1.ExtensionService, served beside kritor on the same listener (proto/kookbridge/v1):
 * - RegisterExtensionListener streams the KOOK-only events kritor cannot carry (voice join/leave,
 *   button clicks, edits, guild/channel/role changes, DM reactions, profile changes), optionally
 *   filtered by `names` (with or without the `kook.` prefix);
 * - CallKookApi calls one KOOK HTTP endpoint as the bot: params and answer are JSON text; KOOK's
 *   refusals come back as gRPC status (status.ts).
 */
import type { services } from '../../../gen/kookbridge/v1/services.js'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kookbridge.v1.ExtensionService']

function parseParams(json: string): Record<string, unknown> {
  if (json.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (error) {
    throw new BridgeError(ErrorCode.BadParams, `json_params is not JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BridgeError(ErrorCode.BadParams, 'json_params must be a JSON object')
  }
  return value as Record<string, unknown>
}

export function extensionService(deps: ServiceDeps): ServiceImpl<Service> {
  const call = deps.callKookApi
  return {
    RegisterExtensionListener: (request, stream) => {
      const names = new Set(request.names.map((name) => name.replace(/^kook\./, '')))
      deps.streams.open('extension', stream, names.size === 0 ? undefined : (name) => names.has(name))
    },
    CallKookApi:
      call === undefined
        ? unimplemented('this endpoint was started without KOOK API access')
        : async (request) => {
            const endpoint = request.endpoint.trim().replace(/^\/+/, '')
            if (endpoint === '')
              throw new BridgeError(ErrorCode.BadParams, 'endpoint is required, e.g. "guild/list"')
            const data = await call(endpoint, parseParams(request.json_params))
            return { json_data: JSON.stringify(data ?? null) }
          },
  }
}
