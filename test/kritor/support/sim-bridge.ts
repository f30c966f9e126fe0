/**
 * The whole chain on loopback: KOOK simulator → BotRuntime (gateway with zlib frames, wire parse,
 * mapping table, message index, hub, OperationExecutor over the simulator's HTTP API, and the kritor
 * endpoint it starts for `kritor.enabled`) → a kritor client built from upstream's protos.
 */
import { BotRuntime } from '../../../src/bridge/bot-runtime.js'
import type { KritorConfigInput } from '../../../src/config/kritor-schema.js'
import { BotSchema } from '../../../src/config/schema.js'
import type { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'
import type { KritorEndpoint } from '../../../src/kritor/kritor-endpoint.js'
import type { MappingTable } from '../../../src/mapping/mapping-table.js'
import { KritorClient } from './kritor-client.js'

export interface SimBridge {
  runtime: BotRuntime
  endpoint: KritorEndpoint
  client: KritorClient
  stop(): Promise<void>
}

export async function startSimBridge(
  sim: KookSimulator,
  options: { table?: MappingTable; kritor?: KritorConfigInput } = {},
): Promise<SimBridge> {
  const config = BotSchema.parse({
    token: sim.token,
    apiBase: sim.apiBase,
    gateway: { persistSession: false },
    kritor: { enabled: true, listen: '127.0.0.1:0', ...options.kritor },
  })
  const runtime = await BotRuntime.start({
    config,
    store: 'memory',
    ...(options.table !== undefined && { table: options.table }),
  })
  let client: KritorClient | undefined
  const stop = async () => {
    client?.close()
    await runtime.stop()
  }
  try {
    const endpoint = runtime.endpoints.kritor
    const address = runtime.endpoints.kritorAddress
    if (!endpoint || !address) throw new Error('the bot runtime started no kritor endpoint')
    client = new KritorClient(`127.0.0.1:${address.port}`)
    const deadline = Date.now() + 5_000
    while (!runtime.online) {
      if (Date.now() > deadline) throw new Error('the bot runtime did not connect to the simulator')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    return { runtime, endpoint, client, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
