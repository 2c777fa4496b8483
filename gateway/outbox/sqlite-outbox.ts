import { statSync } from 'node:fs'
import type { Log } from '../model/log.js'
import type { DataRecord } from '../model/value.js'
import type { Outbox, OutboxEntry, OutboxStats } from './outbox.js'
import { decodeRecordMetrics } from './record-codec.js'
import { DiskSync } from './sqlite-checkpoint.js'
import { CheckpointHold } from './sqlite-hold.js'
import { isCorruption, moveAside } from './sqlite-open.js'
import { MemorySpill } from './sqlite-spill.js'
import { openStore, type Row, type Store } from './sqlite-store.js'

/**
 * How long an added record may wait in the open transaction before it is committed. 200 ms bounds
 * the loss on a `kill -9` to a fifth of a second of readings (less than one typical poll cycle),
 * and on a power cut to that plus one fsync of the disk, while capping commits, and so WAL fsyncs
 * on an SD card, at 5 per second however many readings arrive.
 */
export const defaultCommitIntervalMs = 200

/** The smallest `maxSizeBytes`: the schema, a WAL reserve and room for a few records. */
export const minSqliteOutboxBytes = 256 * 1024

/** After a full disk caps the buffer at its current size, how often to try growing it again. */
const diskFullRetryMs = 60_000

/**
 * Records kept in memory while the file cannot take them: a few minutes of a typical node's
 * readings during an outage, a few MiB of RAM.
 */
export const spillRecords = 10_000

export interface SqliteOutboxOptions {
  /** The database file; its directory is created when missing. */
  readonly path: string
  /** Cap on the size on disk, main file plus WAL, in bytes; at least `minSqliteOutboxBytes`. */
  readonly maxSizeBytes: number
  /** At the cap: delete the oldest records, or refuse the new one. Either way they are counted. */
  readonly whenFull: 'drop-oldest' | 'drop-newest'
  /**
   * `power`: the WAL is fsynced after every commit (in the thread pool, never on the event loop).
   * `process`: survives a crash of the process; a power cut may lose recent records, never the file.
   */
  readonly durability: 'power' | 'process'
  /** Longest time a record waits before its commit; `defaultCommitIntervalMs` when absent. */
  readonly commitIntervalMs?: number
  /** Receives the warn and error lines (file moved aside, write failures). */
  readonly log: Log
  /** Test hook: SQLite's max_page_count, which makes writes fail with SQLITE_FULL as a full disk does. */
  readonly maxPageCount?: number
}

/**
 * The outbox in an SQLite database (WAL). `add` writes into an open transaction that commits at
 * most `commitIntervalMs` later (earlier when the batch grows large, and at `stats` and `close`), so
 * a record is durable within the commit interval of `add` returning rather than on return: a power
 * cut (`durability: 'power'`) or a `kill -9` loses at most the records of the last interval, and
 * nothing committed. `peek` and `ack` work inside the open batch, so a pump that peeks after every
 * add does not turn each reading into an fsync; an ack lost that way only replays a record again.
 * Write failures (disk full, I/O errors) never throw: the records the file cannot take wait in
 * memory (`spillRecords`, lost at stop), one line is logged per episode, and a corrupt file is
 * moved aside and replaced. The event loop never waits on the disk (sqlite-checkpoint.ts): while a
 * checkpoint is on its way to the disk, new records and acknowledgements wait in memory and are
 * written once it is.
 */
export interface SqliteOutbox extends Outbox {
  /** Why writes fail at the moment (disk full, read-only, no database after a failed replace), or null. */
  writeError(): string | null
  /** Resolves once every record committed so far is on the disk, whatever the durability. */
  flushed(): Promise<void>
}

export function createSqliteOutbox(options: SqliteOutboxOptions): SqliteOutbox {
  const { path, log, whenFull } = options
  if (options.maxSizeBytes < minSqliteOutboxBytes) {
    throw new RangeError(`buffer.maxSize must be at least ${minSqliteOutboxBytes} bytes (256KiB), got ${options.maxSizeBytes}`)
  }
  const interval = options.commitIntervalMs ?? defaultCommitIntervalMs
  // The WAL gets a quarter of the cap (128 KiB to 4 MiB). SQLite checkpoints it at a quarter of
  // that and a batch commits early at a sixteenth of it: one transaction also rewrites index,
  // interior and freelist pages (more when it drops old records), and must fit in what is left.
  const walLimit = Math.min(Math.max(Math.floor(options.maxSizeBytes / 4), 128 * 1024), 4 * 1024 * 1024)
  const batchBytes = Math.floor(walLimit / 16)
  const checkpointBytes = Math.floor(walLimit / 4)

  let store: Store | null = openStore(path, options)
  let disk: DiskSync = diskSyncOf()
  const pageSize = store.pageSize
  const maxPages = Math.floor((options.maxSizeBytes - walLimit) / pageSize)
  // Below maxPages while the disk is full: the whenFull policy then reuses the pages the file has.
  let budgetPages = maxPages
  let diskFullAt = 0
  let count = store.sql.count.get() as number
  let nextId = (store.sql.lastId.get() as number) + 1
  let dropped = 0
  // The open transaction's records not yet acknowledged: kept in memory when it cannot commit.
  let batch: OutboxEntry[] = []
  // Records the open transaction deleted to stay under the cap; a rollback brings them back.
  let batchRemoved = 0
  let pendingBytes = 0
  let pendingAcks = 0
  // Pages known to be available without asking SQLite again: a conservative running estimate.
  let headroom = 0
  let timer: NodeJS.Timeout | null = null
  // The current episode of write failures, logged when it starts and when it ends. For a full disk
  // it ends only once the file has grown past `fullPages` again.
  let failing: { spilled: number; fullPages: number | null; reason: string } | null = null
  let closed = false
  // Why `store` is null while open: the corrupt file could not be replaced.
  let noStore: string | null = null
  const spill = new MemorySpill(spillRecords, whenFull)
  const hold = new CheckpointHold(spillRecords, whenFull)

  function diskSyncOf(): DiskSync {
    return new DiskSync(path, options.durability, checkpointBytes, log, {
      checkpoint() {
        try {
          store?.db.pragma('wal_checkpoint(PASSIVE)')
        } catch (err) {
          lose(err, null)
        }
      },
      release() {
        const s = store
        const { acked, records } = hold.release()
        if (!s || closed) return
        ack(acked)
        for (let i = 0; i < records.length; i++) {
          // Writing them may start the next checkpoint: the rest wait for that one.
          if (disk.holding) return hold.keep(records.slice(i))
          write(s, records[i]!)
        }
      },
    })
  }

  /** Holds records the file could not take; returns how many the spill's bound dropped. */
  function toMemory(entries: readonly OutboxEntry[]): number {
    let lost = 0
    for (const entry of entries) lost += spill.add(entry)
    dropped += lost
    return lost
  }

  function resetBatch(): void {
    batch = []
    batchRemoved = 0
    pendingBytes = 0
    pendingAcks = 0
  }

  function begin(s: Store): void {
    if (s.db.inTransaction) return
    s.db.exec('BEGIN')
    timer = setTimeout(() => commit(), interval)
    timer.unref()
  }

  /** Commits the open batch; returns the records dropped when that fails. */
  function commit(): number {
    if (timer) clearTimeout(timer)
    timer = null
    if (!store?.db.inTransaction) return 0
    try {
      store.db.exec('COMMIT')
      store.dict.committed()
      resetBatch()
      disk.committed()
      if (disk.holding) hold.begin(nextId)
      if (failing && (failing.fullPages === null || (store.sql.pageCount.get() as number) > failing.fullPages)) {
        log.info('buffer writes succeed again', { path, keptInMemory: failing.spilled })
        failing = null
      }
      return 0
    } catch (err) {
      return lose(err, null)
    }
  }

  /**
   * Rolls back the open batch after a write error and keeps its records (and `extra`, the record
   * being added) in memory; returns the records dropped.
   */
  function lose(err: unknown, extra: OutboxEntry | null): number {
    if (timer) clearTimeout(timer)
    timer = null
    const unwritten = extra === null ? batch : [...batch, extra]
    if (store && isCorruption(err)) return replaceCorrupt(err, unwritten)
    dropped -= batchRemoved
    resetBatch()
    headroom = 0
    const code = (err as { code?: string }).code ?? 'unknown'
    let fullPages: number | null = null
    if (store) {
      try {
        if (store.db.inTransaction) store.db.exec('ROLLBACK')
        store.dict.rolledBack()
        count = store.sql.count.get() as number
        if (code === 'SQLITE_FULL') {
          fullPages = store.sql.pageCount.get() as number
          budgetPages = Math.min(maxPages, fullPages)
          diskFullAt = Date.now()
        }
      } catch {
        // The next write reports the same condition; the counters stay as they were.
      }
    }
    const reason = err instanceof Error ? err.message : String(err)
    if (failing) {
      failing.spilled += unwritten.length
      failing.reason = reason
    } else {
      failing = { spilled: unwritten.length, fullPages, reason }
      const disk = code === 'SQLITE_FULL' ? 'disk full; the file keeps its current size, ' : ''
      log.error(`cannot write the buffer database (${disk}records wait in memory, up to ${spillRecords}, and live data keeps flowing)`, {
        path, code, reason, keptInMemory: unwritten.length,
      })
    }
    return toMemory(unwritten)
  }

  /** Every committed record is lost with the file; the open batch's records are kept in memory. */
  function replaceCorrupt(err: unknown, unwritten: readonly OutboxEntry[]): number {
    const lost = count - batch.length
    dropped += lost
    resetBatch()
    headroom = 0
    count = 0
    try {
      store?.db.close()
    } catch {
      // Closing a corrupt database can fail too; the file is moved aside regardless.
    }
    store = null
    disk.close()
    const waiting = hold.clear()
    try {
      moveAside(path, log, err)
      store = openStore(path, options)
      disk = diskSyncOf()
    } catch (again) {
      noStore = again instanceof Error ? again.message : String(again)
      log.error('cannot replace the corrupt buffer database; records wait in memory until restart', { path, reason: noStore })
    }
    return lost + toMemory([...unwritten, ...waiting])
  }

  /** Makes room for a row of `bytes` under the cap; says how many records that dropped and whether it fits. */
  function makeRoom(s: Store, bytes: number): { removed: number; fits: boolean } {
    // A row may take its overflow pages plus a split of a table leaf and an index leaf.
    const need = Math.ceil(bytes / (pageSize - 64)) + 3
    if (headroom >= need) {
      headroom -= need
      return roomy
    }
    if (budgetPages < maxPages && Date.now() - diskFullAt >= diskFullRetryMs) budgetPages = maxPages
    let removed = 0
    for (;;) {
      const room = budgetPages - (s.sql.pageCount.get() as number) + (s.sql.freePages.get() as number)
      if (room >= need) {
        headroom = room - need
        return { removed, fits: true }
      }
      if (whenFull === 'drop-newest' || count === 0) return { removed, fits: false }
      // A hundredth of the backlog per step: whole leaf pages must empty before pages are freed.
      const gone = s.sql.dropOldest.run(Math.max(16, Math.ceil(count / 100))).changes
      count -= gone
      removed += gone
    }
  }

  function ack(ids: readonly number[]): void {
    const s = store
    if (closed || ids.length === 0) return
    const inMemory = spill.size > 0 || batch.length > 0 || hold.records.size > 0 || disk.holding
    // A drain acknowledges thousands of rows at a time: the set only when memory holds records too.
    const gone = inMemory ? new Set(ids) : null
    if (gone && (spill.size > 0 || batch.length > 0)) {
      spill.ack(gone)
      batch = batch.filter((e) => !gone.has(e.id))
    }
    if (!s) return
    if (gone && (disk.holding || hold.records.size > 0)) hold.ack(ids, gone)
    if (disk.holding) return
    try {
      begin(s)
      for (const id of ids) count -= s.sql.remove.run(id).changes
      pendingAcks += ids.length
      // A drain acks faster than the timer can fire; bound the transaction (and WAL) it builds.
      if (pendingAcks >= acksPerBatch) commit()
    } catch (err) {
      lose(err, null)
    }
  }

  /** Writes `entry` into the open batch (opening one); returns how many records that dropped. */
  function write(s: Store, entry: OutboxEntry): number {
    try {
      begin(s)
      const device = s.dict.deviceIdOf(entry.deviceId)
      const blob = s.encode(entry.at, entry.metrics)
      const { removed, fits } = makeRoom(s, blob.length)
      dropped += removed
      batchRemoved += removed
      if (!fits) {
        // No room because the disk is full, not because of the cap: the record waits in memory.
        if (budgetPages < maxPages) return removed + toMemory([entry])
        dropped++
        return removed + 1
      }
      s.sql.insert.run(entry.id, device, entry.at, blob)
      count++
      batch.push(entry)
      pendingBytes += blob.length
      return pendingBytes >= batchBytes ? removed + commit() : removed
    } catch (err) {
      return lose(err, entry)
    }
  }

  /** Up to `limit` rows of the file after `after`, of `devices` when given, oldest first. */
  function readRows(s: Store, limit: number, after: number, devices: ReadonlySet<string | null> | undefined): Row[] {
    const wanted = devices ? s.dict.knownDevices(devices) : null
    if (!wanted || wanted.length === s.dict.deviceCount) return s.sql.peekAll.all(after, limit) as Row[]
    // One index range per device, merged: a held-back device's backlog is never scanned.
    const rows = wanted.flatMap((device) => s.sql.peekDevice.all(device, after, limit) as Row[])
    rows.sort((a, b) => a.id - b.id)
    rows.length = Math.min(rows.length, limit)
    return rows
  }

  /** Up to `limit` records of the file after `after`; undecodable rows are dropped, counted and logged. */
  function peekFile(s: Store, limit: number, after: number, devices: ReadonlySet<string | null> | undefined): OutboxEntry[] {
    const entries: OutboxEntry[] = []
    const unreadable: number[] = []
    // Rows acknowledged while a checkpoint holds writes are still in the file: skipped, and read past.
    for (let cursor = after; entries.length < limit; ) {
      const want = limit - entries.length
      let rows: Row[]
      try {
        rows = readRows(s, want, cursor, devices)
      } catch (err) {
        lose(err, null)
        return []
      }
      for (const row of rows) {
        if (hold.hides(row.id)) continue
        try {
          const metrics = decodeRecordMetrics(row.metrics, row.at, s.dict)
          entries.push({ id: row.id, deviceId: s.dict.deviceOf(row.device) ?? null, at: row.at, metrics })
        } catch (err) {
          // A row that cannot be decoded would block the replay forever: drop it, loudly.
          log.error('dropped an unreadable buffer record', { path, id: row.id, reason: err instanceof Error ? err.message : String(err) })
          unreadable.push(row.id)
        }
      }
      if (rows.length < want) break
      cursor = rows.at(-1)!.id
    }
    if (unreadable.length > 0) {
      dropped += unreadable.length
      ack(unreadable)
    }
    return entries
  }

  return {
    add(record: DataRecord): number {
      const s = store
      if (closed) {
        dropped++
        return 1
      }
      const entry: OutboxEntry = { ...record, id: nextId++ }
      if (!s) return toMemory([entry])
      if (disk.holding) {
        const lost = hold.records.add(entry)
        dropped += lost
        return lost
      }
      return write(s, entry)
    },

    peek(limit, opts = {}): OutboxEntry[] {
      const s = store
      if (closed || limit <= 0) return []
      const after = opts.afterId ?? 0
      const fromFile = s ? peekFile(s, limit, after, opts.devices) : []
      if (spill.size === 0 && hold.records.size === 0) return fromFile
      // Each list holds the first `limit` of its kind by id, so their merge holds the first of all.
      const merged = [...fromFile, ...spill.peek(limit, after, opts.devices), ...hold.records.peek(limit, after, opts.devices)]
      merged.sort((a, b) => a.id - b.id)
      merged.length = Math.min(merged.length, limit)
      return merged
    },

    ack,

    drop(ids) {
      dropped += ids.length
      ack(ids)
    },

    stats(): OutboxStats {
      commit()
      const s = store
      let bytes = 0
      let oldestAt: number | null = null
      if (s && !closed) {
        try {
          bytes = (s.sql.pageCount.get() as number) * pageSize + walBytes(path)
          oldestAt = (s.sql.oldestAt.get() as number | undefined) ?? null
        } catch (err) {
          lose(err, null)
        }
      }
      for (const memoryAt of [spill.oldestAt, hold.records.oldestAt]) {
        if (memoryAt !== null && (oldestAt === null || memoryAt < oldestAt)) oldestAt = memoryAt
      }
      return { records: closed ? 0 : count - hold.hiddenRows + spill.size + hold.records.size, bytes, oldestAt, dropped, nextId }
    },

    writeError: () => (closed ? null : store === null ? noStore : failing?.reason ?? null),

    async flushed() {
      for (;;) {
        commit()
        if (closed || !disk.holding) break
        await disk.checkpointed()
      }
      await disk.flushed()
    },

    close() {
      if (closed) return
      try {
        disk.finishNow()
      } catch (err) {
        lose(err, null)
        toMemory(hold.clear())
      }
      commit()
      closed = true
      disk.close()
      try {
        // Closing checkpoints the WAL and deletes it: with FULL that checkpoint reaches the disk first.
        store?.db.pragma('synchronous = FULL')
        store?.db.close()
      } catch (err) {
        log.error('cannot close the buffer database cleanly; the next start recovers it from its WAL', { path, reason: err instanceof Error ? err.message : String(err) })
        store?.db.close()
      }
      store = null
      const unsaved = spill.clear()
      if (unsaved > 0) {
        dropped += unsaved
        log.warn('records kept in memory because the buffer file could not take them are lost at stop', { path, records: unsaved })
      }
    },
  }
}

/** Acknowledged records that make a batch commit early, about 30 pages of table and index. */
const acksPerBatch = 2000

const roomy = { removed: 0, fits: true }

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size
  } catch {
    return 0
  }
}
