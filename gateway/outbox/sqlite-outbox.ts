import type { DataRecord } from '../model/value.js'
import type { Outbox, OutboxEntry } from './outbox.js'
import { BufferFile } from './sqlite-file.js'
import { CheckpointHold } from './sqlite-hold.js'
import { spillRecords, walSizes, type SqliteOutboxOptions } from './sqlite-options.js'
import { mergeEntries } from './sqlite-read.js'
import { RuntimeSpill } from './runtime-spill.js'
import { openStore, type Store } from './sqlite-store.js'
import type { HeldIds } from './sqlite-late-open.js'
import type { OutboxStats } from '../base/status.js'

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
  walSizes(options.maxSizeBytes)
  const store = options.withoutFile === undefined ? openStore(options.path, options) : null
  return new BufferedOutbox(store, options)
}

class BufferedOutbox implements SqliteOutbox {
  private readonly spill: RuntimeSpill
  private readonly hold: CheckpointHold
  private readonly file: BufferFile
  private readonly tally = { dropped: 0 }
  private nextId: number
  // The first id of this run: a file opened late may hold rows from this id on.
  private readonly firstId: number
  private closed = false
  // The spill goes back into the file once a checkpoint has released writes.
  private restorePending = false

  constructor(store: Store | null, private readonly options: SqliteOutboxOptions) {
    this.spill = new RuntimeSpill(options.runtimeDir, options.whenFull, options.log, spillRecords)
    this.hold = new CheckpointHold(spillRecords, options.whenFull)
    this.file = new BufferFile(store, options, this.spill, this.tally, {
      holding: () => this.hold.begin(this.nextId),
      released: () => this.released(),
      recovered: () => this.restoreSpill(),
      replaced: () => this.hold.clear(),
    })
    this.nextId = Math.max(this.file.lastId, this.spill.lastId) + 1
    this.firstId = this.nextId
    this.restoreSpill()
  }

  add(record: DataRecord): number {
    if (this.closed) {
      this.tally.dropped++
      return 1
    }
    if (!this.file.open && this.file.reopen(() => this.heldOutside())) this.openedLate()
    const entry: OutboxEntry = { ...record, id: this.nextId++ }
    if (!this.file.open) return this.file.keep([entry])
    if (this.file.holding) {
      const lost = this.hold.records.add(entry)
      this.tally.dropped += lost
      return lost
    }
    return this.file.write(entry)
  }

  peek(limit: number, opts: { devices?: ReadonlySet<string | null>; afterId?: number } = {}): OutboxEntry[] {
    if (this.closed || limit <= 0) return []
    const { spill, hold } = this
    const range = { limit, after: opts.afterId ?? 0, devices: opts.devices }
    const { entries, unreadable } = this.file.read(range, (id) => hold.hides(id))
    if (unreadable.length > 0) {
      this.tally.dropped += unreadable.length
      this.ack(unreadable)
    }
    if (spill.size === 0 && hold.records.size === 0) return entries
    // Each list holds the first `limit` of its kind by id, so their merge holds the first of all.
    return mergeEntries(limit, [entries, spill.peek(limit, range.after, range.devices), hold.records.peek(limit, range.after, range.devices)])
  }

  ack(ids: readonly number[]): void {
    if (this.closed || ids.length === 0) return
    const { spill, hold, file } = this
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

  drop(ids: readonly number[]): void {
    if (this.closed) return
    this.ack(ids)
    this.tally.dropped += ids.length
  }

  stats(): OutboxStats {
    const { spill, hold, file, closed } = this
    file.commit()
    let { bytes, oldestAt } = closed ? { bytes: 0, oldestAt: null as number | null } : file.measure()
    for (const memoryAt of [spill.oldestAt, hold.records.oldestAt]) {
      if (memoryAt !== null && (oldestAt === null || memoryAt < oldestAt)) oldestAt = memoryAt
    }
    const records = closed ? 0 : file.count - hold.hiddenRows + spill.size + hold.records.size
    return { records, bytes, oldestAt, dropped: this.tally.dropped, nextId: this.nextId }
  }

  keptIn(): string {
    return this.spill.where
  }

  writeError(): string | null {
    return this.closed ? null : this.file.writeError
  }

  async flushed(): Promise<void> {
    for (;;) {
      this.file.commit()
      if (this.closed || !this.file.holding) break
      await this.file.checkpointed()
    }
    await this.file.synced()
  }

  close(): void {
    if (this.closed) return
    if (!this.file.finishCheckpoint()) this.file.keep(this.hold.clear())
    this.file.commit()
    this.closed = true
    this.file.close()
    const unsaved = this.spill.close()
    if (unsaved > 0) {
      this.tally.dropped += unsaved
      this.options.log.warn('records kept in memory because the buffer file could not take them are lost at stop', { path: this.options.path, records: unsaved })
    }
  }

  /** Ids given since the start or kept in the spill from before, which rows of a file opened late must not have. */
  private heldOutside(): HeldIds {
    const spilled = this.spill.peek(1, 0)[0]?.id ?? this.firstId
    return { lowest: Math.min(this.firstId, spilled), next: this.nextId }
  }

  /** The file opened after the start: ids go on above its rows, and the spill goes into it. */
  private openedLate(): void {
    this.nextId = Math.max(this.nextId, this.file.lastId + 1)
    this.restoreSpill()
  }

  /** The checkpoint is on the disk: acknowledgements and records held meanwhile go into the file. */
  private released(): void {
    const { acked, records } = this.hold.release()
    if (!this.file.open || this.closed) return
    this.ack(acked)
    for (let i = 0; i < records.length; i++) {
      // Writing them may start the next checkpoint: the rest wait for that one.
      if (this.file.holding) return this.hold.keep(records.slice(i))
      this.file.write(records[i]!)
    }
    if (this.restorePending) this.restoreSpill()
  }

  /**
   * Moves the spilled records into the file once it takes writes again (at start, or when a full
   * disk has room). A record leaves the spill only once the file has it committed, or the file's
   * size cap dropped it (counted), so a crash in between finds it in both and the file's copy wins.
   */
  private restoreSpill(): void {
    const { spill, file } = this
    this.restorePending = false
    if (!file.open || this.closed || file.failing || spill.size === 0) return
    if (file.holding) {
      this.restorePending = true
      return
    }
    const entries = spill.all()
    const tried: OutboxEntry[] = []
    for (const entry of entries) {
      if (file.holding || file.failing) break
      file.write(entry)
      tried.push(entry)
    }
    file.commit()
    if (tried.length === 0) return
    const inFile = file.idsBetween(tried[0]!.id, tried.at(-1)!.id)
    const capDropped = !file.failing && !file.diskFull
    spill.ack(new Set(tried.filter((e) => inFile.has(e.id) || capDropped).map((e) => e.id)))
    if (tried.length < entries.length) this.restorePending = true
  }
}
