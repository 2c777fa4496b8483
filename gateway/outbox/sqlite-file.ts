import type { OutboxEntry } from './outbox.js'
import { OpenBatch } from './sqlite-batch.js'
import { SizeBudget, type FilePages } from './sqlite-budget.js'
import { DiskSync, walBytes } from './sqlite-checkpoint.js'
import { WriteFailures } from './sqlite-failures.js'
import { roomOnDiskOf } from './disk-room.js'
import { isCorruption, moveAside } from './sqlite-open.js'
import { diskFullRetryMs, defaultCommitIntervalMs, reopenEveryMs, walSizes, type SqliteOutboxOptions } from './sqlite-options.js'
import { readEntries, type PeekRange } from './sqlite-read.js'
import type { Spill } from './sqlite-spill.js'
import { closeStore, filePages, openStore, rollBack, type Store } from './sqlite-store.js'
import { LateOpen, type HeldIds } from './sqlite-late-open.js'
import type { FileEvents } from './sqlite-file-events.js'

/**
 * The buffer's SQLite file with its open transaction, size budget and disk cycle. A write that
 * fails rolls the batch back and keeps its records in `spill`; a corrupt file is moved aside and
 * replaced. Losses are counted in `tally.dropped`.
 */
export class BufferFile {
  /** Records in the file, acknowledged rows a checkpoint still holds included. */
  count: number
  private store: Store | null
  // Why `store` is null: the file could not be opened, or the corrupt file could not be replaced.
  private noStore: string | null
  private disk: DiskSync
  private pages: FilePages | null
  private readonly batch: OpenBatch
  private readonly budget: SizeBudget
  private readonly failures: WriteFailures
  private readonly roomOnDisk: () => boolean
  private readonly lateOpen: LateOpen

  constructor(
    store: Store | null,
    private readonly options: SqliteOutboxOptions,
    private readonly spill: Spill,
    private readonly tally: { dropped: number },
    private readonly events: FileEvents,
  ) {
    const { walLimit, batchBytes } = walSizes(options.maxSizeBytes)
    const pageSize = store?.pageSize ?? 4096
    this.store = store
    this.noStore = options.withoutFile ?? null
    this.pages = store && filePages(store)
    this.disk = this.diskSync()
    this.count = (store?.sql.count.get() as number | undefined) ?? 0
    this.batch = new OpenBatch(options.commitIntervalMs ?? defaultCommitIntervalMs, batchBytes, () => this.commit())
    const maxPages = Math.floor((options.maxSizeBytes - walLimit) / pageSize)
    this.roomOnDisk = roomOnDiskOf(options)
    this.budget = new SizeBudget(maxPages, pageSize, options.whenFull, options.diskFullRetryMs ?? diskFullRetryMs, Date.now, this.roomOnDisk)
    this.failures = new WriteFailures(options.path, options.log)
    this.lateOpen = new LateOpen(options.path, options, options.reopenEveryMs ?? reopenEveryMs, Date.now)
  }

  /** The highest id the file has ever held, 0 without a file. */
  get lastId(): number {
    return (this.store?.sql.lastId.get() as number | undefined) ?? 0
  }

  get open(): boolean {
    return this.store !== null
  }

  /**
   * Without a file (not opened at start, or not replaced): opens it now and then (sqlite-late-open.ts),
   * so a disk freed or mounted late is used without a restart. True when it opened just now.
   */
  reopen(held: () => HeldIds): boolean {
    const store = this.store === null ? this.lateOpen.attempt(held) : null
    if (store !== null) this.adopt(store)
    return store !== null
  }

  /** True while a checkpoint is on its way to the disk and writes must wait. */
  get holding(): boolean {
    return this.disk.holding
  }

  /** True while writes fail: records go to the spill. */
  get failing(): boolean {
    return this.failures.active
  }

  /** Records written in the open transaction and not yet acknowledged. */
  get batched(): number {
    return this.batch.entries.length
  }

  get writeError(): string | null {
    return this.store === null ? this.noStore : this.failures.reason
  }

  /** Keeps records in the spill; returns how many its bound dropped. */
  keep(entries: readonly OutboxEntry[]): number {
    let lost = 0
    for (const entry of entries) lost += this.spill.add(entry)
    this.tally.dropped += lost
    return lost
  }

  /** Writes `entry` into the open batch (opening one); returns how many records that dropped. */
  write(entry: OutboxEntry): number {
    const s = this.store
    if (!s) return this.keep([entry])
    try {
      this.batch.begin(s.db)
      const device = s.dict.deviceIdOf(entry.deviceId)
      const blob = s.encode(entry.at, entry.metrics)
      const { removed, fits } = this.budget.makeRoom(this.pages!, blob.length, this.count)
      this.count -= removed
      this.tally.dropped += removed
      this.batch.removed += removed
      if (!fits) {
        // No room because the disk is full, not because of the cap: the record waits in memory.
        if (this.budget.diskFull) return removed + this.keep([entry])
        this.tally.dropped++
        return removed + 1
      }
      s.sql.insert.run(entry.id, device, entry.at, blob)
      this.count++
      return this.batch.wrote(entry, blob.length) ? removed + this.commit() : removed
    } catch (err) {
      return this.lose(err, entry)
    }
  }

  /** Deletes acknowledged rows in the open batch; nothing while a checkpoint holds writes. */
  remove(ids: readonly number[]): void {
    const s = this.store
    if (!s || this.disk.holding) return
    try {
      this.batch.begin(s.db)
      for (const id of ids) this.count -= s.sql.remove.run(id).changes
      // A drain acks faster than the timer can fire; bound the transaction (and WAL) it builds.
      if (this.batch.acked(ids.length)) this.commit()
    } catch (err) {
      this.lose(err, null)
    }
  }

  /** Acknowledged records need not be kept should the open batch roll back. */
  forget(gone: ReadonlySet<number>): void {
    if (this.batch.entries.length > 0) this.batch.forget(gone)
  }

  /** Commits the open batch; returns the records dropped when that fails. */
  commit(): number {
    this.batch.stopTimer()
    const s = this.store
    if (!s?.db.inTransaction) return 0
    try {
      s.db.exec('COMMIT')
      s.dict.committed()
      this.batch.reset()
      this.disk.committed()
      if (this.disk.holding) this.events.holding()
      if (this.failures.endsAfterCommit(() => s.sql.pageCount.get() as number, this.roomOnDisk)) this.events.recovered()
      return 0
    } catch (err) {
      return this.lose(err, null)
    }
  }

  /** Ids of the file's records from `first` to `last`. */
  idsBetween(first: number, last: number): Set<number> {
    return new Set(this.store?.sql.idsBetween.all(first, last) as number[] | undefined)
  }

  /** True while a full disk holds the file below its size cap. */
  get diskFull(): boolean {
    return this.budget.diskFull
  }

  /** Records of the file in `range`, skipping `hidden` ones; undecodable rows are returned apart. */
  read(range: PeekRange, hidden: (id: number) => boolean): { entries: OutboxEntry[]; unreadable: number[] } {
    return this.guarded({ entries: [], unreadable: [] }, (s) => readEntries(s, range, hidden, this.options.log, this.options.path))
  }

  /** Size on disk (main file and WAL) and `at` of the oldest record. */
  measure(): { bytes: number; oldestAt: number | null } {
    return this.guarded({ bytes: 0, oldestAt: null }, (s) => ({
      bytes: (s.sql.pageCount.get() as number) * s.pageSize + walBytes(this.options.path),
      oldestAt: (s.sql.oldestAt.get() as number | undefined) ?? null,
    }))
  }

  /** `query` on the file; `fallback` without a file or when reading fails (handled as a write failure). */
  private guarded<T>(fallback: T, query: (s: Store) => T): T {
    const s = this.store
    if (!s) return fallback
    try {
      return query(s)
    } catch (err) {
      this.lose(err, null)
      return fallback
    }
  }

  /** Resolves when the checkpoint under way (if any) has released writes. */
  checkpointed(): Promise<void> {
    return this.disk.checkpointed()
  }

  /** Resolves once everything committed so far is on the disk. */
  synced(): Promise<void> {
    return this.disk.flushed()
  }

  /** At stop, on this thread: the checkpoint under way; false when that failed (the batch is kept). */
  finishCheckpoint(): boolean {
    try {
      this.disk.finishNow()
      return true
    } catch (err) {
      this.lose(err, null)
      return false
    }
  }

  /** Stops the disk cycle and closes the file; the batch must have been committed. */
  close(): void {
    this.disk.close()
    if (this.store) closeStore(this.store, this.options.log, this.options.path)
    this.store = null
  }

  private diskSync(): DiskSync {
    const { path, durability, log, maxSizeBytes } = this.options
    return new DiskSync(path, durability, walSizes(maxSizeBytes).checkpointBytes, log, {
      checkpoint: () => {
        try {
          this.store?.db.pragma('wal_checkpoint(PASSIVE)')
        } catch (err) {
          this.lose(err, null)
        }
      },
      release: () => this.events.released(),
    })
  }

  /**
   * Rolls back the open batch after a write error and keeps its records (and `extra`, the record
   * being added) in the spill; returns the records dropped.
   */
  private lose(err: unknown, extra: OutboxEntry | null): number {
    this.batch.stopTimer()
    const unwritten = extra === null ? this.batch.entries : [...this.batch.entries, extra]
    const s = this.store
    if (s && isCorruption(err)) return this.replaceCorrupt(err, unwritten)
    this.tally.dropped -= this.batch.removed
    this.batch.reset()
    this.budget.forget()
    const code = (err as { code?: string }).code ?? 'unknown'
    const after = s && rollBack(s, code === 'SQLITE_FULL')
    if (after) this.count = after.count
    const fullPages = after?.fullPages ?? null
    if (fullPages !== null) this.budget.filled(fullPages)
    this.failures.failed(err, code, fullPages, unwritten.length, this.spill.where)
    return this.keep(unwritten)
  }

  /** Takes `store` as the file, with a new disk cycle. */
  private adopt(store: Store): void {
    this.store = store
    this.noStore = null
    this.pages = filePages(store)
    this.disk.close()
    this.disk = this.diskSync()
    this.count = store.sql.count.get() as number
  }

  /** Every committed record is lost with the file; the open batch's records are kept in the spill. */
  private replaceCorrupt(err: unknown, unwritten: readonly OutboxEntry[]): number {
    const { path, log } = this.options
    const lost = this.count - this.batch.entries.length
    this.tally.dropped += lost
    this.batch.reset()
    this.budget.forget()
    this.count = 0
    try {
      this.store?.db.close()
    } catch {
      // Closing a corrupt database can fail too; the file is moved aside regardless.
    }
    this.store = null
    this.pages = null
    this.disk.close()
    const waiting = this.events.replaced()
    try {
      moveAside(path, log, err)
      this.adopt(openStore(path, this.options))
    } catch (again) {
      this.noStore = again instanceof Error ? again.message : String(again)
      this.lateOpen.failed()
      log.error('cannot replace the corrupt buffer database; records wait in memory until it can be created (tried once a second)', { path, reason: this.noStore })
    }
    return lost + this.keep([...unwritten, ...waiting])
  }
}
