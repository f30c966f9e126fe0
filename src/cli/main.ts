#!/usr/bin/env node
// Before anything else is loaded: start-up must not grow the young generation (app/startup-heap.ts).
// Hence run-cli is imported dynamically, after the hold.
import { holdYoungGenerationSmall } from '../app/startup-heap.js'

const started = holdYoungGenerationSmall()
const { runCli } = await import('./run-cli.js')

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve())
  process.once('SIGTERM', () => resolve())
})

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  stopSignal,
  started,
})
process.exitCode = code
// Handles the demo or the bridge left open were closed by their stop(); exit now even if a library
// keeps a timer alive.
setImmediate(() => process.exit(code))
