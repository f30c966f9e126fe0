/**
 * kritor groups ↔ KOOK places, per scene mode (kritor.md §6).
 *
 * In `group` mode a kritor group is a KOOK text channel: member RPCs (GetGroupMemberInfo, KickMember…)
 * need the channel's guild, looked up once per channel (op getChannel) and remembered — a channel never
 * moves to another guild. Guild-wide notices need the opposite direction, the guild's default channel
 * (DefaultChannelCache, shared with the OneBot endpoint's rule so both protocols name the same group).
 * In `guild` mode a group is the guild itself.
 */
import type { OperationRunner } from '../model/operation.js'
import { DefaultChannelCache } from '../ops/default-channel-cache.js'
import { LruMap } from '../store/lru-map.js'
import type { Logger } from '../util/logger.js'
import type { SceneMode } from './encode-push-message.js'

const MAX_CHANNELS = 10_000

export class GroupResolver {
  readonly sceneMode: SceneMode
  /** Guild → default text channel, for guild-wide notices in `group` mode. */
  readonly defaultChannels: DefaultChannelCache
  readonly #ops: OperationRunner
  readonly #guildOfChannel = new LruMap<string, string>({ maxEntries: MAX_CHANNELS })

  constructor(ops: OperationRunner, sceneMode: SceneMode, options: { logger?: Logger | undefined } = {}) {
    this.#ops = ops
    this.sceneMode = sceneMode
    this.defaultChannels = new DefaultChannelCache(ops, { logger: options.logger })
  }

  /** The guild a kritor group id names. Throws NOT_FOUND (from the op) for an unknown channel. */
  async guildOf(groupId: string): Promise<string> {
    if (this.sceneMode === 'guild') return groupId
    const known = this.#guildOfChannel.get(groupId)
    if (known !== undefined) return known
    const channel = await this.#ops.run({ op: 'getChannel', channelId: groupId })
    this.#guildOfChannel.set(groupId, channel.guildId)
    return channel.guildId
  }

  /** Remembers a channel's guild learned elsewhere (group lists), sparing a lookup. */
  learn(channelId: string, guildId: string): void {
    this.#guildOfChannel.set(channelId, guildId)
  }
}
