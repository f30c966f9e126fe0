/**
 * Starts a real OneBotEndpoint on loopback with the in-memory store and FakeOps, and tears every endpoint
 * down after each test.
 */
import { afterEach } from 'vitest'
import { type OneBotConfigInput, OneBotSchema } from '../../../src/config/onebot-schema.js'
import { Hub } from '../../../src/hub/hub.js'
import type { BridgeEvent } from '../../../src/model/bridge-event.js'
import { OneBotEndpoint } from '../../../src/onebot/onebot-endpoint.js'
import { MemoryStore } from '../../../src/store/memory-store.js'
import { Metrics } from '../../../src/util/metrics.js'
import { BOT_ID, GUILD_ID } from './bridge-events.js'
import { FakeOps } from './fake-ops.js'

const running: OneBotEndpoint[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((endpoint) => endpoint.stop()))
})

export async function startEndpoint(config: OneBotConfigInput) {
  const store = new MemoryStore()
  const hub = new Hub({ bot: 'main' })
  const metrics = new Metrics()
  const ops = new FakeOps({
    sendMessage: () => ({ messageIds: ['aaaaaaaa-0000-4000-8000-000000000001'], time: 1_700_000_000_000 }),
    getGuild: (op) => ({ id: op.guildId, name: 'Guild', ownerId: '1', defaultChannelId: '1234567890123' }),
    getChannel: (op) => ({ id: op.channelId, guildId: GUILD_ID, name: 'general', kind: 1 }),
  })
  const endpoint = new OneBotEndpoint({
    bot: { id: BOT_ID, name: 'main', nickname: 'Bridge Bot' },
    config: OneBotSchema.parse({ enabled: true, heartbeatIntervalMs: 0, ...config }),
    hub,
    store,
    ops,
    metrics,
  })
  running.push(endpoint)
  await endpoint.start()
  return { endpoint, hub, store, ops, metrics, publish: (event: BridgeEvent) => hub.publish(event) }
}
