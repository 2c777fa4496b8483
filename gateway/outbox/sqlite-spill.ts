import type { OutboxEntry } from './outbox.js'

/**
 * Records the SQLite buffer could not write (disk full, I/O error, no database after a failed
 * replace), held in memory in id order so that live data keeps flowing and a short outage is still
 * bridged. Lost on restart. Bounded: beyond `maxRecords` the whenFull policy drops one.
 */
export class MemorySpill {
  private entries: OutboxEntry[] = []

  constructor(private readonly maxRecords: number, private readonly whenFull: 'drop-oldest' | 'drop-newest') {}

  get size(): number {
    return this.entries.length
  }

  get oldestAt(): number | null {
    return this.entries[0]?.at ?? null
  }

  /** Takes `entry` (ids arrive in increasing order); returns how many records that dropped. */
  add(entry: OutboxEntry): number {
    if (this.entries.length >= this.maxRecords) {
      if (this.whenFull === 'drop-newest') return 1
      this.entries.shift()
      this.entries.push(entry)
      return 1
    }
    const last = this.entries.at(-1)
    if (last === undefined || last.id < entry.id) this.entries.push(entry)
    else this.entries.splice(this.entries.findIndex((e) => e.id > entry.id), 0, entry)
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
