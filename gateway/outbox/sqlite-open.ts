/**
 * Opens the outbox database: WAL without SQLite's own fsyncs, the schema, and recovery from a file that
 * is not (or no longer) a readable database, which is moved aside so the gateway keeps running.
 */
import Database from 'better-sqlite3'
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Log } from '../model/log.js'
import { makePrivateDir } from '../base/private-dir.js'

type Db = Database.Database

/** Bumped when the table layout changes; a file with another version is moved aside. */
const schemaVersion = 1

const schema = `
  CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device INTEGER NOT NULL,
    at INTEGER NOT NULL,
    metrics BLOB NOT NULL
  );
  CREATE INDEX IF NOT EXISTS records_by_device ON records (device, id);
  CREATE TABLE IF NOT EXISTS metric_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, UNIQUE (name, type));
  CREATE TABLE IF NOT EXISTS devices (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
`

export interface OpenOptions {
  /** Test hook: SQLite's max_page_count, which fails writes with SQLITE_FULL like a full disk. */
  readonly maxPageCount?: number
  /** Where moving a corrupt file aside is reported. */
  readonly log: Log
}

/** True for the errors that mean the file's content is unusable (as opposed to the disk or permissions). */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/**
 * Opens (creating when absent) the outbox database at `path`. A garbage or corrupt file is renamed
 * to `<path>.corrupt-<ISO time>` (its WAL alongside) and a new database is started in its place.
 */
export function openOutboxDatabase(path: string, options: OpenOptions): Db {
  makePrivateDir(dirname(path), 'buffer.path')
  try {
    return openOnce(path, options)
  } catch (err) {
    if (!isCorruption(err) && !(err instanceof ForeignSchema)) throw cannotOpen(path, err)
    moveAside(path, options.log, err)
    try {
      return openOnce(path, options)
    } catch (again) {
      throw cannotOpen(path, again)
    }
  }
}

/** Renames the database at `path` (and its WAL) out of the way; a fresh one can then be created. */
export function moveAside(path: string, log: Log, reason: unknown): string {
  const aside = `${path}.corrupt-${new Date().toISOString()}`
  renameSync(path, aside)
  if (existsSync(`${path}-wal`)) renameSync(`${path}-wal`, `${aside}-wal`)
  log.warn('buffer database is unreadable; moved it aside and started an empty buffer', {
    path, movedTo: aside, reason: reason instanceof Error ? reason.message : String(reason),
  })
  rmSync(`${path}-shm`, { force: true })
  return aside
}

class ForeignSchema extends Error {}

function openOnce(path: string, options: OpenOptions): Db {
  // SQLite creates the WAL with the database file's mode, so a 0600 file keeps both private.
  closeSync(openSync(path, 'a', 0o600))
  chmodSync(path, 0o600)
  const db = new Database(path, { timeout: 0 })
  try {
    // Exclusive locking: a second gateway on the same file fails at open instead of stalling, and
    // WAL needs no -shm file. It must be set before the first access to the file.
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    // SQLite never waits on the disk itself: the outbox fsyncs the WAL and the main file in the
    // thread pool and checkpoints when they are on the disk (sqlite-checkpoint.ts). A WAL cut back
    // to nothing at each restart makes its size the measure of what the next checkpoint copies.
    db.pragma('synchronous = OFF')
    db.pragma('wal_autocheckpoint = 0')
    db.pragma('journal_size_limit = 0')
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`)
    const version = db.pragma('user_version', { simple: true }) as number
    if (version !== 0 && version !== schemaVersion) {
      throw new ForeignSchema(`unknown buffer format version ${version} (expected ${schemaVersion})`)
    }
    db.exec(schema)
    if (version === 0) db.pragma(`user_version = ${schemaVersion}`)
    // Reading every table here surfaces corruption now, when it can still be moved aside cleanly.
    db.prepare('SELECT count(*) FROM records').pluck().get()
    db.prepare('SELECT count(*) FROM metric_keys').pluck().get()
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function cannotOpen(path: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err)
  return new Error(
    `cannot open the buffer database ${path}: ${reason}. Check that its directory is writable by the gateway ` +
      'and that no other gateway process uses the same buffer.path',
  )
}
