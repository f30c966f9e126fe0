import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load-config.js'

describe('configuration', () => {
  it('fills every default from the schema', () => {
    const config = parseConfig({})
    expect(config.bots).toHaveLength(1)
    const [bot] = config.bots
    expect(bot?.name).toBe('main')
    expect(bot?.mode).toBe('ws')
    expect(bot?.apiBase).toBe('https://www.kookapp.cn/api/v3')
    expect(bot?.gateway.compress).toBe(true)
    expect(bot?.webhook.listen).toEqual({ host: '127.0.0.1', port: 8600 })
    expect(config.store).toBe('sqlite')
  })

  it('takes secrets from the environment, per bot name, and the plain names for the first bot', () => {
    const config = parseConfig({ bots: [{ name: 'alpha' }, { name: 'beta-2' }] }, 'test', {
      KOOK_TOKEN: 'first',
      KOOK_TOKEN_BETA_2: 'second',
      KOOK_VERIFY_TOKEN_BETA_2: 'vt',
    })
    expect(config.bots.map((b) => b.token)).toEqual(['first', 'second'])
    expect(config.bots[1]?.webhook.verifyToken).toBe('vt')
  })

  it('takes the OneBot access token and kritor tickets from the environment, keeping the rest of each section', () => {
    const config = parseConfig(
      {
        bots: [
          { name: 'alpha', onebot: { enabled: true, forwardWs: { listen: '0.0.0.0:6700' } } },
          { name: 'beta', kritor: { enabled: true, listen: '0.0.0.0:5700', tickets: ['from-file'] } },
        ],
      },
      'test',
      { ONEBOT_ACCESS_TOKEN: 'ob-secret', KRITOR_TICKETS_BETA: ' t1, t2 ,' },
    )
    // Without the env token the public OneBot bind would be refused (see below); with it, it is accepted.
    expect(config.bots[0]?.onebot.accessToken).toBe('ob-secret')
    expect(config.bots[0]?.onebot.enabled).toBe(true)
    expect(config.bots[1]?.kritor.tickets).toEqual(['t1', 't2'])
    expect(config.bots[1]?.kritor.listen).toEqual({ host: '0.0.0.0', port: 5700 })
    // The plain names apply to the first bot only.
    expect(config.bots[1]?.onebot.accessToken).toBeUndefined()
  })

  it('reports several problems at once, each with its path', () => {
    let message = ''
    try {
      parseConfig({ bots: [{ name: 'a b', mode: 'x' }, { name: 'a b' }], log: { level: 'loud' } }, 'cfg.yaml')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('cfg.yaml: bots[0].name')
    expect(message).toContain('cfg.yaml: bots[0].mode')
    expect(message).toContain('cfg.yaml: log.level')
  })

  it('refuses a public OneBot listener without an access token', () => {
    expect(() =>
      parseConfig({ bots: [{ onebot: { enabled: true, forwardWs: { listen: '0.0.0.0:6700' } } }] }),
    ).toThrow(/onebot\.forwardWs\.listen/)
    expect(() =>
      parseConfig({ bots: [{ onebot: { accessToken: 't', forwardWs: { listen: '0.0.0.0:6700' } } }] }),
    ).not.toThrow()
  })

  it('refuses a public metrics listener', () => {
    expect(() => parseConfig({ metrics: { listen: '0.0.0.0:9464' } })).toThrow(/metrics\.listen/)
  })
})
