/**
 * Consumer profiles: what each OneBot v11 framework really requires, as data (onebot-v11.md §A2,
 * karin.md). Settings a user chooses (format, channelAs, tokens) live in the config schema; a profile
 * holds facts about the consumer's code.
 *
 * Facts every profile shares, so they are not fields here: `lifecycle/connect` is the first frame on
 * every WS connection (NoneBot ignores frames until it names the bot; ZeroBot reads `self_id` from the
 * first frame); events never carry `echo` (ZeroBot and Karin treat any frame with `echo` as a response);
 * reverse WS always sends `X-Self-ID` (NoneBot closes 1008 without it), `X-Client-Role: Universal`
 * (Koishi requires it) and `Authorization: Bearer` (Karin requires exactly that scheme); ids are numbers
 * ≤ 2^53−1 and message ids positive int32 (Karin `Number()`s them, Overflow/Shiro bind a Java int).
 */
import type { OneBotConfig } from '../config/onebot-schema.js'

export type ProfileName = OneBotConfig['profile']

export interface OneBotProfile {
  name: ProfileName
  /**
   * Actions the consumer calls right after a WS connects, before it listens for events. Events wait
   * until each has been answered (plus `handshakeSettleMs`), or until `handshakeTimeoutMs`.
   * Empty: events flow right after `lifecycle/connect`.
   */
  handshakeActions: readonly string[]
  /** Release held events after this long even if the handshake calls never come. */
  handshakeTimeoutMs: number
  /**
   * Whether KOOK-only content may travel as extension segments (`markdown`, `kook_role`, `kook_channel`,
   * `kook_buttons`). Karin turns an unknown segment into a text element holding its JSON, which breaks
   * command matching (karin.md §3), so for Karin such content degrades to plain text instead.
   */
  extensionSegments: boolean
}

export const PROFILES = {
  karin: {
    name: 'karin',
    // karin.md §3: exactly get_login_info then get_version_info, 5–20 ms after connect; its event
    // listener is attached only after the second reply resolves (§7.5).
    handshakeActions: ['get_login_info', 'get_version_info'],
    handshakeTimeoutMs: 2_000,
    extensionSegments: false,
  },
  koishi: {
    name: 'koishi',
    // adapter-onebot calls get_login_info and get_guild_service_profile on connect (§A2).
    handshakeActions: ['get_login_info'],
    handshakeTimeoutMs: 2_000,
    extensionSegments: true,
  },
  nonebot: {
    name: 'nonebot',
    // adapter-onebot makes no call on connect; it needs lifecycle/connect first, which every profile gets.
    handshakeActions: [],
    handshakeTimeoutMs: 0,
    extensionSegments: true,
  },
  zerobot: {
    name: 'zerobot',
    // ZeroBot takes self_id from the first frame (lifecycle/connect carries it) and calls nothing first.
    handshakeActions: [],
    handshakeTimeoutMs: 0,
    extensionSegments: true,
  },
} as const satisfies Record<ProfileName, OneBotProfile>

export function profileFor(name: ProfileName): OneBotProfile {
  return PROFILES[name]
}
