/**
 * The one generic action executor: a call (from WS frame or HTTP request) → envelope.
 *
 * Looks the action up in the table, validates params with the row's schema (every problem named by
 * param), runs the row, and renders success or failure through `retcode.ts`. Suffixes: `_async` and
 * `_rate_limited` answer `status: async` at once and run in the background (KOOK rate limits are
 * honoured by `ops/` either way, so `_rate_limited` needs no queue of its own; onebot-v11.md §A3).
 * Never throws: a bad call is answered, counted and logged, and the endpoint keeps serving.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import { describeIssues } from './action-params.js'
import { type ActionContext, actionRow, parseParams } from './actions.js'
import { asyncResponse, failedResponse, okResponse } from './retcode.js'
import type { ActionResponse } from './types.js'

export interface ActionCall {
  action: string
  params: unknown
  /** Whether the request carried `echo` at all (an `echo: null` must come back too). */
  hasEcho: boolean
  echo?: unknown
}

export interface ActionEnv {
  ctx: ActionContext
  /** The bot's name, for metric labels. */
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

const SUFFIXES = ['_async', '_rate_limited'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export type ParsedFrame =
  | { ok: true; call: ActionCall }
  | { ok: false; error: BridgeError; hasEcho: boolean; echo?: unknown }

/** A decoded WS frame → call, or the error to answer it with (echoed when the frame had one). */
export function actionCallOf(frame: unknown): ParsedFrame {
  if (!isRecord(frame)) {
    const error = new BridgeError(ErrorCode.BadParams, 'expected a JSON object {action, params, echo}')
    return { ok: false, error, hasEcho: false }
  }
  const hasEcho = Object.hasOwn(frame, 'echo')
  const echo = frame['echo']
  const action = frame['action']
  if (typeof action !== 'string' || action === '') {
    const error = new BridgeError(ErrorCode.BadParams, 'action: expected a non-empty string')
    return { ok: false, error, hasEcho, echo }
  }
  return { ok: true, call: { action, params: frame['params'], hasEcho, echo } }
}

/** The table name of a call without its `_async` / `_rate_limited` suffix, and whether it had one. */
export function baseActionName(action: string): { name: string; deferred: boolean } {
  for (const suffix of SUFFIXES) {
    if (action.endsWith(suffix) && actionRow(action) === undefined) {
      return { name: action.slice(0, -suffix.length), deferred: true }
    }
  }
  return { name: action, deferred: false }
}

/**
 * `labels` plus `status`, written out rather than `{ ...labels, status }`: on Node 20 a property defined
 * after an object spread takes V8's slow path (~0.7 µs for this one, vs ~0.01 µs written out; see
 * encode-event.ts). Same keys, same order.
 */
function labelsWith(labels: { bot: string; action: string }, status: string) {
  return { bot: labels.bot, action: labels.action, status }
}

export async function handleAction(call: ActionCall, env: ActionEnv): Promise<ActionResponse> {
  const { name, deferred } = baseActionName(call.action)
  const row = actionRow(name)
  const labels = { bot: env.bot, action: row ? name : 'unknown' }
  const withStatus = (status: string) => labelsWith(labels, status)
  if (!row) {
    env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('unknown'))
    return failedResponse(
      new BridgeError(ErrorCode.UnknownAction, `unknown action: ${call.action}`),
      call.hasEcho,
      call.echo,
    )
  }
  const rawParams = call.params === undefined || call.params === null ? {} : call.params
  const parsed = isRecord(rawParams) ? parseParams(row, rawParams) : undefined
  if (!parsed?.success) {
    env.metrics?.inc('kookbridge_onebot_bad_params_total', labels)
    env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('failed'))
    const message = parsed
      ? describeIssues(name, parsed.error.issues)
      : `${name}: params must be a JSON object`
    env.logger?.debug({ action: name }, message)
    return failedResponse(new BridgeError(ErrorCode.BadParams, message), call.hasEcho, call.echo)
  }
  const run = row.run(parsed.data, env.ctx, env)
  if (deferred) {
    run.then(
      () => env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('ok')),
      (error: unknown) => {
        env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('failed'))
        env.logger?.warn({ err: error, action: call.action }, 'deferred action failed')
      },
    )
    return asyncResponse(call.hasEcho, call.echo)
  }
  try {
    const data = await run
    env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('ok'))
    return okResponse(data, call.hasEcho, call.echo)
  } catch (error) {
    const bridgeError = BridgeError.from(error)
    env.metrics?.inc('kookbridge_onebot_actions_total', withStatus('failed'))
    if (bridgeError.code === ErrorCode.BadParams)
      env.metrics?.inc('kookbridge_onebot_bad_params_total', labels)
    env.logger?.debug({ err: bridgeError, action: name }, 'action failed')
    return failedResponse(bridgeError, call.hasEcho, call.echo)
  }
}
