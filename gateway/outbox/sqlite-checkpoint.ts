import { statSync } from 'node:fs'
import type { Log } from '../model/log.js'
import { FileSync } from './file-sync.js'

/** What the outbox does for the disk cycle: the two steps that need its connection. */
export interface CheckpointSteps {
  /** Copies the WAL into the main file (SQLite's PASSIVE checkpoint); no transaction is open. */
  checkpoint(): void
  /** The checkpoint is on the disk: writes (which restart the WAL over its old frames) may go on. */
  release(): void
}

/**
 * The outbox's durability without the event loop ever waiting on the disk. SQLite runs with
 * synchronous=OFF and no automatic checkpoints; this does its syncing in the order SQLite would,
 * in the thread pool:
 * - `power`: after each commit the WAL is fsynced (one at a time, coalesced), so a record is on the
 *   disk one fsync after its commit;
 * - both: when the WAL has grown to `checkpointBytes`, writes are held (`holding`), the WAL is
 *   fsynced, copied into the main file, the main file fsynced, and only then are writes released,
 *   because the next write transaction overwrites the WAL from its start. A power cut therefore
 *   never finds the main file missing pages whose WAL frames are already gone.
 */
export class DiskSync {
  private readonly wal: FileSync
  private readonly main: FileSync
  private checkpointing = false
  private closed = false
  private failing: string | null = null
  private waiting: Array<() => void> = []

  constructor(
    private readonly path: string,
    private readonly durability: 'power' | 'process',
    private readonly checkpointBytes: number,
    private readonly log: Log,
    private readonly steps: CheckpointSteps,
  ) {
    this.wal = new FileSync(`${path}-wal`)
    this.main = new FileSync(path)
  }

  /** True while a checkpoint is on its way to the disk: the outbox keeps new writes in memory. */
  get holding(): boolean {
    return this.checkpointing
  }

  /** After each COMMIT. */
  committed(): void {
    if (this.checkpointing) return
    if (walBytes(this.path) >= this.checkpointBytes) void this.checkpoint()
    else if (this.durability === 'power') void this.wal.sync().then((err) => this.settled(err))
  }

  /** Resolves once everything committed before the call is on the disk (also with `process`). */
  async flushed(): Promise<void> {
    this.settled(await this.wal.sync())
  }

  /** Resolves when the checkpoint under way (if any) has released writes, or the cycle stopped. */
  checkpointed(): Promise<void> {
    if (!this.checkpointing || this.closed) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** At stop: the last checkpoint, if one is under way, is finished on this thread. */
  finishNow(): void {
    if (!this.checkpointing) return
    this.wal.syncNow()
    this.steps.checkpoint()
    this.main.syncNow()
    this.released()
  }

  /** Stops the cycle (the file is closed or replaced); an fsync under way completes unheard. */
  close(): void {
    this.closed = true
    this.wal.close()
    this.main.close()
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  private async checkpoint(): Promise<void> {
    this.checkpointing = true
    let error = await this.wal.sync()
    if (this.closed || !this.checkpointing) return
    // Frames that may not be on the disk are never copied: the next cycle tries again.
    if (error === null) {
      this.steps.checkpoint()
      if (this.closed) return
      error = await this.main.sync()
      if (this.closed || !this.checkpointing) return
    }
    this.settled(error)
    this.released()
  }

  private released(): void {
    this.checkpointing = false
    this.steps.release()
    for (const resolve of this.waiting.splice(0)) resolve()
  }

  private settled(error: Error | null): void {
    if (error === null) {
      if (this.failing !== null) this.log.info('buffer file reaches the disk again', { path: this.path })
      this.failing = null
      return
    }
    if (this.failing === null) {
      this.log.error('cannot fsync the buffer file; records may not survive a power cut until it succeeds (check the disk)', {
        path: this.path, reason: error.message,
      })
    }
    this.failing = error.message
  }
}

/** Bytes in the WAL of the database at `path`, 0 when it has none. */
export function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size
  } catch {
    return 0
  }
}
