/**
 * SQLite outbox benchmark: append throughput at each durability, drain rate of a 1,000,000-metric
 * backlog with resident memory sampled during the drain, and database bytes per buffered metric.
 * Run: `npx tsc -p tsconfig.json && node dist/scripts/bench/outbox.js [directory]` (default: the OS
 * temp directory; give a directory on the disk you care about, fsync cost depends on it).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DataRecord, Metric } from '../../gateway/model/value.js'
import { createSqliteOutbox } from '../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../gateway/runtime/log.js'

const metricsPerRecord = 10
const appendRecords = 50_000
const backlogRecords = 100_000
const drainBatch = 500
const maxSizeBytes = 512 * 1024 * 1024

/** A poll of one device: floats, integers, a boolean and a 64-bit counter, as a Modbus map gives. */
function record(n: number): DataRecord {
  const at = 1_700_000_000_000 + n * 100
  const metrics: Metric[] = []
  for (let i = 0; i < metricsPerRecord; i++) {
    const name = `Line${n % 4}/Sensor${i}/value`
    if (i < 4) metrics.push({ name, type: 'Float', value: Math.fround(20 + ((n * 7 + i) % 1000) / 10), at: at - i })
    else if (i < 8) metrics.push({ name, type: 'Int32', value: (n * 13 + i) % 65_536, at: at - i })
    else if (i === 8) metrics.push({ name, type: 'Boolean', value: n % 2 === 0, at })
    else metrics.push({ name, type: 'UInt64', value: BigInt(n) * 1000n, at })
  }
  return { deviceId: `Device${n % 4}`, at, metrics }
}

function open(path: string, durability: 'power' | 'process') {
  return createSqliteOutbox({ path, maxSizeBytes, whenFull: 'drop-oldest', durability, log: silentLog })
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)
const rate = (n: number, ms: number): string => Math.round((n * 1000) / ms).toLocaleString('en-US')

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'outbox-bench-'))
const rows: string[][] = [['measure', 'records/s', 'metrics/s', 'notes']]
try {
  // Batches committed by size show the ceiling; a commit every 100 records shows what each fsync costs.
  for (const commitEvery of [0, 100]) {
    for (const durability of ['process', 'power'] as const) {
      const path = join(dir, `append-${durability}-${commitEvery}.db`)
      const outbox = open(path, durability)
      const start = performance.now()
      for (let n = 1; n <= appendRecords; n++) {
        outbox.add(record(n))
        if (n % commitEvery === 0) outbox.stats()
        // Commits and checkpoints finish between scans in the gateway; here every 1,000 records.
        if (n % 1000 === 0) await outbox.flushed()
      }
      await outbox.flushed()
      const ms = performance.now() - start
      outbox.close()
      const batches = commitEvery ? `a commit every ${commitEvery} records` : 'batches committed by size'
      rows.push([`append, durability ${durability}`, rate(appendRecords, ms), rate(appendRecords * metricsPerRecord, ms), `${appendRecords} records, ${batches}`])
    }
  }

  const path = join(dir, 'backlog.db')
  let outbox = open(path, 'process')
  for (let n = 0; n < backlogRecords; n++) {
    outbox.add(record(n))
    if (n % 1000 === 999) await outbox.flushed()
  }
  const filled = outbox.stats()
  outbox.close()
  const fileBytes = statSync(path).size
  const metrics = backlogRecords * metricsPerRecord
  rows.push(['bytes per buffered metric', '', '', `${(filled.bytes / metrics).toFixed(2)} (stats.bytes ${mib(filled.bytes)} MiB incl. WAL; ${(fileBytes / metrics).toFixed(2)} after checkpoint)`])

  // The backlog is drained after a restart, as after an outage: reopen, then peek + ack in batches.
  outbox = open(path, 'process')
  const rss: number[] = []
  let drained = 0
  let afterId = 0
  const start = performance.now()
  for (let batch = 0; ; batch++) {
    const entries = outbox.peek(drainBatch, { afterId })
    if (entries.length === 0) break
    afterId = entries[entries.length - 1].id
    drained += entries.length
    outbox.ack(entries.map((e) => e.id))
    if (batch % 10 === 0) rss.push(process.memoryUsage().rss)
  }
  outbox.stats()
  const ms = performance.now() - start
  outbox.close()
  if (drained !== backlogRecords) throw new Error(`drained ${drained} records, expected ${backlogRecords}`)
  rows.push([
    `drain 1,000,000 metrics, peek+ack ${drainBatch}`,
    rate(drained, ms),
    rate(drained * metricsPerRecord, ms),
    `RSS MiB at 0/25/50/75/100%: ${[0, 0.25, 0.5, 0.75, 1].map((f) => mib(rss[Math.min(rss.length - 1, Math.floor(f * rss.length))])).join(' / ')}`,
  ])
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '))
