import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { Logger } from '../../util/logger.js'
import { KookSimulator } from './kook-simulator.js'

export interface SimulatorCliIo {
  stdout(s: string): void
  stderr(s: string): void
}

export interface SimulatorCliOptions {
  /** Stops the simulator like SIGINT does (for embedding and tests). */
  signal?: AbortSignal
  logger?: Logger
}

const USAGE = `usage: kookbridge simulate [--port N] [--token T] [--script FILE] [--quiet]

Runs a fake KOOK (HTTP API + gateway) on 127.0.0.1 until Ctrl+C.
  --port N       port to listen on (default: a free one)
  --token T      bot token the simulator accepts (default: sim-token)
  --script FILE  YAML/JSON script to play once a client is connected (see examples/simulator-script.yaml)
  --quiet        do not print API calls and gateway connections
`

interface CliArgs {
  port: number
  token: string
  script: string | undefined
  quiet: boolean
  help: boolean
}

function parseArgs(argv: string[]): CliArgs | string {
  const args: CliArgs = { port: 0, token: 'sim-token', script: undefined, quiet: false, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true
        break
      case '--quiet':
        args.quiet = true
        break
      case '--port': {
        const text = value()
        const port = Number(text)
        if (text === undefined || !/^\d+$/.test(text) || port > 65535)
          return `--port needs a number 0-65535, got ${text ?? 'nothing'}`
        args.port = port
        break
      }
      case '--token': {
        const token = value()
        if (!token) return '--token needs a value'
        args.token = token
        break
      }
      case '--script': {
        const script = value()
        if (!script) return '--script needs a file'
        args.script = script
        break
      }
      default:
        return `unknown argument: ${arg}`
    }
  }
  return args
}

/**
 * `kookbridge simulate`: starts the KOOK simulator on loopback, prints how to point kookbridge at it, plays
 * the script if given, and serves until SIGINT/SIGTERM (or `options.signal`). Resolves with the exit code:
 * 0 after a clean stop, 1 when the simulator or the script failed, 2 on bad arguments.
 */
export async function runSimulatorCli(
  argv: string[],
  io: SimulatorCliIo,
  options: SimulatorCliOptions = {},
): Promise<number> {
  const args = parseArgs(argv)
  if (typeof args === 'string') {
    io.stderr(`${args}\n${USAGE}`)
    return 2
  }
  if (args.help) {
    io.stdout(USAGE)
    return 0
  }
  let sim: KookSimulator
  try {
    sim = await KookSimulator.start({
      port: args.port,
      token: args.token,
      ...(options.logger ? { logger: options.logger } : {}),
    })
  } catch (cause) {
    io.stderr(`cannot start the KOOK simulator: ${BridgeError.from(cause).message}\n`)
    return 1
  }

  io.stdout(
    [
      `KOOK simulator listening on ${sim.origin}`,
      `  API base  ${sim.apiBase}`,
      `  token     ${sim.token}`,
      `  bot       ${sim.bot.username}#${sim.bot.identify_num} (id ${sim.bot.id})`,
      '',
      'Point kookbridge at it:',
      `  KOOK_TOKEN=${sim.token} KOOK_API_BASE=${sim.apiBase} kookbridge start`,
      'or in the config file:',
      '  bots:',
      `    - token: ${sim.token}`,
      `      apiBase: ${sim.apiBase}`,
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  )
  if (!args.quiet) {
    sim.on('connection', (c) =>
      io.stdout(`gateway  connect ${new URL(c.url).search.replace(/token=[^&]+/, 'token=…')}\n`),
    )
    sim.on('request', (r) =>
      io.stdout(`api      ${r.method} ${r.route} → ${r.status} code ${r.code ?? '-'}\n`),
    )
  }

  let exitCode = 0
  let stop!: () => void
  const stopped = new Promise<void>((resolve) => {
    stop = resolve
  })
  const onSignal = (): void => stop()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  options.signal?.addEventListener('abort', onSignal, { once: true })
  if (options.signal?.aborted) stop()

  if (args.script) {
    const script = args.script
    io.stdout(`script   ${script}: playing\n`)
    sim.runScript(script).then(
      () => io.stdout(`script   ${script}: finished; still serving\n`),
      (cause: unknown) => {
        const error = BridgeError.from(cause)
        if (error.code === ErrorCode.Closed) return
        io.stderr(`script failed: ${error.message}\n`)
        exitCode = 1
        stop()
      },
    )
  }

  await stopped
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  options.signal?.removeEventListener('abort', onSignal)
  await sim.close()
  io.stdout('KOOK simulator stopped\n')
  return exitCode
}
