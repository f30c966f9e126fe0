/**
 * OneBot v11 quick operations (onebot-v11.md §A4): the JSON a framework answers an HTTP POST event
 * with, or the `operation` of the hidden `.handle_quick_operation{context, operation}` action.
 *
 * A quick operation is planned into ordinary actions of the table (`send_group_msg`, `delete_msg`,
 * `set_group_kick`, `set_group_ban`, …), in go-cqhttp's order: reply first, then delete, kick, ban. So
 * a quick reply behaves exactly like the action it stands for, ids and all. Every step is counted
 * (`kookbridge_onebot_quick_operations_total{op, status}`); a failed step is logged and the others still
 * run, and the call then fails with the first error: `ban` always fails that way, because KOOK has no
 * text mute (the documented `set_group_ban` behaviour, never a silent success). What KOOK cannot do
 * at all (approving friend or group requests: KOOK has no such requests to answer) and keys nobody
 * defines are ignored, counted with `status: ignored` and logged.
 */
import { BridgeError } from '../errors/bridge-error.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'

/** One action a quick operation stands for. `op` labels the metric. */
export interface QuickStep {
  op: 'reply' | 'delete' | 'kick' | 'ban'
  action: string
  params: Record<string, unknown>
}

export interface QuickPlan {
  steps: QuickStep[]
  /** Keys of the operation that do nothing on KOOK (or for this kind of event). */
  ignored: string[]
}

export interface QuickOperationDeps {
  /** Runs an action of the table (its params checked by its row). */
  run(action: string, params: Record<string, unknown>): Promise<unknown>
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

/** Keys that only qualify another key (`auto_escape` qualifies `reply`, `ban_duration` `ban`, …). */
const MODIFIERS = new Set([
  'auto_escape',
  'at_sender',
  'ban_duration',
  'reject_add_request',
  'remark',
  'reason',
])

/** ban_duration's default: 30 minutes (onebot-v11.md §A4). */
const DEFAULT_BAN_SECONDS = 30 * 60

/** OneBot booleans arrive as JSON booleans, but also as 1/0 and "true"/"false" from loose clients. */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.trim().toLowerCase())
  return value === true || value === 1
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The reply with an @ of the sender in front. A string reply with `auto_escape` must stay literal, so
 * it becomes segments (go-cqhttp instead puts a CQ code into a string it then escapes, which shows the
 * code as text); without it, a CQ code is put in front. The space keeps the mention apart from the text.
 */
function withAtSender(
  reply: unknown,
  userId: unknown,
  autoEscape: boolean,
): { message: unknown; autoEscape: boolean } {
  const qq = String(userId)
  const at = { type: 'at', data: { qq } }
  const space = { type: 'text', data: { text: ' ' } }
  if (typeof reply === 'string') {
    if (autoEscape)
      return { message: [at, space, { type: 'text', data: { text: reply } }], autoEscape: false }
    return { message: `[CQ:at,qq=${qq}] ${reply}`, autoEscape: false }
  }
  if (Array.isArray(reply)) return { message: [at, space, ...reply], autoEscape }
  if (isRecord(reply)) return { message: [at, space, reply], autoEscape }
  return { message: reply, autoEscape }
}

/** What a quick operation on an event means, as actions; pure, so it can be read and tested alone. */
export function planQuickOperation(
  context: Record<string, unknown>,
  operation: Record<string, unknown>,
): QuickPlan {
  const steps: QuickStep[] = []
  const used = new Set<string>(MODIFIERS)
  if (context['post_type'] === 'message') {
    const type = context['message_type']
    // The guild form names the channel `channel_id`; it is the same number `group_id` carries.
    const group = type === 'guild' ? context['channel_id'] : context['group_id']
    const inGroup = type === 'group' || type === 'guild'
    const anonymous = context['anonymous'] !== undefined && context['anonymous'] !== null
    const sender = isRecord(context['sender']) ? context['sender']['user_id'] : undefined
    const userId = context['user_id'] ?? sender
    const reply = operation['reply']
    if (reply !== undefined && reply !== null && (inGroup || type === 'private')) {
      used.add('reply')
      const autoEscape = flag(operation['auto_escape'], false)
      if (inGroup) {
        // at_sender defaults to true (onebot-v11.md §A4); an anonymous sender cannot be mentioned.
        const at = !anonymous && flag(operation['at_sender'], true)
        const message = at
          ? withAtSender(reply, sender ?? userId, autoEscape)
          : { message: reply, autoEscape }
        steps.push({
          op: 'reply',
          action: 'send_group_msg',
          params: { group_id: group, message: message.message, auto_escape: message.autoEscape },
        })
      } else {
        steps.push({
          op: 'reply',
          action: 'send_private_msg',
          params: { user_id: userId, message: reply, auto_escape: autoEscape },
        })
      }
    }
    if (inGroup) {
      for (const key of ['delete', 'kick', 'ban']) used.add(key)
      if (flag(operation['delete'], false)) {
        steps.push({ op: 'delete', action: 'delete_msg', params: { message_id: context['message_id'] } })
      }
      if (flag(operation['kick'], false) && !anonymous) {
        steps.push({
          op: 'kick',
          action: 'set_group_kick',
          params: {
            group_id: group,
            user_id: userId,
            reject_add_request: flag(operation['reject_add_request'], false),
          },
        })
      }
      if (flag(operation['ban'], false)) {
        steps.push({
          op: 'ban',
          action: 'set_group_ban',
          params: {
            group_id: group,
            user_id: userId,
            duration: operation['ban_duration'] ?? DEFAULT_BAN_SECONDS,
          },
        })
      }
    }
  }
  const ignored = Object.keys(operation).filter((key) => !used.has(key) && operation[key] !== undefined)
  return { steps, ignored }
}

/** Runs a quick operation; resolves to `null`, or rejects with the first failed step's error. */
export async function handleQuickOperation(
  context: Record<string, unknown>,
  operation: Record<string, unknown>,
  deps: QuickOperationDeps,
): Promise<null> {
  const { steps, ignored } = planQuickOperation(context, operation)
  const failures: Array<{ op: string; error: BridgeError }> = []
  for (const step of steps) {
    try {
      await deps.run(step.action, step.params)
      deps.metrics?.inc('kookbridge_onebot_quick_operations_total', {
        bot: deps.bot,
        op: step.op,
        status: 'ok',
      })
    } catch (error) {
      const failure = BridgeError.from(error)
      failures.push({ op: step.op, error: failure })
      deps.metrics?.inc('kookbridge_onebot_quick_operations_total', {
        bot: deps.bot,
        op: step.op,
        status: 'failed',
      })
      deps.logger?.warn({ err: failure, op: step.op, action: step.action }, 'quick operation failed')
    }
  }
  for (const key of ignored) {
    deps.metrics?.inc('kookbridge_onebot_quick_operations_total', {
      bot: deps.bot,
      op: key,
      status: 'ignored',
    })
    deps.logger?.info(
      { op: key, postType: context['post_type'] },
      key === 'approve'
        ? 'quick operation ignored: KOOK has no friend or group requests to approve'
        : 'quick operation ignored: nothing on KOOK does this for this event',
    )
  }
  const [first] = failures
  if (first !== undefined) {
    throw new BridgeError(first.error.code, `quick operation ${first.op}: ${first.error.message}`, {
      cause: first.error,
      details: { failed: failures.map((f) => f.op), done: steps.length - failures.length },
    })
  }
  return null
}
