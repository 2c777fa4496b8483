import type { OutboxEntry } from './outbox.js'

/** Starts a timer that calls `run` after `ms`; returns what cancels it. */
export type StartTimer = (run: () => void, ms: number) => () => void

/** A timer that does not keep the process alive: a stop commits what is open itself. */
export const unrefTimer: StartTimer = (run, ms) => {
  const timer = setTimeout(run, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

/** Acknowledged records that make a batch commit early, about 30 pages of table and index. */
export const acksPerBatch = 2000

/** The part of a database connection a batch needs. */
export interface Transactions {
  readonly inTransaction: boolean
  exec(sql: string): unknown
}

/**
 * The open write transaction of the buffer file: records and acknowledgements gather in it and are
 * committed together, when `intervalMs` is up, when the new rows reach `maxBytes`, or when the
 * acknowledgements reach `acksPerBatch`, whichever comes first. It remembers the records written in
 * it (and those it deleted to stay under the cap), because a failed commit rolls them back.
 */
export class OpenBatch {
  /** Records written in the open transaction and not acknowledged since. */
  entries: OutboxEntry[] = []
  /** Records the open transaction deleted to stay under the cap; a rollback brings them back. */
  removed = 0
  private bytes = 0
  private acks = 0
  private cancel: (() => void) | null = null

  constructor(
    private readonly intervalMs: number,
    private readonly maxBytes: number,
    private readonly due: () => void,
    private readonly startTimer: StartTimer = unrefTimer,
  ) {}

  /** Opens a transaction on `db` unless one is open; its commit is due `intervalMs` later. */
  begin(db: Transactions): void {
    if (db.inTransaction) return
    db.exec('BEGIN')
    this.cancel = this.startTimer(this.due, this.intervalMs)
  }

  /** The transaction is being committed or rolled back: the timer is no longer needed. */
  stopTimer(): void {
    this.cancel?.()
    this.cancel = null
  }

  /** `entry` was written as a row of `bytes`; true when the batch should commit now. */
  wrote(entry: OutboxEntry, bytes: number): boolean {
    this.entries.push(entry)
    this.bytes += bytes
    return this.bytes >= this.maxBytes
  }

  /** `count` rows were deleted as acknowledged; true when the batch should commit now. */
  acked(count: number): boolean {
    this.acks += count
    return this.acks >= acksPerBatch
  }

  /** Acknowledged records no longer need keeping should the transaction roll back. */
  forget(gone: ReadonlySet<number>): void {
    this.entries = this.entries.filter((e) => !gone.has(e.id))
  }

  /** The transaction ended: a new batch starts empty. */
  reset(): void {
    this.entries = []
    this.removed = 0
    this.bytes = 0
    this.acks = 0
  }
}
