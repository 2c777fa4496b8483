import type { DataRecord } from '../model/value.js'
import type { Outbox, OutboxEntry, OutboxStats } from './outbox.js'
import { BufferFile } from './sqlite-file.js'
import { CheckpointHold } from './sqlite-hold.js'
import { spillRecords, walSizes, type SqliteOutboxOptions } from './sqlite-options.js'
import { mergeEntries } from './sqlite-read.js'
import { RuntimeSpill } from './runtime-spill.js'
import { openStore } from './sqlite-store.js'

export { defaultCommitIntervalMs, minSqliteOutboxBytes, spillRecords, type SqliteOutboxOptions } from './sqlite-options.js'

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
  /** Where records the file cannot take are kept, for the log. */
  keptIn(): string
}

/**
 * The buffer file (sqlite-file.ts) with the two places records wait beside it: the spill, for
 * records the file cannot take, and the checkpoint hold, for what arrives while a checkpoint goes
 * to the disk. Records go to the file whenever it takes them; `peek` serves all three in id order.
 */
export function createSqliteOutbox(options: SqliteOutboxOptions): SqliteOutbox {
  const { log, whenFull } = options
  walSizes(options.maxSizeBytes)
  const store = options.withoutFile === undefined ? openStore(options.path, options) : null
  const spill = new RuntimeSpill(options.runtimeDir, whenFull, log, spillRecords)
  const hold = new CheckpointHold(spillRecords, whenFull)
  const tally = { dropped: 0 }
  let closed = false
  // The spill goes back into the file once a checkpoint has released writes.
  let restorePending = false

  const file: BufferFile = new BufferFile(store, options, spill, tally, {
    holding: () => hold.begin(nextId),
    released,
    recovered: restoreSpill,
    replaced: () => hold.clear(),
  })
  let nextId = Math.max(file.lastId, spill.lastId) + 1

  /** The checkpoint is on the disk: acknowledgements and records held meanwhile go into the file. */
  function released(): void {
    const { acked, records } = hold.release()
    if (!file.open || closed) return
    ack(acked)
    for (let i = 0; i < records.length; i++) {
      // Writing them may start the next checkpoint: the rest wait for that one.
      if (file.holding) return hold.keep(records.slice(i))
      file.write(records[i]!)
    }
    if (restorePending) restoreSpill()
  }

  /**
   * Moves the spilled records into the file once it takes writes again (at start, or when a full
   * disk has room). A record leaves the spill only once the file has it committed, or the file's
   * size cap dropped it (counted), so a crash in between finds it in both and the file's copy wins.
   */
  function restoreSpill(): void {
    restorePending = false
    if (!file.open || closed || file.failing || spill.size === 0) return
    if (file.holding) {
      restorePending = true
      return
    }
    const entries = spill.all()
    const { tried, settled } = file.takeBack(entries)
    if (tried === 0) return
    spill.ack(settled)
    if (tried < entries.length) restorePending = true
  }

  function ack(ids: readonly number[]): void {
    if (closed || ids.length === 0) return
    const inMemory = spill.size > 0 || file.batched > 0 || hold.records.size > 0 || file.holding
    // A drain acknowledges thousands of rows at a time: the set only when memory holds records too.
    const gone = inMemory ? new Set(ids) : null
    if (gone && (spill.size > 0 || file.batched > 0)) {
      spill.ack(gone)
      file.forget(gone)
    }
    if (!file.open) return
    if (gone && (file.holding || hold.records.size > 0)) hold.ack(ids, gone)
    file.remove(ids)
  }

  restoreSpill()
  return {
    add(record: DataRecord): number {
      if (closed) {
        tally.dropped++
        return 1
      }
      const entry: OutboxEntry = { ...record, id: nextId++ }
      if (!file.open) return file.keep([entry])
      if (file.holding) {
        const lost = hold.records.add(entry)
        tally.dropped += lost
        return lost
      }
      return file.write(entry)
    },

    peek(limit, opts = {}): OutboxEntry[] {
      if (closed || limit <= 0) return []
      const range = { limit, after: opts.afterId ?? 0, devices: opts.devices }
      const { entries, unreadable } = file.read(range, (id) => hold.hides(id))
      if (unreadable.length > 0) {
        tally.dropped += unreadable.length
        ack(unreadable)
      }
      if (spill.size === 0 && hold.records.size === 0) return entries
      // Each list holds the first `limit` of its kind by id, so their merge holds the first of all.
      return mergeEntries(limit, [entries, spill.peek(limit, range.after, range.devices), hold.records.peek(limit, range.after, range.devices)])
    },

    ack,

    drop(ids) {
      if (closed) return
      ack(ids)
      tally.dropped += ids.length
    },

    stats(): OutboxStats {
      const { bytes, oldestAt: inFile } = closed ? (file.commit(), { bytes: 0, oldestAt: null }) : file.measure()
      let oldestAt = inFile
      for (const memoryAt of [spill.oldestAt, hold.records.oldestAt]) {
        if (memoryAt !== null && (oldestAt === null || memoryAt < oldestAt)) oldestAt = memoryAt
      }
      const records = closed ? 0 : file.count - hold.hiddenRows + spill.size + hold.records.size
      return { records, bytes, oldestAt, dropped: tally.dropped, nextId }
    },

    keptIn: () => spill.where,

    writeError: () => (closed ? null : file.writeError),

    flushed: () => file.flushed(() => closed),

    close() {
      if (closed) return
      if (!file.finishCheckpoint()) file.keep(hold.clear())
      file.commit()
      closed = true
      file.close()
      const unsaved = spill.close()
      if (unsaved > 0) {
        tally.dropped += unsaved
        log.warn('records kept in memory because the buffer file could not take them are lost at stop', { path: options.path, records: unsaved })
      }
    },
  }
}
