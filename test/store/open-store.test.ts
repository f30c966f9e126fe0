import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors/bridge-error.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { openStore } from '../../src/store/open-store.js'
import { SqliteStore } from '../../src/store/sqlite-store.js'
import { channelMessage } from './bridge-store.contract.js'

let dir: string

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kookbridge-open-store-'))
})

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('openStore', () => {
  it('opens the in-memory store for location "memory"', () => {
    const store = openStore({ location: 'memory', bot: 'bot' })
    expect(store).toBeInstanceOf(MemoryStore)
    store.close()
  })

  it('creates a missing data directory and persists there', () => {
    const file = path.join(dir, 'data', 'nested', 'kookbridge.sqlite')
    const store = openStore({ location: { file }, bot: 'bot' })
    expect(store).toBeInstanceOf(SqliteStore)
    store.putMessage(channelMessage('m1'))
    store.close()
    expect(fs.existsSync(file)).toBe(true)
    const reopened = openStore({ location: { file }, bot: 'bot' })
    expect(reopened.getMessage('m1')?.number).toBe(1)
    reopened.close()
  })

  it('reports a data directory that cannot be created as CONFIG_INVALID', () => {
    const blocker = path.join(dir, 'a-file')
    fs.writeFileSync(blocker, '')
    expect(() => openStore({ location: { file: path.join(blocker, 'store.sqlite') }, bot: 'bot' })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    )
  })
})
