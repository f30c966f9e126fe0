/**
 * The KOOK event envelope (`d` of an s=0 frame, kook.md §3) and the three things it can be: a message
 * (type ≠ 255), a system event (type 255, `extra: {type, body}`) or the webhook challenge.
 *
 * The schemas here are the reference definition and the source of the types. `parseKookEvent` checks
 * the envelope by hand (it is the hot path and must not copy the event) and runs only the sub-schema it
 * needs; a test keeps the two in agreement.
 */
import { z } from 'zod'
import { type KookMessageContent, kookMessageContentSchema } from './kook-item-content.js'
import { type KookMessageExtra, kookMessageExtraSchema } from './kook-message-extra.js'
import { kookId, kookMillis } from './kook-scalars.js'

/** `d.type`: the message kinds KOOK documents, plus 255 for system events. Other numbers do occur. */
export const KookMessageType = {
  Text: 1,
  Image: 2,
  Video: 3,
  File: 4,
  Audio: 8,
  KMarkdown: 9,
  Card: 10,
  /** 道具 / "poke": `content` may be an object (kook.md §3). */
  Item: 12,
} as const
export type KookMessageType = (typeof KookMessageType)[keyof typeof KookMessageType]

export const KOOK_SYSTEM_EVENT_TYPE = 255

/**
 * `d.channel_type`: GROUP is channel/guild scope, PERSON is addressed to one user (DMs and per-user
 * system events), BROADCAST is documented but never seen. WEBHOOK_CHALLENGE is handled apart.
 */
export const kookEventScopeSchema = z.enum(['GROUP', 'PERSON', 'BROADCAST'])
export type KookEventScope = z.output<typeof kookEventScopeSchema>

function nullToEmpty(value: unknown): unknown {
  return value === null ? '' : value
}

const envelopeShape = {
  channel_type: kookEventScopeSchema,
  type: z.int(),
  /** GROUP message: channel id; GROUP system event: guild id; PERSON: the receiving user (the bot). */
  target_id: kookId,
  /** Sender; "1" for system events. */
  author_id: kookId,
  /** A message UUID; for system events an event id. The docs' examples truncate it ("xxxx"). */
  msg_id: z.string(),
  /** Milliseconds since the epoch. */
  msg_timestamp: kookMillis,
  /** Echoes the nonce passed to message/create; "" when none (`null` is read as ""). */
  nonce: z.preprocess(nullToEmpty, z.string()).optional(),
  /** Webhook deliveries only. */
  verify_token: z.string().optional(),
}

/** The fields every event shares (closed: the event types add `content` and `extra`). */
export const kookEnvelopeSchema = z.object(envelopeShape)
export type KookEnvelope = z.output<typeof kookEnvelopeSchema>

/** A message event (type ≠ 255). Unknown fields survive (loose). */
export const kookMessageEventSchema = z.looseObject({
  ...envelopeShape,
  type: z.int().refine((type) => type !== KOOK_SYSTEM_EVENT_TYPE, 'type 255 is a system event'),
  /** Text, KMarkdown or card JSON; a URL for media; an object for some type-12 items. */
  content: kookMessageContentSchema,
  extra: kookMessageExtraSchema,
})
export type KookMessageEvent = KookEnvelope & {
  content: KookMessageContent
  extra: KookMessageExtra
}

/**
 * `extra` of a system event: the event name and its body. The body is validated per name (see the
 * bodies table), where a missing one is refused; under a name with no row it is kept as sent, even absent.
 */
export const kookSystemExtraSchema = z.looseObject({ type: z.string(), body: z.unknown().optional() })

/** A system event with its body not yet checked. `content` is "[系统消息]" and carries nothing. */
export const kookSystemEventSchema = z.looseObject({
  ...envelopeShape,
  type: z.literal(KOOK_SYSTEM_EVENT_TYPE),
  content: z.unknown().optional(),
  extra: kookSystemExtraSchema,
})

/** A system event whose body is `Body`, delivered in scope `Scope`. */
export type KookSystemEvent<Body = unknown, Scope extends KookEventScope = KookEventScope> = KookEnvelope & {
  type: typeof KOOK_SYSTEM_EVENT_TYPE
  channel_type: Scope
  content?: unknown
  extra: {
    /** The event name exactly as KOOK sent it (before alias normalisation). */
    type: string
    body: Body
    [key: string]: unknown
  }
}

/**
 * The webhook's URL check (kook.md §2): answer `{challenge}` within 1 s. It also carries `type: 255`
 * and, like every webhook body, `verify_token`; only the challenge matters, so `type` is not checked.
 */
export const kookChallengeEventSchema = z.looseObject({
  channel_type: z.literal('WEBHOOK_CHALLENGE'),
  challenge: z.string(),
  verify_token: z.string().optional(),
})
export type KookChallengeEvent = z.output<typeof kookChallengeEventSchema>
