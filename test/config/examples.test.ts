import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'

describe('shipped example configuration', () => {
  it('is valid, so a newcomer copying it gets a working start', () => {
    const { config } = loadConfig({ file: 'examples/kookbridge.yaml', env: { KOOK_TOKEN: 'x' } })
    expect(config.bots[0]?.onebot.enabled).toBe(true)
    expect(config.bots[0]?.token).toBe('x')
  })
})
