import { describe, expect, it } from 'vitest'
import { KritorSchema } from '../../src/config/kritor-schema.js'

describe('KritorSchema', () => {
  it('is safe by default: off, loopback on kritor’s usual port, no auth, GROUP scenes', () => {
    expect(KritorSchema.parse({})).toEqual({
      enabled: false,
      schema: '1.0.3',
      listen: { host: '127.0.0.1', port: 5700 },
      tickets: [],
      sceneMode: 'group',
      queueSize: 1024,
      maxReceiveMessageBytes: 32 * 1024 * 1024,
      keepaliveTimeMs: 60_000,
      keepaliveTimeoutMs: 20_000,
      extensionService: true,
    })
  })

  it('reports every problem with its path', () => {
    const result = KritorSchema.safeParse({
      listen: '[::]:70000',
      queueSize: 0,
      sceneMode: 'channel',
      tickets: [''],
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'listen',
      'queueSize',
      'sceneMode',
      'tickets.0',
    ])
  })

  it('accepts any bind once tickets are set, and no other schema than 1.0.3', () => {
    expect(KritorSchema.safeParse({ listen: '0.0.0.0:5700', tickets: ['t'] }).success).toBe(true)
    expect(KritorSchema.safeParse({ schema: 'latest' }).success).toBe(false)
  })
})
