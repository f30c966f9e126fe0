/**
 * KOOK reaction emoji ↔ kritor `face_id` (uint32), for GROUP_REACT_MESSAGE_WITH_EMOJI notices and
 * ReactMessageWithEmoji calls (kritor.md §6 "Reactions").
 *
 * KOOK names emoji by string: a unicode emoji arrives as `[#<code point>;]` (kook.md "emoji") and is
 * sent back as the raw character; a guild emoji is `guildId/code`. kritor has only a number, so:
 * - a single-code-point unicode emoji is its code point (👍 = 128077): stable across restarts and
 *   across bridges, and a framework can compute it;
 * - anything else (guild emoji, multi-code-point sequences) gets a registry number above the unicode
 *   range (from 0x110000), valid while this process remembers it. The registry is bounded: the oldest
 *   entries are forgotten first, after which their numbers answer NOT_FOUND.
 *
 * Lossy by design: the reacting user is not carried by kritor 1.0.3's notice, and QQ face ids (small
 * numbers such as 76) are not emoji, so ReactMessageWithEmoji refuses them instead of reacting with
 * the character that happens to have that code point.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'

/** First registry number: one past the last unicode code point, so the two never collide. */
export const REGISTRY_BASE = 0x110000
const DEFAULT_CAPACITY = 4096
const ENTITY = /^\[#(\d{1,7});\]$/
const ENTITIES = /\[#(\d{1,7});\]/g
const PICTOGRAPHIC = /^(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})$/u

function isCodePoint(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n < REGISTRY_BASE && (n < 0xd800 || n > 0xdfff)
}

export class EmojiFaceIds {
  readonly #capacity: number
  readonly #byEmoji = new Map<string, number>()
  readonly #byFace = new Map<number, string>()
  #next = REGISTRY_BASE

  constructor(options: { capacity?: number } = {}) {
    this.#capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY)
  }

  /** The face_id of a KOOK emoji id (`[#128077;]`, `👍` or `guildId/code`). */
  faceIdOf(emojiId: string): number {
    const entity = ENTITY.exec(emojiId)
    if (entity) {
      const cp = Number(entity[1])
      if (isCodePoint(cp)) return cp
    }
    const first = emojiId.codePointAt(0)
    if (first !== undefined && String.fromCodePoint(first) === emojiId) return first
    return this.#register(emojiId)
  }

  /**
   * The emoji KOOK's add/delete-reaction endpoints expect for a face_id: the raw unicode character(s)
   * or the `guildId/code` of a guild emoji. Throws BAD_PARAMS for a number that is not an emoji code
   * point (e.g. a QQ face id) and NOT_FOUND for a registry number this process does not know.
   */
  emojiOf(faceId: number): string {
    if (faceId >= REGISTRY_BASE) {
      const emoji = this.#byFace.get(faceId)
      if (emoji === undefined) {
        throw new BridgeError(
          ErrorCode.NotFound,
          `face_id ${faceId} names no KOOK emoji known to this bridge (registry numbers live only as long as the process)`,
        )
      }
      // Multi-code-point emoji arrive as `[#a;][#b;]`: KOOK wants the characters back.
      return emoji.replace(ENTITIES, (_, cp: string) => String.fromCodePoint(Number(cp)))
    }
    if (isCodePoint(faceId)) {
      const char = String.fromCodePoint(faceId)
      if (PICTOGRAPHIC.test(char)) return char
    }
    throw new BridgeError(
      ErrorCode.BadParams,
      `face_id ${faceId} is not an emoji: KOOK reacts with emoji, so send a unicode code point (128077 for 👍) or a face_id from a reaction notice`,
    )
  }

  #register(emojiId: string): number {
    const known = this.#byEmoji.get(emojiId)
    if (known !== undefined) return known
    if (this.#byEmoji.size >= this.#capacity) {
      const [oldest, face] = this.#byEmoji.entries().next().value as [string, number]
      this.#byEmoji.delete(oldest)
      this.#byFace.delete(face)
    }
    const face = this.#next++
    this.#byEmoji.set(emojiId, face)
    this.#byFace.set(face, emojiId)
    return face
  }
}
