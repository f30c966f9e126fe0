/**
 * The OneBot v11 action table, as data: name → params schema + handler onto Operations.
 *
 * One generic dispatcher (`handle-action.ts`) validates params, runs the row and renders the envelope;
 * a row only decodes params into Operations and shapes the result. Groups are KOOK text channels
 * (`group_id` = channel number); guild-wide actions (members, kick, card, leave) go to the channel's guild.
 * The standard actions are those Karin, Koishi, NoneBot and ZeroBot call (karin.md §3, onebot-v11.md
 * §A2, §A7), plus the gocq guild calls Koishi makes on connect, the gocq/NapCat message-history
 * extensions Karin calls, and gocq's hidden `.handle_quick_operation`.
 */
import { z } from 'zod'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { MessageEvent } from '../model/bridge-event.js'
import type { Element } from '../model/element.js'
import type { Conversation, MessageTarget, OperationRunner } from '../model/operation.js'
import { type BridgeStore, type MessageRecord, messageRecordOf } from '../store/bridge-store.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import {
  boolParam,
  describeIssues,
  idParam,
  intParam,
  messageIdParam,
  messageParam,
  messageTypeParam,
  objectParam,
  optionalIdParam,
  optionalMessageIdParam,
  stringParam,
} from './action-params.js'
import {
  encodeChannel,
  encodeFriend,
  encodeGroupInfo,
  encodeGuild,
  encodeMember,
  encodeStoredMessage,
  encodeStranger,
} from './encode-info.js'
import { compileFastParams, type FastParams, UNSURE } from './fast-params.js'
import { idDigits, kookIdFor } from './kook-id-for.js'
import { handleQuickOperation } from './quick-operation.js'

export interface BotIdentity {
  /** KOOK user id of the bot. */
  id: string
  /** The configured bot name: labels logs and metrics. */
  name: string
  /** Display name reported by get_login_info (the KOOK username). */
  nickname: string
}

export interface ActionContext {
  bot: BotIdentity
  /** The bot's number: `get_login_info.user_id` and every event's `self_id`. */
  selfId: number
  store: BridgeStore
  ops: OperationRunner
  channelAs: 'group' | 'guild'
  extensionSegments: boolean
  format: 'array' | 'string'
  appVersion: string
  /** Whether the KOOK connection is up (get_status). */
  isOnline(): boolean
  /** `message` + `auto_escape` → elements (decode-message.ts, with this endpoint's file roots). */
  decodeMessage(message: unknown, autoEscape: boolean): Promise<Element[]>
}

/** What the dispatcher lends a row besides the context: labels, logs and metrics (`ActionEnv`). */
export interface ActionTools {
  bot: string
  logger?: Logger | undefined
  metrics?: Metrics | undefined
}

export interface ActionRow<P> {
  params: z.ZodType<P>
  /** `params`' fast path (fast-params.ts), built with the row; undefined: zod always runs. */
  fastParams: FastParams | undefined
  run(params: P, ctx: ActionContext, tools?: ActionTools): Promise<unknown>
}

function row<S extends z.ZodType>(
  params: S,
  run: (params: z.output<S>, ctx: ActionContext, tools?: ActionTools) => Promise<unknown>,
): ActionRow<z.output<S>> {
  return { params: params as z.ZodType<z.output<S>>, fastParams: compileFastParams(params), run }
}

/**
 * A row's params checked: the fast path's answer when it is sure (valid params), zod's otherwise, so
 * every failure is zod's, with its paths and messages.
 */
export function parseParams<P>(
  row: ActionRow<P>,
  params: Record<string, unknown>,
): { success: true; data: P } | { success: false; error: z.ZodError } {
  const fast = row.fastParams?.(params) ?? UNSURE
  if (fast !== UNSURE) return { success: true, data: fast as P }
  return row.params.safeParse(params)
}

const none = z.object({})

// ---------------------------------------------------------------------------------------------------
// Shared steps

function channelIdOf(ctx: ActionContext, groupDigits: string): string {
  return kookIdFor(ctx.store, 'channel', groupDigits)
}

async function guildOfChannel(ctx: ActionContext, channelId: string): Promise<string> {
  return (await ctx.ops.run({ op: 'getChannel', channelId })).guildId
}

function recordOf(store: BridgeStore, id: string): MessageRecord {
  const digits = idDigits(id)
  const record = digits === undefined ? store.getMessage(id) : store.getMessageByNumber(Number(digits))
  if (!record) throw new BridgeError(ErrorCode.NotFound, `message_id ${id} is not a known message`)
  return record
}

async function send(
  ctx: ActionContext,
  target: MessageTarget,
  message: unknown,
  autoEscape: boolean,
): Promise<number> {
  const elements = await ctx.decodeMessage(message, autoEscape)
  const result = await ctx.ops.run({ op: 'sendMessage', target, elements })
  const [first] = result.messageIds
  if (first === undefined) {
    throw new BridgeError(ErrorCode.Internal, 'KOOK accepted the message but returned no msg_id')
  }
  const chatCode =
    target.scene === 'direct' ? (target.chatCode ?? ctx.store.chatCodeFor(target.userId ?? '')) : undefined
  // One logical message, however many KOOK messages it became: one message_id, recall removes all parts.
  return ctx.store.putMessage({
    msgId: first,
    parts: result.messageIds,
    scene: target.scene,
    ...(target.scene === 'channel' && { channelId: target.channelId }),
    ...(chatCode !== undefined && { chatCode }),
    userId: ctx.bot.id,
    time: result.time,
  }).number
}

const sendGroup = (ctx: ActionContext, group: string, message: unknown, autoEscape: boolean) =>
  send(ctx, { scene: 'channel', channelId: channelIdOf(ctx, group) }, message, autoEscape)

const sendPrivate = (ctx: ActionContext, user: string, message: unknown, autoEscape: boolean) =>
  send(ctx, { scene: 'direct', userId: kookIdFor(ctx.store, 'user', user) }, message, autoEscape)

function badParam(name: string, problem: string): BridgeError {
  return new BridgeError(ErrorCode.BadParams, `${name}: ${problem}`)
}

/** Runs another row of the table with raw params, checked by that row (quick operations). */
async function runRow(
  name: string,
  params: Record<string, unknown>,
  ctx: ActionContext,
  tools: ActionTools | undefined,
): Promise<unknown> {
  const target = actionRow(name)
  if (!target) throw new BridgeError(ErrorCode.UnknownAction, `unknown action: ${name}`)
  const parsed = parseParams(target, params)
  if (!parsed.success) throw new BridgeError(ErrorCode.BadParams, describeIssues(name, parsed.error.issues))
  return target.run(parsed.data, ctx, tools)
}

/** go-cqhttp answers 19–20 messages when `count` is absent; NapCat 20. */
const DEFAULT_HISTORY_COUNT = 20
/** KOOK pages hold at most 100 messages (kook.md §5): a larger `count` is capped, not refused. */
const MAX_HISTORY_COUNT = 100

const historyParams = {
  /** The newest message wanted (the page ends with it); absent or 0: the newest of the conversation. */
  message_seq: optionalMessageIdParam,
  /** Lagrange names the anchor `message_id`. */
  message_id: optionalMessageIdParam,
  count: intParam(DEFAULT_HISTORY_COUNT),
  /** NapCat `reverseOrder` (later `reverse_order`); Karin sends `reverse`. Newest first when set. */
  reverseOrder: boolParam(false),
  reverse_order: boolParam(false),
  reverse: boolParam(false),
}

interface HistoryParams {
  message_seq: string | undefined
  message_id: string | undefined
  count: number
  reverseOrder: boolean
  reverse_order: boolean
  reverse: boolean
}

/**
 * get_group_msg_history / get_friend_msg_history: `count` messages ending with the anchor (included,
 * as go-cqhttp and NapCat do), oldest first unless reversed, each shaped as `get_msg` answers it with
 * the number events used. Karin asks with the `message_seq` that `get_msg` returned, which is our
 * `message_id` number (encode-info.ts).
 */
async function history(
  ctx: ActionContext,
  target: Conversation,
  p: HistoryParams,
  belongs: (record: MessageRecord) => boolean,
) {
  if (p.count < 1) throw badParam('count', `expected at least 1, got ${p.count}`)
  const count = Math.min(p.count, MAX_HISTORY_COUNT)
  const ref = p.message_seq ?? p.message_id
  let anchor: string | undefined
  if (ref !== undefined) {
    const record = recordOf(ctx.store, ref)
    if (!belongs(record)) throw badParam('message_seq', `message ${ref} is not in this conversation`)
    // A message sent as several KOOK messages ends with its last part: the page ends after all of them.
    anchor = record.parts.at(-1) ?? record.msgId
  }
  const events = await ctx.ops.run({
    op: 'getHistory',
    target,
    ...(anchor !== undefined && { anchor }),
    direction: 'before',
    includeAnchor: true,
    count,
  })
  const messages = []
  const seen = new Set<number>()
  for (const event of events) {
    const record = storedRecord(ctx.store, event)
    // The parts of one logical message are one OneBot message: shown once, as its first part.
    if (seen.has(record.number)) continue
    seen.add(record.number)
    messages.push(encodeStoredMessage(ctx, record, event))
  }
  if (p.reverseOrder || p.reverse_order || p.reverse) messages.reverse()
  return { messages }
}

/** The index record of a message read back (the executor indexed it; idempotent either way). */
function storedRecord(store: BridgeStore, event: MessageEvent): MessageRecord {
  return store.getMessage(event.messageId) ?? store.putMessage(messageRecordOf(event))
}

// ---------------------------------------------------------------------------------------------------
// The table

export const ACTIONS = {
  get_login_info: row(none, async (_, ctx) => ({
    user_id: ctx.selfId,
    nickname: ctx.bot.nickname || ctx.bot.name,
  })),

  get_version_info: row(none, async (_, ctx) => ({
    // Karin picks code paths by app_name (gocq/napcat/llonebot/lagrange get special handling, karin.md
    // §3): a name of our own selects its plain "other" path, which is what a KOOK bridge needs.
    app_name: 'kookbridge',
    app_version: ctx.appVersion,
    protocol_version: 'v11',
  })),

  get_status: row(none, async (_, ctx) => {
    const online = ctx.isOnline()
    return { online, good: online, app_initialized: true, app_enabled: true, app_good: true }
  }),

  send_private_msg: row(
    z.object({ user_id: idParam, message: messageParam, auto_escape: boolParam(false) }),
    async (p, ctx) => ({ message_id: await sendPrivate(ctx, p.user_id, p.message, p.auto_escape) }),
  ),

  send_group_msg: row(
    z.object({ group_id: idParam, message: messageParam, auto_escape: boolParam(false) }),
    async (p, ctx) => ({ message_id: await sendGroup(ctx, p.group_id, p.message, p.auto_escape) }),
  ),

  send_msg: row(
    z.object({
      message_type: messageTypeParam,
      user_id: optionalIdParam,
      group_id: optionalIdParam,
      message: messageParam,
      auto_escape: boolParam(false),
    }),
    async (p, ctx) => {
      const type = p.message_type ?? (p.group_id !== undefined ? 'group' : 'private')
      if (type === 'group') {
        if (p.group_id === undefined) throw badParam('group_id', 'is required for a group message')
        return { message_id: await sendGroup(ctx, p.group_id, p.message, p.auto_escape) }
      }
      if (p.user_id === undefined) throw badParam('user_id', 'is required for a private message')
      return { message_id: await sendPrivate(ctx, p.user_id, p.message, p.auto_escape) }
    },
  ),

  delete_msg: row(z.object({ message_id: messageIdParam }), async (p, ctx) => {
    const record = recordOf(ctx.store, p.message_id)
    await ctx.ops.run({ op: 'recall', messageIds: record.parts })
    return null
  }),

  get_msg: row(z.object({ message_id: messageIdParam }), async (p, ctx) => {
    const record = recordOf(ctx.store, p.message_id)
    const message = await ctx.ops.run({ op: 'getMessage', messageId: record.msgId })
    return encodeStoredMessage(ctx, record, message)
  }),

  get_group_msg_history: row(z.object({ group_id: idParam, ...historyParams }), async (p, ctx) => {
    const channelId = channelIdOf(ctx, p.group_id)
    return history(
      ctx,
      { scene: 'channel', channelId },
      p,
      (r) => r.scene === 'channel' && r.channelId === channelId,
    )
  }),

  get_friend_msg_history: row(z.object({ user_id: idParam, ...historyParams }), async (p, ctx) => {
    const userId = kookIdFor(ctx.store, 'user', p.user_id)
    const chatCode = ctx.store.chatCodeFor(userId)
    const target: Conversation = { scene: 'direct', userId, ...(chatCode !== undefined && { chatCode }) }
    return history(
      ctx,
      target,
      p,
      (r) =>
        r.scene === 'direct' &&
        (chatCode === undefined || r.chatCode === undefined || r.chatCode === chatCode),
    )
  }),

  get_group_info: row(z.object({ group_id: idParam, no_cache: boolParam(false) }), async (p, ctx) => {
    const channel = await ctx.ops.run({ op: 'getChannel', channelId: channelIdOf(ctx, p.group_id) })
    const guild = await ctx.ops.run({ op: 'getGuild', guildId: channel.guildId })
    return encodeGroupInfo(ctx.store, channel, guild)
  }),

  get_group_list: row(none, async (_, ctx) => {
    const guilds = await ctx.ops.run({ op: 'listGuilds' })
    const perGuild = await Promise.all(
      guilds.map(async (guild) => {
        const channels = await ctx.ops.run({ op: 'listChannels', guildId: guild.id })
        // Every text channel is a group; categories (0) and voice channels (2) are not.
        return channels.filter((c) => c.kind === 1).map((c) => encodeGroupInfo(ctx.store, c, guild))
      }),
    )
    return perGuild.flat()
  }),

  get_group_member_info: row(
    z.object({ group_id: idParam, user_id: idParam, no_cache: boolParam(false) }),
    async (p, ctx) => {
      const channelId = channelIdOf(ctx, p.group_id)
      const guildId = await guildOfChannel(ctx, channelId)
      const member = await ctx.ops.run({
        op: 'getMember',
        guildId,
        userId: kookIdFor(ctx.store, 'user', p.user_id),
      })
      return encodeMember(ctx.store, ctx.store.numberFor('channel', channelId), member)
    },
  ),

  get_group_member_list: row(z.object({ group_id: idParam, no_cache: boolParam(false) }), async (p, ctx) => {
    const channelId = channelIdOf(ctx, p.group_id)
    const guildId = await guildOfChannel(ctx, channelId)
    const members = await ctx.ops.run({ op: 'listMembers', guildId })
    const groupId = ctx.store.numberFor('channel', channelId)
    return members.map((m) => encodeMember(ctx.store, groupId, m))
  }),

  get_stranger_info: row(z.object({ user_id: idParam, no_cache: boolParam(false) }), async (p, ctx) => {
    const user = await ctx.ops.run({ op: 'getUser', userId: kookIdFor(ctx.store, 'user', p.user_id) })
    return encodeStranger(ctx.store, user)
  }),

  get_friend_list: row(none, async (_, ctx) => {
    // KOOK has no friends for bots: the users with a DM session are the nearest thing.
    const sessions = await ctx.ops.run({ op: 'listDirectSessions' })
    return sessions.map((s) => encodeFriend(ctx.store, s))
  }),

  set_group_kick: row(
    // reject_add_request would be KOOK's blacklist; not implied by a kick, so it is ignored.
    z.object({ group_id: idParam, user_id: idParam, reject_add_request: boolParam(false) }),
    async (p, ctx) => {
      const guildId = await guildOfChannel(ctx, channelIdOf(ctx, p.group_id))
      await ctx.ops.run({ op: 'kick', guildId, userId: kookIdFor(ctx.store, 'user', p.user_id) })
      return null
    },
  ),

  set_group_card: row(
    z.object({ group_id: idParam, user_id: idParam, card: stringParam('') }),
    async (p, ctx) => {
      const guildId = await guildOfChannel(ctx, channelIdOf(ctx, p.group_id))
      await ctx.ops.run({
        op: 'setNickname',
        guildId,
        userId: kookIdFor(ctx.store, 'user', p.user_id),
        nickname: p.card,
      })
      return null
    },
  ),

  // A group is a channel, but a bot can only leave a whole guild: this leaves the channel's guild.
  set_group_leave: row(z.object({ group_id: idParam, is_dismiss: boolParam(false) }), async (p, ctx) => {
    const guildId = await guildOfChannel(ctx, channelIdOf(ctx, p.group_id))
    await ctx.ops.run({ op: 'leaveGuild', guildId })
    return null
  }),

  set_group_ban: row(
    z.object({ group_id: idParam, user_id: idParam, duration: intParam(1800) }),
    async () => {
      // Never a silent success: the caller believes the user is silenced when they are not.
      throw new BridgeError(
        ErrorCode.Unsupported,
        'KOOK has no text mute: set_group_ban cannot stop a user writing (KOOK mutes are voice-only)',
      )
    },
  ),

  set_msg_emoji_like: row(
    z.object({ message_id: messageIdParam, emoji_id: stringParam(), set: boolParam(true) }),
    async (p, ctx) => {
      if (/^\d+$/.test(p.emoji_id)) {
        throw new BridgeError(
          ErrorCode.Unsupported,
          `emoji_id: ${p.emoji_id} is a QQ face id; KOOK reactions take a unicode emoji or "guildId/code"`,
        )
      }
      const record = recordOf(ctx.store, p.message_id)
      await ctx.ops.run({ op: 'react', messageId: record.msgId, emoji: p.emoji_id, add: p.set })
      return null
    },
  ),

  // go-cqhttp's hidden action: the quick operation an HTTP POST reply carries, for the other
  // transports (onebot-v11.md §A1, §A4). The HTTP POST client calls it with the event it posted.
  '.handle_quick_operation': row(
    z.object({ context: objectParam, operation: objectParam }),
    async (p, ctx, tools) =>
      handleQuickOperation(p.context, p.operation, {
        run: (action, params) => runRow(action, params, ctx, tools),
        bot: tools?.bot ?? ctx.bot.name,
        logger: tools?.logger,
        metrics: tools?.metrics,
      }),
  ),

  can_send_image: row(none, async () => ({ yes: true })),
  can_send_record: row(none, async () => ({ yes: true })),

  // Koishi calls this on connect; a non-"0" tiny_id starts its guild sub-bot, wanted only in guild form.
  get_guild_service_profile: row(none, async (_, ctx) => ({
    nickname: ctx.bot.nickname || ctx.bot.name,
    tiny_id: ctx.channelAs === 'guild' ? String(ctx.selfId) : '0',
    avatar_url: '',
  })),

  get_guild_list: row(none, async (_, ctx) => {
    const guilds = await ctx.ops.run({ op: 'listGuilds' })
    return guilds.map((g) => encodeGuild(ctx.store, g))
  }),

  get_guild_channel_list: row(z.object({ guild_id: idParam, no_cache: boolParam(false) }), async (p, ctx) => {
    const channels = await ctx.ops.run({
      op: 'listChannels',
      guildId: kookIdFor(ctx.store, 'guild', p.guild_id),
    })
    return channels.map((c) => encodeChannel(ctx.store, c))
  }),

  send_guild_channel_msg: row(
    z.object({ guild_id: optionalIdParam, channel_id: idParam, message: messageParam }),
    // The guild form carries message ids as strings (onebot-v11.md §A4).
    async (p, ctx) => ({ message_id: String(await sendGroup(ctx, p.channel_id, p.message, false)) }),
  ),
} as const satisfies Record<string, ActionRow<unknown>>

export type ActionName = keyof typeof ACTIONS

export function actionRow(name: string): ActionRow<unknown> | undefined {
  return Object.hasOwn(ACTIONS, name) ? (ACTIONS[name as ActionName] as ActionRow<unknown>) : undefined
}
