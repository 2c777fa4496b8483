/**
 * A store-and-forward backlog written straight into a SQLite buffer file with the gateway's own
 * outbox, as an outage would leave it: one record a second of Int32 metrics of one device.
 */
import type { DataRecord, Metric } from '../../../gateway/model/value.js'
import { createSqliteOutbox } from '../../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'

export interface Backlog {
  /** Device the records belong to; the gateway sends only records of devices it has born. */
  readonly deviceId: string
  /** Metric names of each record, in order (Int32 tags of that device). */
  readonly tags: readonly string[]
  /** Records to write; record n holds values n * tags + t, read n seconds into the outage. */
  readonly records: number
}

/** Writes `backlog` into the buffer file at `path`; returns the outbox's byte count after writing. */
export async function fillBacklog(path: string, backlog: Backlog): Promise<number> {
  const outbox = createSqliteOutbox({ path, maxSizeBytes: 1024 ** 3, whenFull: 'drop-oldest', durability: 'process', log: silentLog })
  const start = Date.now() - backlog.records * 1000
  const width = backlog.tags.length
  for (let n = 0; n < backlog.records; n++) {
    const at = start + n * 1000
    const metrics: Metric[] = backlog.tags.map((name, t) => ({ name, type: 'Int32', value: (n * width + t) % 2_000_000_000, at }))
    outbox.add({ deviceId: backlog.deviceId, at, metrics } satisfies DataRecord)
    // As the gateway's event loop lets it: a checkpoint holds writes in memory until its fsyncs end.
    if (n % 1000 === 999) await outbox.flushed()
  }
  const bytes = outbox.stats().bytes
  outbox.close()
  return bytes
}
