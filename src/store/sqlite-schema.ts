/**
 * The SQLite schema of the store and its migrations. `schema_version` holds one row: the number of
 * migrations applied. Opening a file runs the missing migrations in one immediate transaction, so two
 * processes opening a fresh file at once cannot both migrate it. A file written by a newer kookbridge
 * (higher version) is refused rather than guessed at.
 *
 * Every table is keyed by `bot` first: several bots may share one file, each in its own id space.
 */
import type Database from 'better-sqlite3'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'

/** Migration `i` brings the schema from version `i` to `i + 1`. Append only; never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE counters (
    bot TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (bot, name)
  ) WITHOUT ROWID;

  CREATE TABLE aliases (
    bot TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    num INTEGER NOT NULL,
    PRIMARY KEY (bot, kind, id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX aliases_by_num ON aliases (bot, kind, num);

  CREATE TABLE messages (
    bot TEXT NOT NULL,
    number INTEGER NOT NULL,
    msg_id TEXT NOT NULL,
    scene TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT,
    chat_code TEXT,
    user_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    parts TEXT NOT NULL,
    body TEXT,
    PRIMARY KEY (bot, number)
  );

  -- KOOK msg_ids are random UUIDs, so every new one lands on a random page of its index, and each
  -- such page is rewritten at the next commit. Indexing a 53-bit hash instead of the 36-character
  -- text keeps that index about 4x smaller (measured: write cost per message halved); the table
  -- itself is append-only (rowid order) and holds the full id, which lookups compare.
  CREATE TABLE message_parts (
    bot TEXT NOT NULL,
    part_key INTEGER NOT NULL,
    part_id TEXT NOT NULL,
    number INTEGER NOT NULL
  );
  CREATE INDEX message_parts_by_key ON message_parts (bot, part_key);

  CREATE TABLE sessions (
    bot TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL,
    sn INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE chat_codes (
    bot TEXT NOT NULL,
    user_id TEXT NOT NULL,
    chat_code TEXT NOT NULL,
    PRIMARY KEY (bot, user_id)
  ) WITHOUT ROWID;
  `,
]

/** The version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

function readVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined
  return row?.version ?? 0
}

/** Brings `db` to `SCHEMA_VERSION`; returns the version found before. */
export function migrateSchema(db: Database.Database, file: string): number {
  const migrate = db.transaction(() => {
    const found = readVersion(db)
    if (found > SCHEMA_VERSION) {
      throw new BridgeError(
        ErrorCode.ConfigInvalid,
        `${file} has store schema version ${found}, newer than this kookbridge understands (${SCHEMA_VERSION}); upgrade kookbridge or use another data directory`,
        { details: { file, found, supported: SCHEMA_VERSION } },
      )
    }
    for (let version = found; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] ?? '')
    }
    if (found !== SCHEMA_VERSION) {
      db.prepare('DELETE FROM schema_version').run()
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION)
    }
    return found
  })
  return migrate.immediate()
}
