/**
 * Starts a real KritorEndpoint on 127.0.0.1 port 0 with a MemoryStore, a Hub and FakeOps, plus an
 * upstream-proto client; everything is closed after each test (clients first, then servers).
 */
import { afterEach } from 'vitest'
import { type KritorConfigInput, KritorSchema } from '../../../src/config/kritor-schema.js'
import { Hub } from '../../../src/hub/hub.js'
import { KritorEndpoint, type KritorEndpointOptions } from '../../../src/kritor/kritor-endpoint.js'
import { MemoryStore } from '../../../src/store/memory-store.js'
import { Metrics } from '../../../src/util/metrics.js'
import { BOT_ID } from './bridge-events.js'
import { FakeOps } from './fake-ops.js'
import { KritorClient } from './kritor-client.js'

const clients: KritorClient[] = []
const endpoints: KritorEndpoint[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await Promise.all(endpoints.splice(0).map((endpoint) => endpoint.stop()))
})

export function connect(endpoint: KritorEndpoint): KritorClient {
  const address = endpoint.address
  if (!address) throw new Error('endpoint not started')
  const client = new KritorClient(`127.0.0.1:${address.port}`)
  clients.push(client)
  return client
}

export async function startEndpoint(
  config: KritorConfigInput = {},
  extra: Partial<Pick<KritorEndpointOptions, 'callKookApi'>> = {},
) {
  const store = new MemoryStore()
  const hub = new Hub({ bot: 'main' })
  const metrics = new Metrics()
  const ops = new FakeOps()
  const endpoint = new KritorEndpoint({
    bot: { id: BOT_ID, name: 'main', nickname: 'bridge-bot' },
    config: KritorSchema.parse({ enabled: true, listen: '127.0.0.1:0', ...config }),
    hub,
    store,
    ops,
    metrics,
    ...extra,
  })
  endpoints.push(endpoint)
  await endpoint.start()
  const client = connect(endpoint)
  return { endpoint, hub, store, ops, metrics, client }
}
