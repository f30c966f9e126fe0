/**
 * The `kookbridge` command line. Verbs:
 *   kookbridge [start] [--config FILE]   run the bridge; with no KOOK token anywhere, run the demo
 *   kookbridge demo [--config FILE]      the demo on the embedded KOOK simulator
 *   kookbridge simulate [--port N] [--token T] [--script FILE]   the KOOK simulator alone
 *   kookbridge config check [--config FILE]
 *   kookbridge mappings check [FILE…]    validate the shipped mapping table plus override files
 *   kookbridge explain EVENT.json        which row matches a KOOK event, and what it becomes
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid input (arguments, configuration, mapping files).
 */
/*
 * Each verb imports what it runs (`await import` below), not this module: `kookbridge start` is a
 * long-lived process and should not keep the simulator, the demo script or the explain renderers
 * (the OneBot encoders) in its heap for its whole life.
 */
import { existsSync } from 'node:fs'
import { type LoadedConfig, loadConfig } from '../config/load-config.js'
import { isBridgeError } from '../errors/bridge-error.js'
import { createLogger } from '../util/logger.js'
import { VERSION } from '../version.js'
import type { CommandIo } from './mappings-command.js'

export interface CliEnvironment extends CommandIo {
  env: NodeJS.ProcessEnv
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>
  /**
   * Called once start-up is over: the bridge (or demo) is serving, or another verb begins its work.
   * main.ts ends its start-up heap hold here (app/startup-heap.ts).
   */
  started?: () => void
}

const USAGE = `kookbridge ${VERSION} — a KOOK bot as a kritor and OneBot v11 endpoint

Usage:
  kookbridge [start] [--config FILE]     run the bridge (no KOOK token configured: the demo)
  kookbridge demo [--config FILE]        the demo on the embedded KOOK simulator
  kookbridge simulate [--port N] [--token T] [--script FILE]
  kookbridge config check [--config FILE]
  kookbridge mappings check [OVERRIDE.yaml …]
  kookbridge explain KOOK-EVENT.json
  kookbridge --version | --help

The configuration file defaults to $KOOKBRIDGE_CONFIG, then ./kookbridge.yaml when present.
Secrets come from the environment: KOOK_TOKEN, KOOK_VERIFY_TOKEN, KOOK_ENCRYPT_KEY (or _<BOTNAME>).
`

function takeOption(args: string[], name: string): string | undefined {
  const index = args.indexOf(name)
  if (index === -1) return undefined
  const value = args[index + 1]
  args.splice(index, 2)
  return value
}

function configFile(args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const explicit = takeOption(args, '--config') ?? env['KOOKBRIDGE_CONFIG']
  if (explicit) return explicit
  return existsSync('kookbridge.yaml') ? 'kookbridge.yaml' : undefined
}

function report(io: CommandIo, error: unknown): number {
  if (isBridgeError(error)) {
    io.stderr(`${error.message}\n`)
    return error.code === 'CONFIG_INVALID' || error.code === 'MAPPING_INVALID' ? 2 : 1
  }
  io.stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return 1
}

async function serve(loaded: LoadedConfig, io: CliEnvironment, forceDemo: boolean): Promise<number> {
  const { config, baseDir } = loaded
  const logger = createLogger({ level: config.log.level })
  const demo = forceDemo || config.bots.every((bot) => !bot.token)
  if (demo) {
    const { startDemo } = await import('../app/demo.js')
    const running = await startDemo({ config, baseDir, logger, print: (line) => io.stdout(`${line}\n`) })
    io.started?.()
    await io.stopSignal
    await running.stop()
    return 0
  }
  const { BridgeApp } = await import('../app/bridge-app.js')
  const app = await BridgeApp.start({ config, baseDir, logger })
  io.started?.()
  let fatal = 0
  for (const bot of app.bots) {
    bot.on('fatal', (error) => {
      io.stderr(`bot "${bot.name}" stopped: ${error.message}\n`)
      fatal += 1
    })
  }
  await io.stopSignal
  await app.stop()
  return fatal > 0 ? 1 : 0
}

export async function runCli(argv: readonly string[], io: CliEnvironment): Promise<number> {
  const args = [...argv]
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE)
    return 0
  }
  if (args.includes('--version')) {
    io.stdout(`${VERSION}\n`)
    return 0
  }
  const verb = args[0] && !args[0].startsWith('-') ? (args.shift() as string) : 'start'
  try {
    switch (verb) {
      case 'start':
      case 'demo': {
        const loaded = loadConfig({ ...optionalFile(configFile(args, io.env)), env: io.env })
        return await serve(loaded, io, verb === 'demo')
      }
      case 'simulate': {
        io.started?.()
        const { runSimulatorCli } = await import('../kook/simulator/simulator-cli.js')
        return await runSimulatorCli(args, io)
      }
      case 'config': {
        if (args[0] !== 'check') break
        args.shift()
        const file = configFile(args, io.env)
        const loaded = loadConfig({ ...optionalFile(file), env: io.env })
        io.stdout(`configuration OK (${file ?? 'defaults'}): ${loaded.config.bots.length} bot(s)\n`)
        return 0
      }
      case 'mappings': {
        if (args[0] !== 'check') break
        const { runMappingsCheck } = await import('./mappings-command.js')
        return runMappingsCheck(args.slice(1), io)
      }
      case 'explain': {
        const file = args[0]
        if (!file) break
        const [{ runExplain }, { explainRenderers }] = await Promise.all([
          import('./mappings-command.js'),
          import('./explain-renderers.js'),
        ])
        return runExplain(file, io, explainRenderers())
      }
      default:
        break
    }
  } catch (error) {
    return report(io, error)
  }
  io.stderr(`unknown command: ${argv.join(' ')}\n\n${USAGE}`)
  return 2
}

function optionalFile(file: string | undefined): { file?: string } {
  return file === undefined ? {} : { file }
}
