/** One reaction: who reacted with which emoji (stored in KOOK's event form, e.g. `[#128077;]`). */
export interface SimReaction {
  emoji: string
  userId: string
  at: number
}

/**
 * A message the simulator knows: sent by the bot through the API (`via: 'api'`) or by a user through
 * `postMessage` / `inject` (`via: 'event'`). Channel messages have `channelId`, DMs `chatCode`.
 */
export interface SimMessage {
  msgId: string
  channelId?: string
  guildId?: string
  chatCode?: string
  /** DMs: the receiving user. */
  targetUserId?: string
  type: number
  content: string
  /** The quoted message id. */
  quote?: string
  nonce?: string
  /** Ephemeral channel messages shown to one user; KOOK does not store them (kook.md §8.14). */
  tempTargetId?: string
  authorId: string
  deleted: boolean
  createdAt: number
  updatedAt?: number
  via: 'api' | 'event'
  reactions: SimReaction[]
}

/** Messages in arrival order, bounded so a long demo does not grow without limit. */
export class SimMessageStore {
  readonly #byId = new Map<string, SimMessage>()
  readonly #limit: number

  constructor(limit = 10_000) {
    this.#limit = limit
  }

  add(message: SimMessage): SimMessage {
    this.#byId.set(message.msgId, message)
    if (this.#byId.size > this.#limit) {
      const oldest = this.#byId.keys().next().value
      if (oldest !== undefined) this.#byId.delete(oldest)
    }
    return message
  }

  /** A stored message, temp messages excluded (KOOK cannot fetch or quote them). */
  get(msgId: string): SimMessage | undefined {
    const message = this.#byId.get(msgId)
    return message && message.tempTargetId === undefined ? message : undefined
  }

  /** Whether the id is known at all (temp messages included). */
  has(msgId: string): boolean {
    return this.#byId.has(msgId)
  }

  all(): SimMessage[] {
    return [...this.#byId.values()]
  }

  /** Live (not deleted, not temp) messages of a channel or DM chat, oldest first. */
  conversation(where: { channelId: string } | { chatCode: string }): SimMessage[] {
    return this.all().filter(
      (m) =>
        !m.deleted &&
        m.tempTargetId === undefined &&
        ('channelId' in where ? m.channelId === where.channelId : m.chatCode === where.chatCode),
    )
  }
}
