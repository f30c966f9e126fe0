/**
 * Loads the configuration: one YAML file (optional) plus environment overrides for secrets, validated
 * by the zod schema. Every problem is reported at once, each with its path, before anything starts.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import type { z } from 'zod'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { type Config, ConfigSchema } from './schema.js'

export interface LoadConfigOptions {
  /** YAML file path; when absent only defaults and the environment apply. */
  file?: string
  env?: NodeJS.ProcessEnv
}

export interface LoadedConfig {
  config: Config
  /** The directory relative paths are resolved against. */
  baseDir: string
  file?: string
}

/** Renders a zod issue path as `bots[0].webhook.verifyToken`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out || '(root)'
}

export function formatIssues(source: string, issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => `${source}: ${formatPath(issue.path)} — ${issue.message}`)
}

function envKey(name: string): string {
  return name.toUpperCase().replace(/-/g, '_')
}

/** A copy of `bot[key]` as a plain object (or a new one), to set a secret in without touching the input. */
function section(bot: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = bot[key]
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? { ...(value as Record<string, unknown>) }
    : {}
}

/**
 * Secrets from the environment win over the file: `KOOK_TOKEN_<NAME>` for a named bot, and the
 * unsuffixed `KOOK_TOKEN` for the first bot (the common single-bot case). Same for KOOK_VERIFY_TOKEN,
 * KOOK_ENCRYPT_KEY, ONEBOT_ACCESS_TOKEN (`onebot.accessToken`) and KRITOR_TICKETS (`kritor.tickets`,
 * comma-separated): the endpoint secrets are as sensitive as the KOOK token and belong in the same place.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const root = (typeof raw === 'object' && raw !== null ? { ...raw } : {}) as Record<string, unknown>
  const bots = Array.isArray(root['bots']) ? [...(root['bots'] as unknown[])] : [{}]
  root['bots'] = bots.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null) return entry
    const bot = { ...(entry as Record<string, unknown>) }
    const name = typeof bot['name'] === 'string' ? bot['name'] : 'main'
    const pick = (base: string): string | undefined =>
      env[`${base}_${envKey(name)}`] || (index === 0 ? env[base] : undefined) || undefined
    const token = pick('KOOK_TOKEN')
    if (token) bot['token'] = token
    const verifyToken = pick('KOOK_VERIFY_TOKEN')
    const encryptKey = pick('KOOK_ENCRYPT_KEY')
    if (verifyToken || encryptKey) {
      const webhook = section(bot, 'webhook')
      if (verifyToken) webhook['verifyToken'] = verifyToken
      if (encryptKey) webhook['encryptKey'] = encryptKey
      bot['webhook'] = webhook
    }
    const accessToken = pick('ONEBOT_ACCESS_TOKEN')
    if (accessToken) bot['onebot'] = { ...section(bot, 'onebot'), accessToken }
    const tickets = pick('KRITOR_TICKETS')
      ?.split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
    if (tickets && tickets.length > 0) bot['kritor'] = { ...section(bot, 'kritor'), tickets }
    if (index === 0 && env['KOOK_API_BASE']) bot['apiBase'] = env['KOOK_API_BASE']
    return bot
  })
  return root
}

export function parseConfig(raw: unknown, source = 'config', env: NodeJS.ProcessEnv = {}): Config {
  const result = ConfigSchema.safeParse(applyEnvOverrides(raw, env))
  if (!result.success) {
    const problems = formatIssues(source, result.error.issues)
    throw new BridgeError(
      ErrorCode.ConfigInvalid,
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
      { details: { problems } },
    )
  }
  return result.data
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env
  if (!options.file) return { config: parseConfig({}, 'defaults', env), baseDir: process.cwd() }
  const file = resolve(options.file)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new BridgeError(
      ErrorCode.ConfigInvalid,
      `cannot read configuration file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const doc = parseDocument(text, { prettyErrors: true })
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `${file}: ${e.message.split('\n')[0]}`)
    throw new BridgeError(
      ErrorCode.ConfigInvalid,
      `invalid configuration YAML:\n  ${problems.join('\n  ')}`,
      {
        details: { problems },
      },
    )
  }
  const raw: unknown = doc.toJS() ?? {}
  return { config: parseConfig(raw, file, env), baseDir: dirname(file), file }
}
