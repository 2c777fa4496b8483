import type { OutboxEntry } from './outbox.js'
import { MemorySpill } from './sqlite-spill.js'

/**
 * What arrives while a checkpoint is on its way to the disk (sqlite-checkpoint.ts) and may not be
 * written yet: new records, and acknowledgements of rows that are in the file. The records are
 * served from memory and the acknowledged rows hidden until the checkpoint releases writes.
 */
export class CheckpointHold {
  readonly records: MemorySpill
  private readonly acked = new Set<number>()
  // Ids from here on are in `records`, not in the file; 0 while nothing is held.
  private from = 0

  constructor(maxRecords: number, whenFull: 'drop-oldest' | 'drop-newest') {
    this.records = new MemorySpill(maxRecords, whenFull)
  }

  /** A checkpoint started: records with `nextId` and above are held. */
  begin(nextId: number): void {
    if (this.from === 0) this.from = nextId
  }

  /** Acknowledged ids: those held in memory go now, those of the file once writes are released. */
  ack(ids: readonly number[], gone: ReadonlySet<number>): void {
    this.records.ack(gone)
    for (const id of ids) if (id < this.from) this.acked.add(id)
  }

  /** True for a row of the file acknowledged while writes are held. */
  hides(id: number): boolean {
    return this.acked.has(id)
  }

  /** Rows of the file acknowledged but not deleted yet. */
  get hiddenRows(): number {
    return this.acked.size
  }

  /** Writes are released: the acknowledgements to apply, then the records to write, oldest first. */
  release(): { acked: number[]; records: OutboxEntry[] } {
    this.from = 0
    const acked = [...this.acked]
    this.acked.clear()
    return { acked, records: this.records.take() }
  }

  /** Takes back records a new checkpoint stopped from being written; they are held again. */
  keep(entries: readonly OutboxEntry[]): void {
    if (entries.length === 0) return
    this.from = entries[0]!.id
    for (const entry of entries) this.records.add(entry)
  }

  /** Forgets the acknowledgements and returns the records (the file was replaced). */
  clear(): OutboxEntry[] {
    this.from = 0
    this.acked.clear()
    return this.records.take()
  }
}
