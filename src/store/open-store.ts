/**
 * Opens the store a bot is configured with: the in-memory one for tests and the demo, otherwise a
 * SQLite file, creating its data directory on first run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { BridgeStore, StoreOptions } from './bridge-store.js'
import { MemoryStore } from './memory-store.js'
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js'

export function openStore(options: StoreOptions): BridgeStore {
  const { location, ...rest } = options
  if (location === 'memory') return new MemoryStore()
  const dir = path.dirname(location.file)
  try {
    fs.mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw new BridgeError(ErrorCode.ConfigInvalid, `cannot create data directory ${dir}: ${String(error)}`, {
      cause: error,
      details: { file: location.file, dir },
    })
  }
  const sqliteOptions: SqliteStoreOptions = { ...rest, file: location.file }
  return new SqliteStore(sqliteOptions)
}
