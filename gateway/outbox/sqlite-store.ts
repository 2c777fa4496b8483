/**
 * An open outbox database with what the outbox needs beside it: the dictionary of metric keys and
 * devices, the row encoder, and every statement, prepared once.
 */
import type Database from 'better-sqlite3'
import type { Log } from '../model/log.js'
import type { DataRecord } from '../model/value.js'
import { createRecordEncoder } from './record-codec.js'
import type { FilePages } from './sqlite-budget.js'
import { loadDictionary, type Dictionary } from './sqlite-dictionary.js'
import { openOutboxDatabase, type OpenOptions } from './sqlite-open.js'

/** A row of the records table as better-sqlite3 returns it. */
export interface Row {
  /** The outbox entry id, which is also the rowid. */
  readonly id: number
  /** Device id from the dictionary; 0 is the node. */
  readonly device: number
  /** The record's `at`, UTC ms. */
  readonly at: number
  /** The encoded metrics (record-codec.ts). */
  readonly metrics: Buffer
}

export interface Store {
  /** The connection; only the outbox uses it (exclusive locking). */
  readonly db: Database.Database
  /** Metric keys and devices by id. */
  readonly dict: Dictionary
  /** Encodes a record's metrics into its row blob, creating dictionary keys as needed. */
  readonly encode: (at: number, metrics: DataRecord['metrics']) => Buffer
  /** The prepared statements. */
  readonly sql: ReturnType<typeof prepare>
  /** SQLite page size in bytes, the unit of the size cap. */
  readonly pageSize: number
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO records (id, device, at, metrics) VALUES (?, ?, ?, ?)'),
    insertOrIgnore: db.prepare('INSERT OR IGNORE INTO records (id, device, at, metrics) VALUES (?, ?, ?, ?)'),
    removeSized: db.prepare('DELETE FROM records WHERE id = ? RETURNING length(metrics)').pluck(),
    dropFirstSized: db.prepare('DELETE FROM records WHERE id = (SELECT min(id) FROM records) RETURNING length(metrics)').pluck(),
    bytes: db.prepare('SELECT coalesce(sum(length(metrics)), 0) FROM records').pluck(),
    peekAll: db.prepare('SELECT id, device, at, metrics FROM records WHERE id > ? ORDER BY id LIMIT ?'),
    peekDevice: db.prepare('SELECT id, device, at, metrics FROM records WHERE device = ? AND id > ? ORDER BY id LIMIT ?'),
    remove: db.prepare('DELETE FROM records WHERE id = ?'),
    idsBetween: db.prepare('SELECT id FROM records WHERE id BETWEEN ? AND ?').pluck(),
    dropOldest: db.prepare('DELETE FROM records WHERE id IN (SELECT id FROM records ORDER BY id LIMIT ?)'),
    oldestAt: db.prepare('SELECT at FROM records ORDER BY id LIMIT 1').pluck(),
    count: db.prepare('SELECT count(*) FROM records').pluck(),
    lastId: db.prepare("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0), coalesce((SELECT max(id) FROM records), 0))").pluck(),
    pageCount: db.prepare('PRAGMA page_count').pluck(),
    freePages: db.prepare('PRAGMA freelist_count').pluck(),
  }
}

/** Opens the database at `path` (see `openOutboxDatabase`) and loads its dictionary. */
export function openStore(path: string, options: OpenOptions): Store {
  const db = openOutboxDatabase(path, options)
  const dict = loadDictionary(db)
  const pageSize = db.pragma('page_size', { simple: true }) as number
  return { db, dict, encode: createRecordEncoder(dict), sql: prepare(db), pageSize }
}

/** Up to `limit` rows after `after`, of `devices` when given, oldest first. */
export function readRows(s: Store, limit: number, after: number, devices: ReadonlySet<string | null> | undefined): Row[] {
  const wanted = devices ? s.dict.knownDevices(devices) : null
  if (!wanted || wanted.length === s.dict.deviceCount) return s.sql.peekAll.all(after, limit) as Row[]
  // One index range per device, merged: a held-back device's backlog is never scanned.
  const rows = wanted.flatMap((device) => s.sql.peekDevice.all(device, after, limit) as Row[])
  rows.sort((a, b) => a.id - b.id)
  rows.length = Math.min(rows.length, limit)
  return rows
}

/**
 * Rolls back the open transaction after a failed write: the rows the file has now and, after a
 * full disk (`full`), its size in pages; null when that fails too (the next write reports it again).
 */
export function rollBack(s: Store, full: boolean): { count: number; fullPages: number | null } | null {
  try {
    if (s.db.inTransaction) s.db.exec('ROLLBACK')
    s.dict.rolledBack()
    return { count: s.sql.count.get() as number, fullPages: full ? (s.sql.pageCount.get() as number) : null }
  } catch {
    return null
  }
}

/** The page counts and the oldest-first delete the size budget works with. */
export function filePages(s: Store): FilePages {
  return {
    used: () => s.sql.pageCount.get() as number,
    free: () => s.sql.freePages.get() as number,
    dropOldest: (records) => s.sql.dropOldest.run(records).changes,
  }
}

/** Closes the database; the checkpoint that closing makes reaches the disk first. */
export function closeStore(s: Store, log: Log, path: string): void {
  try {
    // Closing checkpoints the WAL and deletes it: with FULL that checkpoint reaches the disk first.
    s.db.pragma('synchronous = FULL')
    s.db.close()
  } catch (err) {
    log.error('cannot close the buffer database cleanly; the next start recovers it from its WAL', { path, reason: err instanceof Error ? err.message : String(err) })
    s.db.close()
  }
}
