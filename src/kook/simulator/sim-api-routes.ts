import { assetRoutes } from './routes/asset-routes.js'
import { channelRoutes } from './routes/channel-routes.js'
import { directMessageRoutes } from './routes/direct-message-routes.js'
import { guildRoutes } from './routes/guild-routes.js'
import { messageRoutes } from './routes/message-routes.js'
import { userRoutes } from './routes/user-routes.js'
import type { SimRoute } from './sim-route.js'

/** Every HTTP API route the simulator serves, keyed by its path under `/api/v3/`. */
export const simApiRoutes = {
  ...userRoutes,
  ...messageRoutes,
  ...directMessageRoutes,
  ...guildRoutes,
  ...channelRoutes,
  ...assetRoutes,
} as const satisfies Record<string, SimRoute>

export type SimApiRouteName = keyof typeof simApiRoutes

export function findSimRoute(route: string): SimRoute | undefined {
  return Object.hasOwn(simApiRoutes, route) ? simApiRoutes[route as SimApiRouteName] : undefined
}
