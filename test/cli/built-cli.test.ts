/**
 * The README's first command as users run it: `npm start` builds (`npm run build`, tsc into dist/)
 * and runs `node dist/src/cli/main.js`. Every other test runs the sources under tsx, where relative
 * paths resolve from src/; this one runs the build, where they resolve from dist/src/. (A
 * `../../package.json` that only existed from src/ once crashed the demo in dist at the first OneBot
 * endpoint, and no other test could see it.)
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the built CLI (npm start)', () => {
  it('runs the demo from dist with no KOOK token: simulator, both endpoints, SQLite store, events flowing', async () => {
    // Incremental: cheap when dist/ is current (CI's install already built it through `prepare`).
    await promisify(execFile)('npm', ['run', 'build'], { cwd: REPO })
    const cwd = mkdtempSync(join(tmpdir(), 'kookbridge-built-'))
    dirs.push(cwd)
    // Port 0 everywhere (the defaults are fixed ports); the default SQLite store, whose writer thread
    // is a separate file in dist/.
    writeFileSync(
      join(cwd, 'kookbridge.yaml'),
      [
        'log: { level: warn }',
        'bots:',
        '  - onebot: { enabled: true, forwardWs: { listen: "127.0.0.1:0" } }',
        '    kritor: { enabled: true, listen: "127.0.0.1:0" }',
        '',
      ].join('\n'),
    )
    const env = { ...process.env }
    for (const name of Object.keys(env)) if (name.startsWith('KOOK_')) delete env[name]
    const child = spawn(
      process.execPath,
      [join(REPO, 'dist/src/cli/main.js'), '--config', 'kookbridge.yaml'],
      {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const deadline = Date.now() + 30_000
    while (!/KOOK → bridge {3}message/.test(out) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    child.kill('SIGTERM')
    const code = await exited
    expect(err).not.toMatch(/Error|Cannot find/)
    expect(out).toContain('simulated KOOK API')
    expect(out).toMatch(/OneBot v11 forward WS ws:\/\/127\.0\.0\.1:\d+\//)
    expect(out).toMatch(/KOOK → bridge {3}message {2}#\S+ {2}\S+: #ping/)
    // SIGTERM is a clean stop: stores flushed, sockets closed, and no warning about the demo step
    // that was waiting when the simulator closed.
    expect(code).toBe(0)
    expect(out).not.toContain('demo script step failed')
  }, 120_000)
})
