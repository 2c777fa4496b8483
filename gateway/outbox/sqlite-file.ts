import type { OutboxEntry } from './outbox.js'
import { OpenBatch } from './sqlite-batch.js'
import { SizeBudget, type FilePages } from './sqlite-budget.js'
import { DiskSync, walBytes } from './sqlite-checkpoint.js'
import { WriteFailures } from './sqlite-failures.js'
import { isCorruption, moveAside } from './sqlite-open.js'
import { diskFullRetryMs, defaultCommitIntervalMs, walSizes, type SqliteOutboxOptions } from './sqlite-options.js'
import { readEntries, type PeekRange } from './sqlite-read.js'
import type { Spill } from './sqlite-spill.js'
import { openStore, type Store } from './sqlite-store.js'

/** What the buffer file tells the outbox around it, which holds records while the file cannot. */
export interface FileEvents {
  /** A commit started a checkpoint: new records and acknowledgements wait in memory. */
  holding(): void
  /** The checkpoint is on the disk: what waited may be written. */
  released(): void
  /** Writes succeed again after failing: the spill may go back into the file. */
  recovered(): void
  /** The corrupt file is being replaced: returns the records held for it, to keep in the spill. */
  replaced(): OutboxEntry[]
}

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
    this.pages = store && pagesOf(store)
    this.disk = this.diskSync()
    this.count = (store?.sql.count.get() as number | undefined) ?? 0
    this.batch = new OpenBatch(options.commitIntervalMs ?? defaultCommitIntervalMs, batchBytes, () => this.commit())
    const maxPages = Math.floor((options.maxSizeBytes - walLimit) / pageSize)
    this.budget = new SizeBudget(maxPages, pageSize, options.whenFull, options.diskFullRetryMs ?? diskFullRetryMs, Date.now)
    this.failures = new WriteFailures(options.path, options.log)
  }

  /** The highest id the file has ever held, 0 without a file. */
  get lastId(): number {
    return (this.store?.sql.lastId.get() as number | undefined) ?? 0
  }

  get open(): boolean {
    return this.store !== null
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
      if (this.failures.endsAfterCommit(() => s.sql.pageCount.get() as number)) this.events.recovered()
      return 0
    } catch (err) {
      return this.lose(err, null)
    }
  }

  /**
   * Writes spilled records back, oldest first, until a checkpoint or a failure stops it, and
   * commits them. Returns how many it tried, and the ids the spill may let go: those the file
   * has committed, or (with the file at its full cap) that the cap dropped, counted.
   */
  takeBack(entries: readonly OutboxEntry[]): { tried: number; settled: Set<number> } {
    const tried: OutboxEntry[] = []
    for (const entry of entries) {
      if (this.disk.holding || this.failures.active) break
      this.write(entry)
      tried.push(entry)
    }
    this.commit()
    const s = this.store
    if (tried.length === 0 || !s) return { tried: tried.length, settled: new Set() }
    const inFile = new Set(s.sql.idsBetween.all(tried[0]!.id, tried.at(-1)!.id) as number[])
    const capDropped = !this.failures.active && !this.budget.diskFull
    return { tried: tried.length, settled: new Set(tried.filter((e) => inFile.has(e.id) || capDropped).map((e) => e.id)) }
  }

  /** Records of the file in `range`, skipping `hidden` ones; undecodable rows are returned apart. */
  read(range: PeekRange, hidden: (id: number) => boolean): { entries: OutboxEntry[]; unreadable: number[] } {
    const s = this.store
    if (!s) return { entries: [], unreadable: [] }
    try {
      return readEntries(s, range, hidden, this.options.log, this.options.path)
    } catch (err) {
      this.lose(err, null)
      return { entries: [], unreadable: [] }
    }
  }

  /** Size on disk (main file and WAL) and `at` of the oldest record, after committing. */
  measure(): { bytes: number; oldestAt: number | null } {
    this.commit()
    const s = this.store
    if (!s) return { bytes: 0, oldestAt: null }
    try {
      const bytes = (s.sql.pageCount.get() as number) * s.pageSize + walBytes(this.options.path)
      return { bytes, oldestAt: (s.sql.oldestAt.get() as number | undefined) ?? null }
    } catch (err) {
      this.lose(err, null)
      return { bytes: 0, oldestAt: null }
    }
  }

  /** Commits, then resolves once every commit is on the disk and no checkpoint holds writes. */
  async flushed(stopped: () => boolean): Promise<void> {
    for (;;) {
      this.commit()
      if (stopped() || !this.disk.holding) break
      await this.disk.checkpointed()
    }
    await this.disk.flushed()
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
    const s = this.store
    this.store = null
    if (!s) return
    try {
      // Closing checkpoints the WAL and deletes it: with FULL that checkpoint reaches the disk first.
      s.db.pragma('synchronous = FULL')
      s.db.close()
    } catch (err) {
      this.options.log.error('cannot close the buffer database cleanly; the next start recovers it from its WAL', {
        path: this.options.path, reason: err instanceof Error ? err.message : String(err),
      })
      s.db.close()
    }
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
    let fullPages: number | null = null
    if (s) {
      try {
        if (s.db.inTransaction) s.db.exec('ROLLBACK')
        s.dict.rolledBack()
        this.count = s.sql.count.get() as number
        if (code === 'SQLITE_FULL') {
          fullPages = s.sql.pageCount.get() as number
          this.budget.filled(fullPages)
        }
      } catch {
        // The next write reports the same condition; the counters stay as they were.
      }
    }
    this.failures.failed(err, code, fullPages, unwritten.length, this.spill.where)
    return this.keep(unwritten)
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
      this.store = openStore(path, this.options)
      this.pages = pagesOf(this.store)
      this.disk = this.diskSync()
    } catch (again) {
      this.noStore = again instanceof Error ? again.message : String(again)
      log.error('cannot replace the corrupt buffer database; records wait in memory until restart', { path, reason: this.noStore })
    }
    return lost + this.keep([...unwritten, ...waiting])
  }
}

function pagesOf(s: Store): FilePages {
  return {
    used: () => s.sql.pageCount.get() as number,
    free: () => s.sql.freePages.get() as number,
    dropOldest: (records) => s.sql.dropOldest.run(records).changes,
  }
}
