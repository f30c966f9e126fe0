/**
 * The field catalogue: for each BridgeEvent type a row may emit, the fields a row may set, their kind,
 * whether they are required, and the default expression used when a row leaves one out. It is data,
 * and it is checked against the TypeScript model (`satisfies` below): a field added to, removed from, or
 * made optional in `model/bridge-event.ts` fails the build until the catalogue follows.
 *
 * Fields the engine fills itself, and rows never set: `type`, `rowId`, `raw`, and `name` of extension
 * events (the row's `name:` key).
 */
import type { BridgeEvent, BridgeEventType, Sender } from '../model/bridge-event.js'
import type { Element } from '../model/element.js'

export type FieldKind = 'string' | 'number' | 'boolean' | 'elements' | 'sender' | 'emoji' | 'object' | 'enum'

export interface FieldSpec {
  kind: FieldKind
  /** enum kinds: the allowed values. */
  values?: readonly string[]
  required: boolean
  /** Expression used when the row does not set the field. */
  default?: string
  /** Default used instead in forEach rows (each emitted event needs its own id). */
  forEachDefault?: string
}

type EngineFields<T> = 'type' | 'rowId' | 'raw' | (T extends { type: 'extension' } ? 'name' : never)

type KindSpecFor<V> = [V] extends [readonly Element[]]
  ? { kind: 'elements' }
  : [V] extends [Sender]
    ? { kind: 'sender' }
    : [V] extends [boolean]
      ? { kind: 'boolean' }
      : [V] extends [number]
        ? { kind: 'number' }
        : [V] extends [string]
          ? string extends V
            ? { kind: 'string' }
            : { kind: 'enum'; values: readonly V[] }
          : [V] extends [{ id: string; name: string }]
            ? { kind: 'emoji' }
            : { kind: 'object' }

type SpecFor<T, K extends keyof T> = KindSpecFor<Exclude<T[K], undefined>> & {
  required: Pick<T, K> extends Required<Pick<T, K>> ? true : false
  default?: string
  forEachDefault?: string
}

/** Exactly the settable fields of one BridgeEvent type, each with a kind matching its TypeScript type. */
type CatalogueFor<T> = { [K in Exclude<keyof T, EngineFields<T>>]-?: SpecFor<T, K> }

type Catalogue = { [K in BridgeEventType]: CatalogueFor<Extract<BridgeEvent, { type: K }>> }

const base = {
  eventId: { kind: 'string', required: true, default: 'msg_id', forEachDefault: "join(msg_id, ':', $index)" },
  time: { kind: 'number', required: true, default: 'msg_timestamp' },
} as const

const SCENES = ['channel', 'direct'] as const

export const fieldCatalogue = {
  message: {
    ...base,
    scene: { kind: 'enum', values: SCENES, required: true },
    messageId: { kind: 'string', required: true },
    kookType: { kind: 'number', required: true },
    guildId: { kind: 'string', required: false },
    channelId: { kind: 'string', required: false },
    channelName: { kind: 'string', required: false },
    chatCode: { kind: 'string', required: false },
    sender: { kind: 'sender', required: true },
    elements: { kind: 'elements', required: true },
    plainText: { kind: 'string', required: true },
    nonce: { kind: 'string', required: false },
    self: { kind: 'boolean', required: true },
  },
  'notice.recall': {
    ...base,
    scene: { kind: 'enum', values: SCENES, required: true },
    messageId: { kind: 'string', required: true },
    guildId: { kind: 'string', required: false },
    channelId: { kind: 'string', required: false },
    chatCode: { kind: 'string', required: false },
    userId: { kind: 'string', required: false },
    operatorId: { kind: 'string', required: false },
  },
  'notice.member_increase': {
    ...base,
    guildId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
  },
  'notice.member_decrease': {
    ...base,
    guildId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
    reason: { kind: 'enum', values: ['leave', 'kick', 'kick_me'], required: true },
    operatorId: { kind: 'string', required: false },
  },
  'notice.member_ban': {
    ...base,
    guildId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
    banned: { kind: 'boolean', required: true },
    muteKind: { kind: 'enum', values: ['mic', 'headset'], required: true },
    operatorId: { kind: 'string', required: false },
  },
  'notice.member_card': {
    ...base,
    guildId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
    card: { kind: 'string', required: true },
  },
  'notice.pin': {
    ...base,
    pinned: { kind: 'boolean', required: true },
    messageId: { kind: 'string', required: true },
    channelId: { kind: 'string', required: true },
    guildId: { kind: 'string', required: false },
    operatorId: { kind: 'string', required: true },
  },
  'notice.reaction': {
    ...base,
    added: { kind: 'boolean', required: true },
    scene: { kind: 'enum', values: SCENES, required: true },
    messageId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
    guildId: { kind: 'string', required: false },
    channelId: { kind: 'string', required: false },
    chatCode: { kind: 'string', required: false },
    emoji: { kind: 'emoji', required: true },
  },
  'notice.user_updated': {
    ...base,
    userId: { kind: 'string', required: true },
    name: { kind: 'string', required: true },
    avatar: { kind: 'string', required: false },
  },
  request: {
    ...base,
    requestKind: { kind: 'enum', values: ['friend', 'guild_invite'], required: true },
    requestId: { kind: 'string', required: true },
    userId: { kind: 'string', required: true },
    guildId: { kind: 'string', required: false },
    comment: { kind: 'string', required: false },
  },
  extension: {
    ...base,
    scene: { kind: 'enum', values: SCENES, required: false },
    guildId: { kind: 'string', required: false },
    channelId: { kind: 'string', required: false },
    chatCode: { kind: 'string', required: false },
    userId: { kind: 'string', required: false },
    messageId: { kind: 'string', required: false },
    data: { kind: 'object', required: true, default: 'extra.body' },
  },
} as const satisfies Catalogue

export const EMIT_TYPES = Object.keys(fieldCatalogue) as BridgeEventType[]

export function fieldsOf(type: BridgeEventType): Readonly<Record<string, FieldSpec>> {
  return fieldCatalogue[type]
}
