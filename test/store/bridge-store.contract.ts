/**
 * The behaviour every BridgeStore must have, written once and run against each implementation
 * (MQTT.js `abstract_store` style). Implementation-specific behaviour (persistence, caching) is tested
 * next to the implementation.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { BridgeError, ErrorCode } from '../../src/errors/bridge-error.js'
import type { AliasKind, BridgeStore } from '../../src/store/bridge-store.js'

const TOP = Number.MAX_SAFE_INTEGER
/** A real-looking 17-digit KOOK channel id: beyond 2^53, so Number() would corrupt it. */
const BIG_CHANNEL = '12345678901234567'
const BIG_GUILD = '98765432109876543'

type MessageInput = Parameters<BridgeStore['putMessage']>[0]

export function channelMessage(msgId: string, extra: Partial<MessageInput> = {}): MessageInput {
  return {
    msgId,
    scene: 'channel',
    guildId: BIG_GUILD,
    channelId: BIG_CHANNEL,
    userId: '1234567890',
    time: 1_700_000_000_000,
    parts: [msgId],
    ...extra,
  }
}

function expectCode(fn: () => unknown, code: ErrorCode): void {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(BridgeError)
  expect((caught as BridgeError).code).toBe(code)
}

export function describeBridgeStoreContract(name: string, makeStore: () => BridgeStore): void {
  describe(`${name} (BridgeStore contract)`, () => {
    const opened: BridgeStore[] = []
    const open = () => {
      const store = makeStore()
      opened.push(store)
      return store
    }
    afterEach(() => {
      for (const store of opened.splice(0)) store.close()
    })

    describe('id aliases', () => {
      it('passes a user id that fits a safe integer through unchanged, both ways', () => {
        const store = open()
        expect(store.numberFor('user', '1234567890')).toBe(1234567890)
        expect(store.idFor('user', 1234567890)).toBe('1234567890')
        expect(store.numberFor('channel', '1234567890123456')).toBe(1234567890123456)
      })

      it('gives a 17-digit channel id a safe-integer alias that maps back and stays stable', () => {
        const store = open()
        const num = store.numberFor('channel', BIG_CHANNEL)
        expect(Number.isSafeInteger(num)).toBe(true)
        expect(num).toBeGreaterThan(0)
        expect(num).toBeLessThanOrEqual(TOP)
        expect(String(num)).not.toBe(BIG_CHANNEL)
        expect(store.numberFor('channel', BIG_CHANNEL)).toBe(num)
        expect(store.idFor('channel', num)).toBe(BIG_CHANNEL)
      })

      it('allocates aliases downward from 2^53−1, one per distinct id', () => {
        const store = open()
        expect(store.numberFor('channel', BIG_CHANNEL)).toBe(TOP)
        expect(store.numberFor('channel', '12345678901234568')).toBe(TOP - 1)
        expect(store.numberFor('channel', BIG_CHANNEL)).toBe(TOP)
      })

      it('aliases ids that are not canonical decimals, so "0123" never shares 123 with "123"', () => {
        const store = open()
        const uuid = '3f2b8a9e-1c4d-4e5f-8a6b-7c8d9e0f1a2b'
        const leadingZero = store.numberFor('user', '0123')
        expect(leadingZero).not.toBe(123)
        expect(store.numberFor('user', '123')).toBe(123)
        expect(store.idFor('user', leadingZero)).toBe('0123')
        const aliased = store.numberFor('user', uuid)
        expect(store.idFor('user', aliased)).toBe(uuid)
      })

      it('keeps one number space per kind', () => {
        const store = open()
        expect(store.numberFor('guild', BIG_GUILD)).toBe(TOP)
        expect(store.numberFor('channel', BIG_CHANNEL)).toBe(TOP)
        expect(store.idFor('guild', TOP)).toBe(BIG_GUILD)
        expect(store.idFor('channel', TOP)).toBe(BIG_CHANNEL)
      })

      it('gives a pass-through id its own alias when its number is already an alias', () => {
        const store = open()
        const alias = store.numberFor('channel', BIG_CHANNEL)
        const clashing = String(alias)
        const own = store.numberFor('channel', clashing)
        expect(own).not.toBe(alias)
        expect(store.idFor('channel', alias)).toBe(BIG_CHANNEL)
        expect(store.idFor('channel', own)).toBe(clashing)
      })

      it('never re-uses the number of a pass-through id seen before as an alias', () => {
        const store = open()
        expect(store.numberFor('channel', String(TOP))).toBe(TOP)
        const alias = store.numberFor('channel', BIG_CHANNEL)
        expect(alias).toBe(TOP - 1)
        expect(store.numberFor('channel', String(TOP))).toBe(TOP)
        expect(store.idFor('channel', TOP)).toBe(String(TOP))
      })

      it('is a bijection on any mix of ids (property)', () => {
        const idArb = fc.oneof(
          fc.integer({ min: 0, max: 10_000_000_000 }).map(String),
          fc.bigInt({ min: 0n, max: 10n ** 19n }).map(String),
          fc.bigInt({ min: BigInt(TOP) - 20n, max: BigInt(TOP) }).map(String),
          fc.uuid(),
          fc.stringMatching(/^0\d{1,5}$/),
        )
        fc.assert(
          fc.property(fc.array(fc.tuple(fc.constantFrom<AliasKind>('user', 'channel'), idArb)), (ids) => {
            const store = makeStore()
            try {
              const seen = new Map<string, number>()
              for (const [kind, id] of ids) {
                const num = store.numberFor(kind, id)
                expect(Number.isSafeInteger(num) && num >= 0).toBe(true)
                const key = `${kind}:${id}`
                const before = seen.get(key)
                if (before !== undefined) expect(num).toBe(before)
                seen.set(key, num)
              }
              for (const [key, num] of seen) {
                const [kind, ...rest] = key.split(':')
                expect(store.idFor(kind as AliasKind, num)).toBe(rest.join(':'))
                expect(store.numberFor(kind as AliasKind, rest.join(':'))).toBe(num)
              }
            } finally {
              store.close()
            }
          }),
          { numRuns: 60 },
        )
      })

      it('refuses numbers no id can have, such as Number(uuid)', () => {
        const store = open()
        expectCode(() => store.idFor('user', Number.NaN), ErrorCode.BadParams)
        expectCode(() => store.idFor('user', -1), ErrorCode.BadParams)
        expectCode(() => store.idFor('user', 1.5), ErrorCode.BadParams)
        expectCode(() => store.idFor('user', 2 ** 53), ErrorCode.BadParams)
        expectCode(() => store.numberFor('user', ''), ErrorCode.BadParams)
      })
    })

    describe('message index', () => {
      it('numbers messages 1, 2, 3 … as positive int32', () => {
        const store = open()
        const numbers = ['a', 'b', 'c'].map((id) => store.putMessage(channelMessage(id)).number)
        expect(numbers).toEqual([1, 2, 3])
      })

      it('finds a message by msg_id and by number', () => {
        const store = open()
        const put = store.putMessage(channelMessage('m1', { body: '{"text":"hi"}' }))
        expect(store.getMessage('m1')).toEqual(put)
        expect(store.getMessageByNumber(put.number)).toEqual(put)
        expect(put).toMatchObject({ msgId: 'm1', guildId: BIG_GUILD, channelId: BIG_CHANNEL, parts: ['m1'] })
        expect(store.getMessage('unknown')).toBeUndefined()
        expect(store.getMessageByNumber(999)).toBeUndefined()
        expect(store.getMessageByNumber(Number.NaN)).toBeUndefined()
        expect(store.getMessageByNumber(0)).toBeUndefined()
      })

      it('is idempotent on msg_id and fills in fields learned later', () => {
        const store = open()
        const first = store.putMessage(channelMessage('m1', { userId: 'bot' }))
        const again = store.putMessage(channelMessage('m1', { userId: 'someone-else', body: '{"b":1}' }))
        expect(again.number).toBe(first.number)
        expect(again.userId).toBe('bot')
        expect(again.body).toBe('{"b":1}')
        expect(store.getMessage('m1')?.body).toBe('{"b":1}')
        expect(store.putMessage(channelMessage('m2')).number).toBe(first.number + 1)
      })

      it('ignores a caller-supplied number: numbers belong to the store', () => {
        const store = open()
        store.putMessage(channelMessage('m1'))
        expect(store.putMessage({ ...channelMessage('m2'), number: 77 }).number).toBe(2)
      })

      it('resolves every part of a split send to the one logical message', () => {
        const store = open()
        const logical = store.putMessage(channelMessage('text-part'))
        store.addParts('text-part', ['image-part', 'file-part'])
        for (const part of ['text-part', 'image-part', 'file-part']) {
          const found = store.getMessage(part)
          expect(found?.number).toBe(logical.number)
          expect(found?.parts).toEqual(['text-part', 'image-part', 'file-part'])
        }
        expect(store.getMessageByNumber(logical.number)?.parts).toEqual([
          'text-part',
          'image-part',
          'file-part',
        ])
      })

      it('returns the logical message when the echo of a linked part is put', () => {
        const store = open()
        const logical = store.putMessage(channelMessage('p1', { parts: ['p1', 'p2'] }))
        const echo = store.putMessage(channelMessage('p2'))
        expect(echo.number).toBe(logical.number)
        expect(store.putMessage(channelMessage('next')).number).toBe(logical.number + 1)
      })

      it('re-links a part indexed alone before the send linked it, keeping the lone record by number', () => {
        const store = open()
        const logical = store.putMessage(channelMessage('send-1'))
        const echo = store.putMessage(channelMessage('send-2'))
        store.addParts('send-1', ['send-2'])
        expect(store.getMessage('send-2')?.number).toBe(logical.number)
        expect(store.getMessageByNumber(echo.number)?.msgId).toBe('send-2')
      })

      it('adds parts only once and refuses to extend an unknown message', () => {
        const store = open()
        store.putMessage(channelMessage('m1'))
        store.addParts('m1', ['m2'])
        store.addParts('m1', ['m2', 'm1'])
        expect(store.getMessage('m1')?.parts).toEqual(['m1', 'm2'])
        expectCode(() => store.addParts('nope', ['x']), ErrorCode.NotFound)
      })

      it('keeps direct messages with their chat code', () => {
        const store = open()
        const dm = store.putMessage({
          msgId: 'dm1',
          scene: 'direct',
          chatCode: 'cc-1',
          userId: '1234567890',
          time: 1,
          parts: [],
        })
        expect(store.getMessage('dm1')).toMatchObject({ scene: 'direct', chatCode: 'cc-1', parts: ['dm1'] })
        expect(dm.guildId).toBeUndefined()
      })

      it('hands out snapshots: mutating the input or output does not change the stored record', () => {
        const store = open()
        const input = channelMessage('m1')
        const put = store.putMessage(input)
        input.parts.push('intruder')
        input.userId = 'changed'
        expect(() => {
          ;(put as { userId: string }).userId = 'changed'
        }).toThrow(TypeError)
        expect(store.getMessage('m1')).toMatchObject({ userId: '1234567890', parts: ['m1'] })
        expect(store.getMessage('intruder')).toBeUndefined()
      })

      it('rejects a record without a msg_id', () => {
        const store = open()
        expectCode(() => store.putMessage(channelMessage('')), ErrorCode.BadParams)
      })
    })

    describe('gateway session', () => {
      it('saves, loads and clears the session', () => {
        const store = open()
        expect(store.loadSession()).toBeUndefined()
        store.saveSession({ sessionId: 's-1', sn: 41 })
        store.saveSession({ sessionId: 's-1', sn: 42 })
        expect(store.loadSession()).toEqual({ sessionId: 's-1', sn: 42 })
        store.saveSession(undefined)
        expect(store.loadSession()).toBeUndefined()
      })
    })

    describe('chat codes', () => {
      it('remembers, updates and lists DM chat codes', () => {
        const store = open()
        expect(store.chatCodeFor('111')).toBeUndefined()
        expect(store.directPeers()).toEqual([])
        store.rememberChatCode('111', 'cc-a')
        store.rememberChatCode('222', 'cc-b')
        store.rememberChatCode('111', 'cc-a2')
        expect(store.chatCodeFor('111')).toBe('cc-a2')
        expect(sortPeers(store.directPeers())).toEqual([
          { userId: '111', chatCode: 'cc-a2' },
          { userId: '222', chatCode: 'cc-b' },
        ])
      })
    })

    describe('lifecycle', () => {
      it('refuses every call after close with CLOSED, and close is idempotent', () => {
        const store = makeStore()
        store.putMessage(channelMessage('m1'))
        store.close()
        store.close()
        const calls: Array<() => unknown> = [
          () => store.numberFor('user', '1'),
          () => store.idFor('user', 1),
          () => store.putMessage(channelMessage('m2')),
          () => store.addParts('m1', ['x']),
          () => store.getMessage('m1'),
          () => store.getMessageByNumber(1),
          () => store.loadSession(),
          () => store.saveSession(undefined),
          () => store.rememberChatCode('1', 'c'),
          () => store.chatCodeFor('1'),
          () => store.directPeers(),
          () => store.flush(),
        ]
        for (const call of calls) expectCode(call, ErrorCode.Closed)
      })

      it('accepts flush at any time', () => {
        const store = open()
        store.flush()
        store.putMessage(channelMessage('m1'))
        store.flush()
        expect(store.getMessage('m1')?.number).toBe(1)
      })
    })
  })
}

export function sortPeers(peers: Array<{ userId: string; chatCode: string }>) {
  return [...peers].sort((a, b) => a.userId.localeCompare(b.userId))
}
