import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Log } from '../model/log.js'
import type { RuntimeDir } from '../base/runtime-dir.js'
import type { OutboxEntry } from './outbox.js'
import { decodeRecordMetrics } from './record-codec.js'
import { MemorySpill, type Spill } from './sqlite-spill.js'
import { openStore, readRows, type Store } from './sqlite-store.js'

/**
 * Bounds of the runtime spill. The runtime directory is a tmpfs, so RAM, charged to the service's
 * memory limit: 16 MiB of encoded records (a few hundred thousand readings) or 100,000 records,
 * whichever comes first, then the buffer's whenFull policy applies.
 */
export const runtimeSpillBytes = 16 * 1024 * 1024
export const runtimeSpillRecords = 100_000

const fileName = 'buffer-spill.db'

/**
 * The spill in an SQLite file of the runtime directory (RAM that outlives the process): a crash,
 * `kill -9`, the watchdog or `Node Control/Reboot` loses none of its records, a power cycle loses
 * all. Every add and ack is its own transaction, so nothing waits in the process. The file is
 * created at the first record and deleted once it is empty again. Without a runtime directory, or
 * once the file fails, records are kept in memory instead (lost on restart), logged once.
 */
export class RuntimeSpill implements Spill {
  private readonly memory: MemorySpill
  private readonly file: string | null
  private store: Store | null = null
  // Why the file is not used; set once, for the life of the process.
  private unusable: string | null
  private count = 0
  private bytes = 0
  private lastFileId = 0

  constructor(
    private readonly runtime: RuntimeDir | undefined,
    private readonly whenFull: 'drop-oldest' | 'drop-newest',
    private readonly log: Log,
    memoryRecords: number,
  ) {
    this.memory = new MemorySpill(memoryRecords, whenFull)
    this.file = runtime === undefined ? null : join(runtime.path, fileName)
    this.unusable = runtime === undefined ? 'no runtime directory' : null
    // Records a previous process left: served (and moved back into the buffer file) from the start.
    if (this.file !== null && existsSync(this.file)) this.open()
  }

  get where(): string {
    return this.unusable === null ? `the runtime directory ${this.file} (RAM: kept across restarts, lost at power off)` : this.memory.where
  }

  get size(): number {
    return this.count + this.memory.size
  }

  get oldestAt(): number | null {
    const inFile = this.store !== null && this.count > 0 ? (this.store.sql.oldestAt.get() as number) : null
    const inMemory = this.memory.oldestAt
    return inFile === null ? inMemory : inMemory === null ? inFile : Math.min(inFile, inMemory)
  }

  get lastId(): number {
    return Math.max(this.lastFileId, this.memory.lastId)
  }

  add(entry: OutboxEntry): number {
    const s = this.unusable === null ? this.store ?? this.open() : null
    if (s === null) return this.memory.add(entry)
    try {
      const blob = s.encode(entry.at, entry.metrics)
      s.dict.committed()
      let dropped = 0
      while (this.count >= runtimeSpillRecords || this.bytes + blob.length > runtimeSpillBytes) {
        if (this.whenFull === 'drop-newest' || this.count === 0) return dropped + 1
        const oldest = s.sql.dropFirstSized.get() as number
        this.count--
        this.bytes -= oldest
        dropped++
      }
      if (s.sql.insertOrIgnore.run(entry.id, s.dict.deviceIdOf(entry.deviceId), entry.at, blob).changes === 1) {
        s.dict.committed()
        this.count++
        this.bytes += blob.length
        this.lastFileId = Math.max(this.lastFileId, entry.id)
      }
      return dropped
    } catch (err) {
      this.fail(err)
      return this.memory.add(entry)
    }
  }

  peek(limit: number, afterId: number, devices?: ReadonlySet<string | null>): OutboxEntry[] {
    const fromMemory = this.memory.peek(limit, afterId, devices)
    const s = this.store
    if (s === null || this.count === 0) return fromMemory
    const fromFile: OutboxEntry[] = []
    try {
      for (const row of readRows(s, limit, afterId, devices)) {
        fromFile.push({ id: row.id, deviceId: s.dict.deviceOf(row.device) ?? null, at: row.at, metrics: decodeRecordMetrics(row.metrics, row.at, s.dict) })
      }
    } catch (err) {
      this.fail(err)
    }
    if (fromMemory.length === 0) return fromFile
    const merged = [...fromFile, ...fromMemory].sort((a, b) => a.id - b.id)
    merged.length = Math.min(merged.length, limit)
    return merged
  }

  ack(ids: ReadonlySet<number>): void {
    this.memory.ack(ids)
    const s = this.store
    if (s === null || this.count === 0) return
    try {
      for (const id of ids) {
        if (id > this.lastFileId) continue
        const length = s.sql.removeSized.get(id) as number | undefined
        if (length === undefined) continue
        this.count--
        this.bytes -= length
      }
    } catch (err) {
      this.fail(err)
    }
    if (this.count === 0) this.remove()
  }

  all(): OutboxEntry[] {
    return this.peek(Number.MAX_SAFE_INTEGER, 0)
  }

  close(): number {
    this.store?.db.close()
    this.store = null
    this.count = 0
    this.bytes = 0
    return this.memory.close()
  }

  private open(): Store | null {
    try {
      this.runtime!.ensure()
      const s = openStore(this.file!, { log: this.log })
      // On a tmpfs the WAL costs nothing to copy back: let SQLite keep it small.
      s.db.pragma('wal_autocheckpoint = 1000')
      this.count = s.sql.count.get() as number
      this.bytes = s.sql.bytes.get() as number
      this.lastFileId = s.sql.lastId.get() as number
      this.store = s
      return s
    } catch (err) {
      this.fail(err)
      return null
    }
  }

  /** The file fails: its records stay where they are (a restart finds them), new ones go to memory. */
  private fail(err: unknown): void {
    if (this.unusable !== null) return
    this.unusable = err instanceof Error ? err.message : String(err)
    this.log.error('cannot keep buffered records in the runtime directory; new ones wait in memory and are lost on restart', {
      path: this.file, reason: this.unusable,
    })
  }

  /** Deletes the emptied file: nothing is left in RAM once the buffer file has the records back. */
  private remove(): void {
    this.store?.db.close()
    this.store = null
    this.lastFileId = 0
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.file!}${suffix}`, { force: true })
  }
}
