/**
 * BridgeStore kept in process memory only: for tests and throwaway runs (the demo). Same semantics as
 * the SQLite store (one contract suite runs against both), but nothing survives `close()` and the
 * message index is unbounded.
 */
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import { AliasSpace } from './alias-space.js'
import type { AliasKind, BridgeStore, GatewaySession, MessageRecord } from './bridge-store.js'
import { MessageIndex, type MessageInput } from './message-index.js'

export class MemoryStore implements BridgeStore {
  readonly #aliases: Record<AliasKind, AliasSpace> = {
    user: new AliasSpace(),
    guild: new AliasSpace(),
    channel: new AliasSpace(),
  }
  readonly #messages = new MessageIndex({ nextNumber: 1 })
  readonly #chatCodes = new Map<string, string>()
  #session: GatewaySession | undefined
  #closed = false

  numberFor(kind: AliasKind, id: string): number {
    this.#assertOpen()
    return this.#aliases[kind].numberFor(id)
  }

  idFor(kind: AliasKind, num: number): string {
    this.#assertOpen()
    return this.#aliases[kind].idFor(num)
  }

  putMessage(record: MessageInput): MessageRecord {
    this.#assertOpen()
    return this.#messages.put(record)
  }

  addParts(msgId: string, parts: string[]): void {
    this.#assertOpen()
    this.#messages.addParts(msgId, parts)
  }

  getMessage(msgId: string): MessageRecord | undefined {
    this.#assertOpen()
    return this.#messages.get(msgId)
  }

  getMessageByNumber(num: number): MessageRecord | undefined {
    this.#assertOpen()
    return this.#messages.getByNumber(num)
  }

  loadSession(): GatewaySession | undefined {
    this.#assertOpen()
    return this.#session === undefined ? undefined : { ...this.#session }
  }

  saveSession(session: GatewaySession | undefined): void {
    this.#assertOpen()
    this.#session = session === undefined ? undefined : { sessionId: session.sessionId, sn: session.sn }
  }

  rememberChatCode(userId: string, chatCode: string): void {
    this.#assertOpen()
    this.#chatCodes.set(userId, chatCode)
  }

  chatCodeFor(userId: string): string | undefined {
    this.#assertOpen()
    return this.#chatCodes.get(userId)
  }

  directPeers(): Array<{ userId: string; chatCode: string }> {
    this.#assertOpen()
    return [...this.#chatCodes].map(([userId, chatCode]) => ({ userId, chatCode }))
  }

  flush(): void {
    this.#assertOpen()
  }

  close(): void {
    this.#closed = true
  }

  #assertOpen(): void {
    if (this.#closed) throw new BridgeError(ErrorCode.Closed, 'the store is closed')
  }
}
