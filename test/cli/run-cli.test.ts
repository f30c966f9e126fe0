import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run-cli.js'
import { KookSimulator } from '../../src/kook/simulator/kook-simulator.js'

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    env: { ...env },
    stdout: (s: string) => out.push(s),
    stderr: (s: string) => err.push(s),
    stopSignal: Promise.resolve(),
  }
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kookbridge-cli-'))
  dirs.push(dir)
  const file = join(dir, 'kookbridge.yaml')
  writeFileSync(file, text)
  return file
}

describe('kookbridge CLI', () => {
  it('lists every configuration problem with its path and exits 2 before starting anything', async () => {
    const file = configFile(
      [
        'bots:',
        '  - name: main',
        '    mode: websocket',
        '    apiBase: not a url',
        '    gateway: { compress: maybe }',
        '  - name: main',
        'unknownKey: 1',
      ].join('\n'),
    )
    const cli = io()
    const code = await runCli(['config', 'check', '--config', file], cli)
    expect(code).toBe(2)
    const text = cli.err.join('')
    expect(text).toContain(`${file}: bots[0].mode`)
    expect(text).toContain('bots[0].apiBase')
    expect(text).toContain('bots[0].gateway.compress')
    expect(text).toContain('unknownKey')
  })

  it('reports YAML syntax errors with the file name', async () => {
    const file = configFile('bots: [\n  - name: x\n')
    const cli = io()
    expect(await runCli(['config', 'check', '--config', file], cli)).toBe(2)
    expect(cli.err.join('')).toContain(file)
  })

  it('accepts a valid file and takes the token from the environment', async () => {
    const file = configFile('bots:\n  - name: main\n    mode: ws\n')
    const cli = io({ KOOK_TOKEN: 'from-env' })
    expect(await runCli(['config', 'check', '--config', file], cli)).toBe(0)
    expect(cli.out.join('')).toContain('1 bot(s)')
    expect(cli.out.join('') + cli.err.join('')).not.toContain('from-env')
  })

  it('refuses webhook mode without a verify token', async () => {
    const file = configFile('bots:\n  - token: t\n    mode: webhook\n')
    const cli = io()
    expect(await runCli(['config', 'check', '--config', file], cli)).toBe(2)
    expect(cli.err.join('')).toContain('bots[0].webhook.verifyToken')
  })

  it('answers an unknown command with usage and exit code 2', async () => {
    const cli = io()
    expect(await runCli(['frobnicate'], cli)).toBe(2)
    expect(cli.err.join('')).toContain('Usage:')
  })

  it('reports start-up over once the bridge serves, while it keeps serving until stopped', async () => {
    const sim = await KookSimulator.start()
    try {
      const file = configFile(
        'store: memory\nlog: { level: silent }\nbots:\n  - kritor: { enabled: true, listen: "127.0.0.1:0" }\n',
      )
      let stop = () => {}
      const stopSignal = new Promise<void>((resolve) => {
        stop = resolve
      })
      const events: string[] = []
      const cli = {
        ...io({ KOOK_TOKEN: sim.token, KOOK_API_BASE: sim.apiBase }),
        stopSignal,
        started: () => {
          events.push('started')
          stop()
        },
      }
      const code = await runCli(['start', '--config', file], cli)
      expect(cli.err.join('')).toBe('')
      expect(code).toBe(0)
      // Called once, after the bot started (it asked the simulator who it is): without the call the
      // stop signal never comes and this test times out.
      expect(events).toEqual(['started'])
    } finally {
      await sim.close()
    }
  })
})
