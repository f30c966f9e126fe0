import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { BridgeError, ErrorCode } from '../../src/errors/bridge-error.js'
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite-store.js'
import { channelMessage, describeBridgeStoreContract, sortPeers } from './bridge-store.contract.js'

const TOP = Number.MAX_SAFE_INTEGER
const BIG_CHANNEL = '12345678901234567'

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kookbridge-sqlite-store-'))
let fileCounter = 0
const freshFile = () => path.join(root, `store-${++fileCounter}.sqlite`)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describeBridgeStoreContract('SqliteStore', () => new SqliteStore({ file: freshFile(), bot: 'bot' }))

describe('SqliteStore', () => {
  const opened: SqliteStore[] = []
  const open = (file: string, options: Partial<SqliteStoreOptions> = {}) => {
    const store = new SqliteStore({ file, bot: 'bot', ...options })
    opened.push(store)
    return store
  }
  afterEach(() => {
    for (const store of opened.splice(0)) {
      try {
        store.close()
      } catch {
        // A test that broke the file on purpose: the close failure was already asserted there.
      }
    }
  })

  describe('restart', () => {
    it('keeps message numbers, parts, aliases, chat codes and session', () => {
      const file = freshFile()
      const before = open(file)
      const logical = before.putMessage(channelMessage('t1', { body: '{"t":"hello"}' }))
      before.addParts('t1', ['t2', 't3'])
      const second = before.putMessage(channelMessage('u1'))
      const alias = before.numberFor('channel', BIG_CHANNEL)
      const ownAlias = before.numberFor('channel', String(alias))
      before.rememberChatCode('1234567890', 'cc-1')
      before.saveSession({ sessionId: 'sess', sn: 1234 })
      before.close()

      const after = open(file)
      expect(after.getMessage('t3')).toEqual({ ...logical, parts: ['t1', 't2', 't3'] })
      expect(after.getMessageByNumber(second.number)?.msgId).toBe('u1')
      expect(after.numberFor('channel', BIG_CHANNEL)).toBe(alias)
      expect(after.idFor('channel', alias)).toBe(BIG_CHANNEL)
      expect(after.numberFor('channel', String(alias))).toBe(ownAlias)
      expect(after.idFor('channel', ownAlias)).toBe(String(alias))
      expect(after.chatCodeFor('1234567890')).toBe('cc-1')
      expect(after.directPeers()).toEqual([{ userId: '1234567890', chatCode: 'cc-1' }])
      expect(after.loadSession()).toEqual({ sessionId: 'sess', sn: 1234 })
      // Clean close: numbering continues exactly where it stopped, so none is reused or skipped.
      expect(after.putMessage(channelMessage('v1')).number).toBe(second.number + 1)
      // A new alias continues below the ones already given.
      expect(after.numberFor('channel', '99999999999999999')).toBe(ownAlias - 1)
    })

    it('keeps a part re-linked after its echo was indexed alone', () => {
      const file = freshFile()
      const before = open(file)
      const logical = before.putMessage(channelMessage('send-1'))
      // The gateway echo of the second part arrives before the send finished linking it.
      const echo = before.putMessage(channelMessage('send-2'))
      before.flush()
      before.addParts('send-1', ['send-2'])
      expect(before.getMessage('send-2')?.number).toBe(logical.number)
      before.close()

      const after = open(file)
      expect(after.getMessage('send-2')).toMatchObject({
        number: logical.number,
        parts: ['send-1', 'send-2'],
      })
      expect(after.getMessageByNumber(echo.number)?.msgId).toBe('send-2')
    })

    it('ignores another id that shares the hash of a msg_id in the part index', () => {
      const file = freshFile()
      const before = open(file)
      before.putMessage(channelMessage('m1'))
      before.putMessage(channelMessage('m2'))
      before.close()
      const db = new Database(file)
      const key = db.prepare('SELECT part_key FROM message_parts WHERE part_id = ?').pluck().get('m1')
      db.prepare('INSERT INTO message_parts (bot, part_key, part_id, number) VALUES (?, ?, ?, ?)').run(
        'bot',
        key,
        'impostor',
        2,
      )
      db.close()
      const after = open(file)
      expect(after.getMessage('m1')?.number).toBe(1)
    })

    it('keeps a cleared session cleared', () => {
      const file = freshFile()
      const before = open(file)
      before.saveSession({ sessionId: 'sess', sn: 1 })
      before.flush()
      before.saveSession(undefined)
      before.close()
      expect(open(file).loadSession()).toBeUndefined()
    })

    it('never reuses a message number after a crash that lost unflushed messages', () => {
      const file = freshFile()
      const crashed = open(file, { reserveBlock: 50 })
      const lost = Array.from(
        { length: 60 },
        (_, i) => crashed.putMessage(channelMessage(`lost-${i}`)).number,
      )
      // Opening a second handle now, before the write-behind tick, sees exactly what a process
      // killed at this point would have left on disk.
      const restarted = open(file, { reserveBlock: 50 })
      const next = restarted.putMessage(channelMessage('after-crash')).number
      expect(next).toBeGreaterThan(Math.max(...lost))
      expect(restarted.getMessage('lost-0')).toBeUndefined()
    })

    it('keeps the bijection across restarts for pass-through ids in the alias window', () => {
      const file = freshFile()
      const before = open(file)
      expect(before.numberFor('channel', String(TOP))).toBe(TOP)
      before.close()
      const after = open(file)
      expect(after.numberFor('channel', BIG_CHANNEL)).toBe(TOP - 1)
      expect(after.idFor('channel', TOP)).toBe(String(TOP))
      expect(after.numberFor('channel', String(TOP))).toBe(TOP)
    })
  })

  it('keeps two bots in one file in separate id spaces', () => {
    const file = freshFile()
    const a = open(file, { bot: 'bot-a' })
    const b = open(file, { bot: 'bot-b' })
    expect(a.putMessage(channelMessage('a-1')).number).toBe(1)
    expect(b.putMessage(channelMessage('b-1')).number).toBe(1)
    expect(a.numberFor('channel', BIG_CHANNEL)).toBe(TOP)
    expect(b.numberFor('channel', '77777777777777777')).toBe(TOP)
    a.rememberChatCode('1', 'cc-a')
    a.saveSession({ sessionId: 'sa', sn: 5 })
    a.close()
    b.close()

    const a2 = open(file, { bot: 'bot-a' })
    const b2 = open(file, { bot: 'bot-b' })
    expect(a2.getMessage('b-1')).toBeUndefined()
    expect(b2.getMessageByNumber(1)?.msgId).toBe('b-1')
    expect(a2.idFor('channel', TOP)).toBe(BIG_CHANNEL)
    expect(b2.idFor('channel', TOP)).toBe('77777777777777777')
    expect(b2.chatCodeFor('1')).toBeUndefined()
    expect(b2.loadSession()).toBeUndefined()
    expect(a2.loadSession()).toEqual({ sessionId: 'sa', sn: 5 })
  })

  describe('write-behind', () => {
    it('writes within the flush window, not during the call', async () => {
      const file = freshFile()
      const store = open(file, { flushIntervalMs: 30 })
      store.putMessage(channelMessage('m1'))
      store.rememberChatCode('42', 'cc-42')
      const reader = new Database(file, { readonly: true })
      try {
        const count = () => reader.prepare('SELECT COUNT(*) FROM messages').pluck().get()
        expect(count()).toBe(0)
        expect(store.stats().pendingWrites).toBeGreaterThan(0)
        // Later changes join the same commit instead of each tick committing its own.
        await new Promise((resolve) => setImmediate(resolve))
        store.putMessage(channelMessage('m2'))
        expect(count()).toBe(0)
        // The writer thread commits the window after it ends (its first start takes a moment).
        await vi.waitFor(() => expect(count()).toBe(2), { timeout: 10_000 })
        expect(reader.prepare('SELECT chat_code FROM chat_codes').pluck().get()).toBe('cc-42')
        await vi.waitFor(() => expect(store.stats().pendingWrites).toBe(0))
      } finally {
        reader.close()
      }
    })

    it('commits a burst at the end of its tick once flushAfter changes wait', async () => {
      const file = freshFile()
      const store = open(file, { flushIntervalMs: 60_000, flushAfter: 10 })
      for (let i = 0; i < 20; i++) store.putMessage(channelMessage(`burst-${i}`))
      const reader = new Database(file, { readonly: true })
      try {
        expect(reader.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0)
        // Handed to the writer at the end of the tick, not after the 60 s window.
        await new Promise((resolve) => setImmediate(resolve))
        await vi.waitFor(
          () => expect(reader.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(20),
          {
            timeout: 10_000,
          },
        )
        await vi.waitFor(() => expect(store.stats().pendingWrites).toBe(0))
      } finally {
        reader.close()
      }
    })

    it('finds parts written before a restart, and numbers unseen ids without error', () => {
      const file = freshFile()
      const before = open(file)
      // Enough rows that the part-key filter on reopen is sized from the disk, not the minimum.
      for (let i = 0; i < 2_000; i++) before.putMessage(channelMessage(`old-${i}`))
      before.addParts('old-7', ['old-7-b'])
      before.close()
      const after = open(file)
      for (let i = 0; i < 2_000; i++) expect(after.getMessage(`old-${i}`)?.number).toBe(i + 1)
      expect(after.getMessage('old-7-b')?.number).toBe(8)
      expect(after.getMessage('never-seen')).toBeUndefined()
      expect(after.putMessage(channelMessage('new-1')).number).toBe(2_001)
      // Idempotent on a part that is only on disk (not in the memory cache of this process).
      expect(after.putMessage(channelMessage('old-1999')).number).toBe(2_000)
    })

    it('keeps all of 10k messages put in one burst then closed', () => {
      const file = freshFile()
      const store = open(file)
      for (let i = 0; i < 10_000; i++) {
        store.putMessage(channelMessage(`burst-${i}`, { body: `{"i":${i}}` }))
      }
      store.close()
      const reopened = open(file)
      for (let i = 0; i < 10_000; i++) {
        const record = reopened.getMessage(`burst-${i}`)
        expect(record?.number).toBe(i + 1)
        expect(record?.body).toBe(`{"i":${i}}`)
      }
      expect(reopened.getMessageByNumber(10_000)?.msgId).toBe('burst-9999')
    })

    it('reports a failed background flush, keeps the writes and fails flush() and close()', async () => {
      const file = freshFile()
      const errors: BridgeError[] = []
      const store = open(file, { onError: (error) => errors.push(error) })
      const saboteur = new Database(file)
      // chat_codes is read only at open, so only the write-behind flush trips over its absence.
      saboteur.exec('DROP TABLE chat_codes')
      saboteur.close()
      store.putMessage(channelMessage('m1'))
      store.rememberChatCode('42', 'cc-42')
      // Reported by the writer thread (its first start takes a moment).
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000 })
      expect(errors[0]?.code).toBe(ErrorCode.Internal)
      expect(store.stats().pendingWrites).toBeGreaterThan(0)
      expect(store.getMessage('m1')?.number).toBe(1)
      expect(store.chatCodeFor('42')).toBe('cc-42')
      expect(() => store.flush()).toThrow(BridgeError)
      expect(() => store.close()).toThrow(BridgeError)
    })

    it('writes on once the cause of a failed flush is gone', async () => {
      const file = freshFile()
      const errors: BridgeError[] = []
      const store = open(file, { onError: (error) => errors.push(error) })
      const saboteur = new Database(file)
      saboteur.exec('DROP TABLE chat_codes')
      store.putMessage(channelMessage('m1'))
      store.rememberChatCode('42', 'cc-42')
      await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000 })
      saboteur.exec(
        'CREATE TABLE chat_codes (bot TEXT NOT NULL, user_id TEXT NOT NULL, chat_code TEXT NOT NULL, PRIMARY KEY (bot, user_id)) WITHOUT ROWID',
      )
      saboteur.close()
      store.flush()
      expect(store.stats().pendingWrites).toBe(0)
      store.putMessage(channelMessage('m2'))
      store.close()
      const after = open(file)
      expect(after.getMessage('m1')?.number).toBe(1)
      expect(after.getMessage('m2')?.number).toBe(2)
      expect(after.chatCodeFor('42')).toBe('cc-42')
    })
  })

  describe('writer thread', () => {
    const tick = () => new Promise((resolve) => setImmediate(resolve))

    it('serves windows handed to the writer from memory until they are committed', async () => {
      const store = open(freshFile(), { cache: { messages: 2 }, flushAfter: 50 })
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 60; i++)
          store.putMessage(
            channelMessage(`r${round}-${i}`, { parts: [`r${round}-${i}`, `r${round}-${i}-b`] }),
          )
        // The burst was posted at the end of the tick; whether or not the writer has committed it
        // yet, every record must resolve (the cache holds only 2).
        await tick()
        for (let i = 0; i < 60; i++) {
          expect(store.getMessage(`r${round}-${i}-b`)?.number).toBe(round * 60 + i + 1)
          expect(store.getMessageByNumber(round * 60 + i + 1)?.msgId).toBe(`r${round}-${i}`)
        }
      }
    })

    it('close() waits for the windows in flight and the last one, and a restart sees them all', async () => {
      const file = freshFile()
      const store = open(file, { flushAfter: 100 })
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 150; i++)
          store.putMessage(channelMessage(`w${round}-${i}`, { body: `{"r":${round}}` }))
        await tick()
      }
      store.addParts('w0-0', ['w0-0-late'])
      store.putMessage(channelMessage('last'))
      store.close()
      const reopened = open(file)
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 150; i++) {
          expect(reopened.getMessage(`w${round}-${i}`)).toMatchObject({
            number: round * 150 + i + 1,
            body: `{"r":${round}}`,
          })
        }
      }
      expect(reopened.getMessage('w0-0-late')?.number).toBe(1)
      expect(reopened.getMessage('last')?.number).toBe(1_501)
      expect(reopened.putMessage(channelMessage('next')).number).toBe(1_502)
    })

    it('flush() returns with everything on disk', async () => {
      const file = freshFile()
      const store = open(file)
      for (let i = 0; i < 500; i++) store.putMessage(channelMessage(`f-${i}`))
      await tick()
      store.saveSession({ sessionId: 's', sn: 7 })
      store.flush()
      expect(store.stats().pendingWrites).toBe(0)
      const reader = new Database(file, { readonly: true })
      try {
        expect(reader.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(500)
        expect(reader.prepare('SELECT sn FROM sessions').pluck().get()).toBe(7)
      } finally {
        reader.close()
      }
    })

    it('has every number it hands out durably reserved, while the writer reserves ahead', async () => {
      const file = freshFile()
      const store = open(file, { reserveBlock: 100 })
      const reader = new Database(file, { readonly: true })
      try {
        const reserved = () =>
          reader
            .prepare("SELECT value FROM counters WHERE bot = 'bot' AND name = 'message'")
            .pluck()
            .get() as number
        for (let round = 0; round < 30; round++) {
          let last = 0
          for (let i = 0; i < 70; i++) last = store.putMessage(channelMessage(`n${round}-${i}`)).number
          // What a crash right now would leave: the next process starts at the reservation.
          expect(reserved()).toBeGreaterThan(last)
          await tick()
        }
      } finally {
        reader.close()
      }
    })
  })

  describe('memory bound', () => {
    it('evicts old messages from memory but still resolves them, pending or flushed', () => {
      const store = open(freshFile(), { cache: { messages: 10 } })
      store.putMessage(channelMessage('first', { parts: ['first', 'first-b'] }))
      for (let i = 0; i < 100; i++) store.putMessage(channelMessage(`filler-${i}`))
      expect(store.stats().cachedMessages).toBeLessThanOrEqual(10)
      // Not yet flushed: served from the write-behind queue.
      expect(store.getMessage('first-b')?.number).toBe(1)
      for (let i = 0; i < 20; i++) store.getMessage(`filler-${99 - i}`)
      store.flush()
      // Flushed and evicted again: served from disk.
      expect(store.getMessage('first-b')).toMatchObject({ number: 1, parts: ['first', 'first-b'] })
      expect(store.getMessageByNumber(2)?.msgId).toBe('filler-0')
      expect(store.putMessage(channelMessage('filler-0')).number).toBe(2)
      expect(store.stats().cachedMessages).toBeLessThanOrEqual(10)
    })

    it('bounds the bytes of cached bodies', () => {
      const store = open(freshFile(), { cache: { messages: 1_000, bytes: 100_000 } })
      const body = 'x'.repeat(10_000)
      for (let i = 0; i < 50; i++) store.putMessage(channelMessage(`big-${i}`, { body }))
      expect(store.stats().cachedBytes).toBeLessThanOrEqual(100_000)
      expect(store.stats().cachedMessages).toBeLessThan(10)
      expect(store.getMessage('big-0')?.body).toBe(body)
    })

    it('links a part to a message that was already evicted', () => {
      const store = open(freshFile(), { cache: { messages: 2 } })
      store.putMessage(channelMessage('old'))
      for (let i = 0; i < 5; i++) store.putMessage(channelMessage(`n-${i}`))
      store.flush()
      store.addParts('old', ['old-2'])
      store.flush()
      for (let i = 5; i < 10; i++) store.putMessage(channelMessage(`n-${i}`))
      expect(store.getMessage('old-2')).toMatchObject({ number: 1, parts: ['old', 'old-2'] })
    })
  })

  describe('file format', () => {
    it('uses WAL journal mode and records the schema version', () => {
      const file = freshFile()
      open(file).close()
      const db = new Database(file, { readonly: true })
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
        expect(db.prepare('SELECT version FROM schema_version').pluck().all()).toEqual([1])
      } finally {
        db.close()
      }
    })

    it('refuses a file written by a newer schema', () => {
      const file = freshFile()
      open(file).close()
      const db = new Database(file)
      db.prepare('UPDATE schema_version SET version = 99').run()
      db.close()
      expect(() => new SqliteStore({ file, bot: 'bot' })).toThrow(
        expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
      )
    })

    it('refuses a file that is not a database', () => {
      const file = freshFile()
      fs.writeFileSync(file, 'this is not sqlite, just some text that is long enough to have a header')
      expect(() => new SqliteStore({ file, bot: 'bot' })).toThrow(
        expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
      )
    })

    it('opens a file another bot already migrated', () => {
      const file = freshFile()
      const a = open(file, { bot: 'a' })
      const b = open(file, { bot: 'b' })
      expect(sortPeers(a.directPeers())).toEqual([])
      expect(b.putMessage(channelMessage('x')).number).toBe(1)
    })
  })
})
