/**
 * Per-endpoint policy, kept out of the mapping table so the table stays protocol-neutral: one table
 * serves every endpoint of a bot, and each endpoint applies its own profile to the BridgeEvents.
 *
 * Defaults come from the configuration schema (`bots[].selfMessages`, `bots[].otherBots`), their one
 * home; `channelAs` is the encoders' concern and only carried here.
 */
import { z } from 'zod'
import { BotSchema } from '../config/schema.js'
import type { BridgeEvent } from '../model/bridge-event.js'

export const ProfileSchema = z.object({
  /**
   * How a KOOK text channel appears to the framework: `group` (peer = channel id; what most plugins
   * expect) or `guild` (peer = guild id, sub-peer = channel id). See kritor.md §6.
   */
  channelAs: z.enum(['group', 'guild']).default('group'),
  /** The bot's own messages come back from KOOK as events (kook.md §8.1). */
  selfMessages: BotSchema.shape.selfMessages,
  /** Messages of other bots; drop to avoid bot↔bot loops (KOOK bans them). */
  otherBots: BotSchema.shape.otherBots,
})

export type Profile = z.infer<typeof ProfileSchema>
export type ProfileInput = z.input<typeof ProfileSchema>

export const defaultProfile: Readonly<Profile> = Object.freeze(ProfileSchema.parse({}))

/** Fills a partial profile with the defaults. */
export function makeProfile(input: ProfileInput = {}): Profile {
  return ProfileSchema.parse(input)
}

/**
 * Whether an endpoint with this profile should receive the event. Only messages are filtered: the
 * bot's own (`self`) when `selfMessages` is `drop`, other bots' (`sender.bot`) when `otherBots` is
 * `drop`. Notices and extension events always pass (a reaction by the bot is still news).
 */
export function acceptByProfile(event: BridgeEvent, profile: Readonly<Profile>): boolean {
  if (event.type !== 'message') return true
  if (event.self) return profile.selfMessages === 'keep'
  if (event.sender.bot) return profile.otherBots === 'keep'
  return true
}
