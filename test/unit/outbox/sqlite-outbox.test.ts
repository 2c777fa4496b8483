import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Log, LogFields } from '../../../gateway/model/log.js'
import type { DataRecord } from '../../../gateway/model/value.js'
import { createSqliteOutbox, type SqliteOutboxOptions } from '../../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { outboxContract } from '../../contract/outbox.contract.js'

function tempPath(): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'))
  return { dir, path: join(dir, 'buffer.db') }
}

function open(path: string, extra: Partial<SqliteOutboxOptions> = {}) {
  return createSqliteOutbox({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log: silentLog, ...extra })
}

function recordingLog(): Log & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = []
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields })
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

/** A record of ten Int32 readings, told apart by `n` (its first value). */
function tenMetrics(n: number): DataRecord {
  const at = 1_700_000_000_000 + n * 100
  return { deviceId: `dev${n % 3}`, at, metrics: Array.from({ length: 10 }, (_, i) => ({ name: `tag${i}`, type: 'Int32' as const, value: n + i * 1000, at })) }
}

function diskBytes(path: string): number {
  const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0)
  return size(path) + size(`${path}-wal`)
}

outboxContract('sqlite outbox', () => {
  const { dir, path } = tempPath()
  return { outbox: open(path), reopen: () => open(path), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
})

for (const whenFull of ['drop-oldest', 'drop-newest'] as const) {
  test(`sqlite outbox - ${whenFull} holds a 256 KiB cap on disk and counts exactly the missing records`, async () => {
    const { dir, path } = tempPath()
    const cap = 256 * 1024
    const outbox = open(path, { maxSizeBytes: cap, whenFull })
    try {
      const total = 12_000
      let returned = 0
      for (let n = 0; n < total; n++) {
        returned += outbox.add(tenMetrics(n))
        if (n % 250 === 0) {
          // As the gateway's event loop would: commits and checkpoints run between scans.
          await outbox.flushed()
          assert.ok(diskBytes(path) <= cap, `${diskBytes(path)} bytes on disk after ${n} records`)
        }
      }
      const stats = outbox.stats()
      assert.ok(stats.bytes <= cap && diskBytes(path) <= cap, `${stats.bytes} bytes`)
      assert.ok(stats.records > 500, `only ${stats.records} records fit`)
      assert.equal(stats.dropped, total - stats.records)
      // Records written after a checkpoint released them are dropped then, not by their add().
      assert.ok(returned <= stats.dropped, `${returned} reported by add, ${stats.dropped} dropped`)
      const kept = outbox.peek(total).map((e) => e.metrics[0].value)
      const first = whenFull === 'drop-oldest' ? total - stats.records : 0
      assert.deepEqual(kept, Array.from({ length: stats.records }, (_, i) => first + i))
    } finally {
      outbox.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

test('sqlite outbox - freed pages are reused: draining and refilling does not grow the file', () => {
  const { dir, path } = tempPath()
  let outbox = open(path)
  try {
    const fill = (from: number): void => {
      for (let n = from; n < from + 3000; n++) outbox.add(tenMetrics(n))
    }
    fill(0)
    // Closing checkpoints the WAL into the main file, whose size is then the page count.
    outbox.close()
    const size = statSync(path).size
    outbox = open(path)
    for (let round = 1; round <= 3; round++) {
      while (outbox.stats().records > 0) outbox.ack(outbox.peek(1000).map((e) => e.id))
      fill(round * 3000)
    }
    outbox.close()
    assert.ok(statSync(path).size <= size * 1.1, `${statSync(path).size} bytes against ${size} after the first fill`)
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - a garbage file is moved aside with a warning and a new buffer starts', () => {
  const { dir, path } = tempPath()
  const garbage = Buffer.from('this is not an SQLite database\n'.repeat(300))
  writeFileSync(path, garbage)
  const log = recordingLog()
  const outbox = open(path, { log })
  try {
    const warn = log.lines.find((l) => l.level === 'warn')
    assert.match(warn?.message ?? '', /moved it aside/)
    const aside = readdirSync(dir).filter((f) => f.startsWith('buffer.db.corrupt-'))
    assert.equal(aside.length, 1)
    assert.equal(warn?.fields?.movedTo, join(dir, aside[0]))
    assert.deepEqual(readFileSync(join(dir, aside[0])), garbage)
    outbox.add(tenMetrics(1))
    assert.equal(outbox.peek(10).length, 1)
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - a database with damaged pages is moved aside at open', () => {
  const { dir, path } = tempPath()
  const first = open(path)
  for (let n = 0; n < 2000; n++) first.add(tenMetrics(n))
  first.close()
  const bytes = readFileSync(path)
  bytes.fill(0xa5, 4096)
  writeFileSync(path, bytes)
  const log = recordingLog()
  const outbox = open(path, { log })
  try {
    assert.ok(log.lines.some((l) => l.level === 'warn' && /moved it aside/.test(l.message)))
    assert.equal(outbox.stats().records, 0)
    // The records are not dropped but kept, byte for byte, in the file moved aside for recovery.
    assert.equal(outbox.stats().dropped, 0)
    const aside = readdirSync(dir).filter((f) => /^buffer\.db\.corrupt-[^-]/.test(f) && !/-(wal|shm)$/.test(f))
    assert.equal(aside.length, 1)
    assert.deepEqual(readFileSync(join(dir, aside[0])), bytes)
    outbox.add(tenMetrics(1))
    assert.equal(outbox.peek(10).length, 1)
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - an undecodable record is dropped, counted and logged instead of blocking the replay', () => {
  const { dir, path } = tempPath()
  const first = open(path)
  for (let n = 0; n < 3; n++) first.add(tenMetrics(n))
  const [, middle] = first.peek(3)
  first.close()
  const db = new Database(path)
  db.prepare('UPDATE records SET metrics = ? WHERE id = ?').run(Buffer.from([0x0a, 0x01]), middle.id)
  db.close()
  const log = recordingLog()
  const outbox = open(path, { log })
  try {
    assert.deepEqual(outbox.peek(10).map((e) => e.metrics[0].value), [0, 2])
    assert.equal(outbox.stats().dropped, 1)
    assert.equal(outbox.stats().records, 2)
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1)
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - SQLITE_FULL (max_page_count) never throws, logs once, counts losses and keeps buffering', async () => {
  const { dir, path } = tempPath()
  const log = recordingLog()
  // max_page_count makes SQLite fail exactly as a full disk does; no tmpfs mount is needed.
  const outbox = open(path, { log, maxPageCount: 60 })
  try {
    const total = 10_000
    for (let n = 0; n < total; n++) {
      outbox.add(tenMetrics(n))
      // Commits as the gateway's commit timer would: every few records, not one huge batch.
      if (n % 100 === 99) await outbox.flushed()
    }
    const stats = outbox.stats()
    const errors = log.lines.filter((l) => l.level === 'error')
    assert.equal(errors.length, 1)
    assert.equal(errors[0].fields?.code, 'SQLITE_FULL')
    assert.match(errors[0].message, /disk full/)
    assert.ok(stats.dropped > 0)
    assert.equal(stats.records + stats.dropped, total)
    const kept = outbox.peek(total).map((e) => e.metrics[0].value as number)
    assert.equal(kept.length, stats.records)
    assert.equal(kept.at(-1), total - 1)
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i] > kept[i - 1])
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - a cap below 256 KiB is refused with the minimum in the message', () => {
  const { dir, path } = tempPath()
  try {
    assert.throws(() => open(path, { maxSizeBytes: 1000 }), /at least 262144 bytes/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - records and acks that arrive while a checkpoint goes to disk are served from memory, then written in order, once', async () => {
  const { dir, path } = tempPath()
  // A 1 MiB cap puts the checkpoint at 64 KiB of WAL, a few hundred records.
  let outbox = open(path, { maxSizeBytes: 1024 * 1024 })
  try {
    // The checkpoint's fsyncs run in the thread pool, so it cannot finish before this loop yields.
    let n = 0
    while ((statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < 64 * 1024) {
      outbox.add(tenMetrics(n++))
      outbox.stats()
    }
    const held = Array.from({ length: 50 }, () => n++)
    for (const value of held) outbox.add(tenMetrics(value))
    const walBefore = statSync(`${path}-wal`).size
    assert.equal(outbox.stats().records, n, 'every record counted, in the file or waiting')

    // The oldest in the file and the newest waiting are acknowledged meanwhile.
    const first = outbox.peek(10)
    const last = outbox.peek(n).slice(-5)
    outbox.ack([...first, ...last].map((e) => e.id))
    const expected = Array.from({ length: n }, (_, i) => i).slice(10, n - 5)
    assert.equal(outbox.stats().records, expected.length)
    assert.deepEqual(outbox.peek(n).map((e) => e.metrics[0].value), expected)
    assert.equal(statSync(`${path}-wal`).size, walBefore, 'nothing written while the checkpoint is under way')

    await outbox.flushed()
    assert.deepEqual(outbox.peek(n).map((e) => e.metrics[0].value), expected)
    outbox.close()
    outbox = open(path, { maxSizeBytes: 1024 * 1024 })
    assert.deepEqual(outbox.peek(n).map((e) => e.metrics[0].value), expected)
  } finally {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
