import { readFileSync } from 'node:fs'

/**
 * The package version. Read from package.json at runtime because the file sits one level up from
 * `src/` when run with tsx and two levels up from `dist/src/` when built.
 */
function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'kookbridge' && pkg.version) return pkg.version
    } catch {
      // try the next location
    }
  }
  return '0.0.0'
}

export const VERSION: string = readVersion()
