import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runSimulatorCli } from '../../../src/kook/simulator/simulator-cli.js'

function recorder() {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) },
    waitFor: async (pattern: RegExp): Promise<RegExpExecArray> => {
      for (let i = 0; i < 200; i++) {
        const match = pattern.exec(out.join(''))
        if (match) return match
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      throw new Error(`no ${pattern} in ${out.join('')}`)
    },
  }
}

describe('kookbridge simulate', () => {
  it('prints where the simulator listens and how to point kookbridge at it, then serves until stopped', async () => {
    const r = recorder()
    const stop = new AbortController()
    const exit = runSimulatorCli(['--token', 'cli-token', '--quiet'], r.io, { signal: stop.signal })
    const [, apiBase] = await r.waitFor(/API base\s+(\S+)/)
    expect(r.out.join('')).toContain(`KOOK_TOKEN=cli-token KOOK_API_BASE=${apiBase} kookbridge start`)
    const me = await fetch(`${apiBase}/user/me`, { headers: { Authorization: 'Bot cli-token' } })
    expect(((await me.json()) as { code: number }).code).toBe(0)
    stop.abort()
    expect(await exit).toBe(0)
    expect(r.out.join('')).toContain('stopped')
    await expect(fetch(`${apiBase}/user/me`)).rejects.toThrow()
  })

  it('logs API calls unless --quiet', async () => {
    const r = recorder()
    const stop = new AbortController()
    const exit = runSimulatorCli([], r.io, { signal: stop.signal })
    const [, apiBase] = await r.waitFor(/API base\s+(\S+)/)
    await fetch(`${apiBase}/user/me`, { headers: { Authorization: 'Bot sim-token' } })
    await r.waitFor(/api\s+GET user\/me → 200 code 0/)
    stop.abort()
    expect(await exit).toBe(0)
  })

  it('exits 2 with the usage on bad arguments', async () => {
    const r = recorder()
    expect(await runSimulatorCli(['--port', 'http'], r.io)).toBe(2)
    expect(r.err.join('')).toMatch(/--port needs a number[\s\S]*usage: kookbridge simulate/)
    expect(await runSimulatorCli(['--frobnicate'], r.io)).toBe(2)
  })

  it('exits 1 when the script is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kook-sim-cli-'))
    try {
      await writeFile(join(dir, 'bad.yaml'), 'steps:\n  - wait: soon\n')
      const r = recorder()
      expect(await runSimulatorCli(['--quiet', '--script', join(dir, 'bad.yaml')], r.io)).toBe(1)
      expect(r.err.join('')).toContain('steps[0].wait')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
