/**
 * A throwaway Karin 1.x project on loopback, run as one real `node-karin` process.
 *
 * `create` makes a temp dir, links the repo's `node-karin` into its `node_modules`, runs Karin's own
 * `init`, then pins `.env` (loopback, a free port, fixed tokens), `redis.json` (a closed port) and
 * `adapter.json` (reverse WS server on, forward WS clients as asked), and installs the e2e plugin.
 * `start` spawns `dist/start/app.mjs` (one PID) and resolves on Karin's ready line; every byte Karin
 * prints goes to `karin.out` in the project dir, never to the console. `dispose` stops it (SIGTERM,
 * then SIGKILL) and removes the dir. Traps handled here are those of shared/reference/karin.md §7.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const REPO_NODE_MODULES = fileURLToPath(new URL('../../../node_modules/', import.meta.url))
const KARIN_PACKAGE = path.join(REPO_NODE_MODULES, 'node-karin')
/** The node-karin version under test (the repo's devDependency). */
export const KARIN_VERSION = (
  JSON.parse(fs.readFileSync(path.join(KARIN_PACKAGE, 'package.json'), 'utf8')) as { version: string }
).version
const PLUGIN_SOURCE = fileURLToPath(new URL('./plugin/e2e-commands.js', import.meta.url))

/** Karin prints this once plugins are loaded and its HTTP/WS server listens (karin.md §1). */
const READY_LINE = 'karin 启动完成'

/** 2×2 PNGs the plugin sends: red inline as `base64://`, blue as a `file://` path under `assetDir`. */
export const RED_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR4nGP4z8DwnwGMgRQAH+4D/dJQfRoAAAAASUVORK5CYII=',
  'base64',
)
export const BLUE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAD0lEQVR4nGNgYPgPRmAKABf2A/1+6zfzAAAAAElFTkSuQmCC',
  'base64',
)

export interface KarinProjectOptions {
  /** `WS_SERVER_AUTH_KEY`: what a reverse WS client must send as `Authorization: Bearer …`. */
  wsServerToken: string
  /** Forward WS: Karin dials each of these (`adapter.json` `onebot.ws_client`). */
  wsClients?: Array<{ url: string; token: string }>
  /** @defaultValue 'info' (the ready line is logged at info) */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn'
}

/** Asks the OS for a free loopback port (Karin needs a fixed number in its .env). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port from the OS')
  return address.port
}

function setEnvKeys(file: string, values: Record<string, string>): void {
  const pending = new Map(Object.entries(values))
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      const key = /^([A-Z0-9_]+)=/.exec(line)?.[1]
      if (key === undefined || !pending.has(key)) return line
      const value = pending.get(key)
      pending.delete(key)
      return `${key}=${value}`
    })
  for (const [key, value] of pending) lines.push(`${key}=${value}`)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
}

function editJson(file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  edit(json)
  fs.writeFileSync(file, JSON.stringify(json, null, 2))
}

export class KarinProject {
  readonly dir: string
  readonly httpPort: number
  /** Where the plugin reads `file.png`; give it to kookbridge as a `fileRoots` entry. */
  readonly assetDir: string
  readonly #outFile: string
  #child: ChildProcess | undefined
  #exited: Promise<void> | undefined

  private constructor(dir: string, httpPort: number) {
    this.dir = dir
    this.httpPort = httpPort
    this.assetDir = path.join(dir, '@karinjs', 'resource', 'karin-plugin-e2e')
    this.#outFile = path.join(dir, 'karin.out')
  }

  /** Karin's reverse WS server (it is the OneBot client's server in that mode). */
  get reverseWsUrl(): string {
    return `ws://127.0.0.1:${this.httpPort}/onebot/v11/ws`
  }

  static async create(options: KarinProjectOptions): Promise<KarinProject> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kookbridge-karin-'))
    try {
      const project = new KarinProject(dir, await freePort())
      await project.#init(options)
      return project
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true })
      throw error
    }
  }

  async #init(options: KarinProjectOptions): Promise<void> {
    const { dir } = this
    // Only node-karin is linked: Node resolves its own dependencies from its real path in the repo.
    fs.mkdirSync(path.join(dir, 'node_modules'))
    fs.symlinkSync(KARIN_PACKAGE, path.join(dir, 'node_modules', 'node-karin'), 'dir')
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'karin-e2e', private: true }))
    // Karin's own `init`. INIT_CWD would make it initialise the directory npm was started in (the repo).
    await promisify(execFile)(process.execPath, [path.join(KARIN_PACKAGE, 'dist/cli/index.mjs'), 'init'], {
      cwd: dir,
      env: this.#env(),
      timeout: 30_000,
    })
    const closedPort = await freePort()
    setEnvKeys(path.join(dir, '.env'), {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(this.httpPort),
      WS_SERVER_AUTH_KEY: options.wsServerToken,
      // Karin asks an instance on its port with the same key to exit; a random key never matches one.
      HTTP_AUTH_KEY: `e2e-${Math.random().toString(36).slice(2)}`,
      LOG_LEVEL: options.logLevel ?? 'info',
    })
    const config = path.join(dir, '@karinjs', 'config')
    // A closed port: the connect fails at once and Karin falls back to its SQLite redis mock.
    editJson(path.join(config, 'redis.json'), (json) => {
      json['url'] = `redis://127.0.0.1:${closedPort}`
    })
    this.setWsClients(options.wsClients ?? [])
    const pluginDir = path.join(dir, 'plugins', 'karin-plugin-e2e')
    fs.mkdirSync(pluginDir, { recursive: true })
    fs.copyFileSync(PLUGIN_SOURCE, path.join(pluginDir, 'e2e-commands.js'))
    fs.mkdirSync(this.assetDir, { recursive: true })
    fs.writeFileSync(path.join(this.assetDir, 'red.png'), RED_PNG)
    fs.writeFileSync(path.join(this.assetDir, 'blue.png'), BLUE_PNG)
    // Whatever happens, Karin must not start a daemonised redis-server that outlives the test.
    const bin = path.join(dir, 'bin')
    fs.mkdirSync(bin)
    fs.writeFileSync(path.join(bin, 'redis-server'), '#!/bin/sh\nexit 1\n', { mode: 0o755 })
  }

  /** Forward WS: the OneBot servers Karin dials at start (`adapter.json` `onebot.ws_client`). */
  setWsClients(clients: Array<{ url: string; token: string }>): void {
    editJson(path.join(this.dir, '@karinjs', 'config', 'adapter.json'), (json) => {
      const onebot = json['onebot'] as Record<string, unknown>
      onebot['ws_client'] = clients.map((c) => ({ enable: true, url: c.url, token: c.token }))
      onebot['http_server'] = []
    })
  }

  /** A minimal environment: nothing of the test runner's (INIT_CWD, NODE_OPTIONS, VITEST_*) leaks in. */
  #env(): NodeJS.ProcessEnv {
    return {
      PATH: `${path.join(this.dir, 'bin')}${path.delimiter}${process.env['PATH'] ?? ''}`,
      HOME: process.env['HOME'] ?? os.homedir(),
      LANG: 'C.UTF-8',
      FORCE_COLOR: '0',
      TZ: process.env['TZ'] ?? 'UTC',
    }
  }

  /** Everything Karin printed so far (for failure messages). */
  output(): string {
    try {
      // Karin's log4js layout colours regardless of FORCE_COLOR.
      return fs.readFileSync(this.#outFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '')
    } catch {
      return ''
    }
  }

  /** Spawns Karin and resolves once it is ready; rejects with its output if it exits or stalls. */
  async start(timeoutMs = 20_000): Promise<void> {
    if (this.#child) throw new Error('Karin is already running')
    const out = fs.openSync(this.#outFile, 'a')
    const child = spawn(
      process.execPath,
      [path.join('node_modules', 'node-karin', 'dist', 'start', 'app.mjs')],
      {
        cwd: this.dir,
        env: this.#env(),
        stdio: ['ignore', 'pipe', out],
      },
    )
    fs.closeSync(out)
    this.#child = child
    // Safety net: a runner that dies without teardown must not leave Karin running.
    const orphan = () => child.kill('SIGKILL')
    process.once('exit', orphan)
    this.#exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.off('exit', orphan)
        resolve()
      }),
    )
    // Drain stdout into the file for the whole run, so Karin never blocks on a full pipe.
    child.stdout?.pipe(fs.createWriteStream(this.#outFile, { flags: 'a' }))
    let seen = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`Karin was not ready within ${timeoutMs} ms`), timeoutMs)
      const onData = (chunk: Buffer) => {
        if (seen.length < 1_000_000) seen += chunk.toString('utf8')
        if (seen.includes(READY_LINE)) done()
      }
      const onExit = (code: number | null) => fail(`Karin exited during startup (code ${code})`)
      const cleanup = () => {
        clearTimeout(timer)
        child.off('exit', onExit)
        child.stdout?.off('data', onData)
      }
      const done = () => {
        cleanup()
        resolve()
      }
      const fail = (reason: string) => {
        cleanup()
        reject(new Error(`${reason}\n--- karin output ---\n${this.output().slice(-4000)}`))
      }
      child.stdout?.on('data', onData)
      child.once('exit', onExit)
    })
  }

  /** SIGTERM (Karin saves its redis mock and exits in 1–2 s), SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child
    const exited = this.#exited
    this.#child = undefined
    this.#exited = undefined
    if (!child || !exited || child.exitCode !== null || child.signalCode !== null) {
      await exited
      return
    }
    child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve()
      }, graceMs)
    })
    await Promise.race([exited, killed])
    clearTimeout(timer)
    await exited
  }

  /** Stops Karin and removes the project directory. */
  async dispose(): Promise<void> {
    try {
      await this.stop()
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
