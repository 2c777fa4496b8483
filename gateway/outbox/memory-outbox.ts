import type { DataRecord, Value } from '../model/value.js'
import type { Outbox, OutboxEntry } from './outbox.js'
import type { OutboxStats } from '../base/status.js'

/** An outbox that lives in memory: for tests and for `buffer.path: null`. Lost on restart. */
export function createMemoryOutbox(options: { maxRecords?: number; whenFull?: 'drop-oldest' | 'drop-newest' } = {}): Outbox {
  const maxRecords = options.maxRecords ?? 100_000
  const whenFull = options.whenFull ?? 'drop-oldest'
  // Entries in id order; `head` skips the acknowledged prefix so acks in order cost no copying.
  let entries: OutboxEntry[] = []
  let head = 0
  let bytes = 0
  let nextId = 1
  let dropped = 0

  const live = (): number => entries.length - head
  const compact = (): void => {
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head)
      head = 0
    }
  }

  const outbox: Outbox = {
    add(record: DataRecord): number {
      let removed = 0
      if (live() >= maxRecords) {
        dropped++
        if (whenFull === 'drop-newest') return 1
        bytes -= sizeOf(entries[head])
        head++
        removed = 1
        compact()
      }
      const entry = { ...record, id: nextId++ }
      entries.push(entry)
      bytes += sizeOf(entry)
      return removed
    },
    peek(limit, opts = {}) {
      const out: OutboxEntry[] = []
      let i = head
      if (opts.afterId !== undefined) i = firstAfter(entries, head, opts.afterId)
      for (; i < entries.length && out.length < limit; i++) {
        const entry = entries[i]
        if (opts.devices && !opts.devices.has(entry.deviceId)) continue
        out.push(entry)
      }
      return out
    },
    ack(ids) {
      const gone = new Set(ids)
      while (head < entries.length && gone.delete(entries[head].id)) bytes -= sizeOf(entries[head++])
      if (gone.size > 0) {
        entries = entries.slice(head).filter((e) => {
          if (!gone.has(e.id)) return true
          bytes -= sizeOf(e)
          return false
        })
        head = 0
      }
      compact()
    },
    drop(ids) {
      const before = live()
      outbox.ack(ids)
      dropped += before - live()
    },
    stats(): OutboxStats {
      return { records: live(), bytes, oldestAt: entries[head]?.at ?? null, dropped, nextId }
    },
    close() {
      entries = []
      head = 0
      bytes = 0
    },
  }
  return outbox
}

/** Index of the first entry with an id above `afterId` (entries are in id order). */
function firstAfter(entries: readonly OutboxEntry[], from: number, afterId: number): number {
  let lo = from
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (entries[mid].id <= afterId) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** A rough count of the bytes a record holds, for `stats().bytes`: strings as UTF-16, numbers as 8. */
function sizeOf(record: DataRecord): number {
  let n = 64 + (record.deviceId?.length ?? 0) * 2
  for (const m of record.metrics) n += 48 + m.name.length * 2 + valueSize(m.value)
  return n
}

function valueSize(v: Value | null): number {
  if (v === null || typeof v === 'boolean') return 0
  if (typeof v === 'string') return v.length * 2
  if (v instanceof Uint8Array) return v.length
  if (Array.isArray(v)) return v.reduce<number>((n, item) => n + 8 + (typeof item === 'string' ? item.length * 2 : 0), 0)
  return 8
}
