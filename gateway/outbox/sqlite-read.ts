import type { Log } from '../model/log.js'
import type { OutboxEntry } from './outbox.js'
import { decodeRecordMetrics } from './record-codec.js'
import { readRows, type Row, type Store } from './sqlite-store.js'

/** Which records a peek asks for. */
export interface PeekRange {
  readonly limit: number
  /** Only ids above this one. */
  readonly after: number
  /** Only records of these devices, when given. */
  readonly devices: ReadonlySet<string | null> | undefined
}

/**
 * Up to `limit` records of the file after `after`, skipping the rows `hidden` says are acknowledged
 * already (a checkpoint holds their deletion). Rows that cannot be decoded are logged and returned
 * apart, to be dropped: one would block the replay forever. Database errors are thrown.
 */
export function readEntries(s: Store, range: PeekRange, hidden: (id: number) => boolean, log: Log, path: string): { entries: OutboxEntry[]; unreadable: number[] } {
  const { limit, devices } = range
  const entries: OutboxEntry[] = []
  const unreadable: number[] = []
  for (let cursor = range.after; entries.length < limit; ) {
    const want = limit - entries.length
    const rows: Row[] = readRows(s, want, cursor, devices)
    for (const row of rows) {
      if (hidden(row.id)) continue
      try {
        const metrics = decodeRecordMetrics(row.metrics, row.at, s.dict)
        entries.push({ id: row.id, deviceId: s.dict.deviceOf(row.device) ?? null, at: row.at, metrics })
      } catch (err) {
        log.error('dropped an unreadable buffer record', { path, id: row.id, reason: err instanceof Error ? err.message : String(err) })
        unreadable.push(row.id)
      }
    }
    if (rows.length < want) break
    cursor = rows.at(-1)!.id
  }
  return { entries, unreadable }
}

/**
 * The first `limit` records of several lists, each holding the first `limit` of its kind in id
 * order. A record in two of them (the file took it back while the spill still holds it, a restore
 * cut short) appears once.
 */
export function mergeEntries(limit: number, lists: readonly (readonly OutboxEntry[])[]): OutboxEntry[] {
  const merged = lists.flat()
  merged.sort((a, b) => a.id - b.id)
  const once = merged.filter((e, i) => i === 0 || merged[i - 1]!.id !== e.id)
  once.length = Math.min(once.length, limit)
  return once
}
