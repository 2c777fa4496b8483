import type { OutboxEntry } from './outbox.js'

/**
 * Where the SQLite buffer keeps the records its file cannot take (disk full, read-only, I/O
 * error), until the file takes them back or they are delivered.
 */
export interface Spill {
  /** For the log: where the records are kept and what a restart does to them. */
  readonly where: string
  readonly size: number
  readonly oldestAt: number | null
  /** The highest id held, 0 when empty. */
  readonly lastId: number
  /** Takes `entry` (an id already held is ignored); returns how many records the bound dropped. */
  add(entry: OutboxEntry): number
  /** Up to `limit` entries with an id above `afterId`, of the `devices` when given, oldest first. */
  peek(limit: number, afterId: number, devices?: ReadonlySet<string | null>): OutboxEntry[]
  ack(ids: ReadonlySet<number>): void
  /** Every entry held, oldest first. */
  all(): OutboxEntry[]
  /** At stop; returns how many records that loses (those only in memory). */
  close(): number
}

/**
 * Records the SQLite buffer could not write (disk full, I/O error, no database after a failed
 * replace), held in memory in id order so that live data keeps flowing and a short outage is still
 * bridged. Lost on restart. Bounded: beyond `maxRecords` the whenFull policy drops one.
 */
export class MemorySpill implements Spill {
  readonly where = 'memory (lost on restart)'
  private entries: OutboxEntry[] = []

  constructor(private readonly maxRecords: number, private readonly whenFull: 'drop-oldest' | 'drop-newest') {}

  get size(): number {
    return this.entries.length
  }

  get oldestAt(): number | null {
    return this.entries[0]?.at ?? null
  }

  get lastId(): number {
    return this.entries.at(-1)?.id ?? 0
  }

  /** Takes `entry` (ids mostly arrive in increasing order); returns how many records that dropped. */
  add(entry: OutboxEntry): number {
    const last = this.entries.at(-1)
    const at = last === undefined || last.id < entry.id ? this.entries.length : this.entries.findIndex((e) => e.id >= entry.id)
    if (this.entries[at]?.id === entry.id) return 0
    if (this.entries.length >= this.maxRecords) {
      if (this.whenFull === 'drop-newest') return 1
      this.entries.shift()
      this.entries.push(entry)
      return 1
    }
    this.entries.splice(at, 0, entry)
    return 0
  }

  /** Up to `limit` entries with an id above `afterId`, of the `devices` when given, oldest first. */
  peek(limit: number, afterId: number, devices?: ReadonlySet<string | null>): OutboxEntry[] {
    const out: OutboxEntry[] = []
    for (const entry of this.entries) {
      if (out.length >= limit) break
      if (entry.id > afterId && (!devices || devices.has(entry.deviceId))) out.push(entry)
    }
    return out
  }

  ack(ids: ReadonlySet<number>): void {
    if (this.entries.length > 0) this.entries = this.entries.filter((e) => !ids.has(e.id))
  }

  all(): OutboxEntry[] {
    return [...this.entries]
  }

  close(): number {
    return this.clear()
  }

  /** Empties the spill and returns its entries, oldest first. */
  take(): OutboxEntry[] {
    const entries = this.entries
    this.entries = []
    return entries
  }

  /** Empties the spill; returns how many records that discarded. */
  clear(): number {
    const n = this.entries.length
    this.entries = []
    return n
  }
}
