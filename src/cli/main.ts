#!/usr/bin/env node
// Placeholder entry point; the CLI verbs are wired in src/cli/run-cli.ts.
process.stdout.write('kookbridge\n')
