/**
 * The protocol renderers `kookbridge explain` runs after the mapping table. Each one shows what one
 * endpoint would send for a BridgeEvent, using that endpoint's real encoder, so explain cannot drift
 * from what the bridge sends.
 *
 * explain runs offline, so there is no KOOK connection and no bot data directory:
 * - ids come from a fresh in-memory store. Numbers start at 1 for every explain run, and aliases of
 *   large ids differ from a running bot's.
 * - The guild's default channel is unknown, so a guild-wide notice shows `group_id: 0`. The endpoint
 *   sends the same when its getGuild lookup fails.
 */
import type { BridgeEvent } from '../model/bridge-event.js'
import { encodeEvent } from '../onebot/encode-event.js'
import { profileFor } from '../onebot/profiles.js'
import { openStore } from '../store/open-store.js'
import type { ExplainRenderer } from './mappings-command.js'

export interface ExplainRenderersOptions {
  /**
   * The bot's KOOK user id, for `self_id`. Without it `self_id` is 0: explain has no bot to ask.
   * (Whether a message is the bot's own is decided earlier, by the mapping table.)
   */
  selfId?: string
}

/** What the OneBot renderer shows when the endpoint sends nothing for an event. */
export const ONEBOT_NOT_SENT =
  'nothing is sent (the bot’s own message, or a channel message without a channel)'

/** OneBot v11 as Karin receives it: the karin profile (no extension segments), array messages, group form. */
function oneBotRenderer(options: ExplainRenderersOptions): ExplainRenderer {
  const store = openStore({ location: 'memory', bot: 'explain' })
  const selfId = options.selfId ? store.numberFor('user', options.selfId) : 0
  const profile = profileFor('karin')
  return (event: BridgeEvent) => {
    const wire = encodeEvent(event, {
      store,
      selfId,
      format: 'array',
      channelAs: 'group',
      extensionSegments: profile.extensionSegments,
      defaultChannelOf: () => undefined,
    })
    return { name: 'OneBot v11 (profile karin, message format array)', output: wire ?? ONEBOT_NOT_SENT }
  }
}

/**
 * One renderer per protocol endpoint, in the order explain prints them. Call it once per explain run:
 * the renderers share state across the events of that run (a forEach row's events get consistent ids).
 */
export function explainRenderers(options: ExplainRenderersOptions = {}): ExplainRenderer[] {
  return [
    oneBotRenderer(options),
    // kritor: add its renderer here, built the same way (its real encoder over an in-memory store).
  ]
}
