import assert from 'node:assert/strict'
import { mkdirSync, openSync, renameSync, rmSync, statSync, closeSync, fstatSync, writeSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Log, LogFields } from '../../../gateway/model/log.js'
import type { DataRecord } from '../../../gateway/model/value.js'
import { openBuffer } from '../../../gateway/outbox/sqlite-fallback.js'
import { createSqliteOutbox, spillRecords, type SqliteOutboxOptions } from '../../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const freshDir = freshDirs('outbox-faults')

const options = (path: string, extra: Partial<SqliteOutboxOptions> = {}): SqliteOutboxOptions =>
  ({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log: silentLog, ...extra })

function recordingLog(): Log & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = []
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields })
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

const reading = (n: number): DataRecord => ({ deviceId: 'Boiler1', at: 1_700_000_000_000 + n, metrics: [{ name: 'Counter', type: 'Int32', value: n, at: 1_700_000_000_000 + n }] })
const values = (entries: readonly { metrics: readonly { value: unknown }[] }[]) => entries.map((e) => e.metrics[0]!.value)

/** Overwrites everything past the first page of `file` (the header stays, so SQLite reads on). */
function damage(file: string): void {
  const fd = openSync(file, 'r+')
  try {
    const size = fstatSync(fd).size
    if (size > 4096) writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096)
  } finally {
    closeSync(fd)
  }
}

test('sqlite outbox - a record added after close is counted as dropped', () => {
  const outbox = createSqliteOutbox(options(join(freshDir(), 'buffer.db')))
  outbox.close()
  assert.equal(outbox.add(reading(1)), 1)
  assert.equal(outbox.stats().dropped, 1)
})

test('sqlite outbox - a full disk with drop-newest and an empty file: records wait in memory instead of being dropped', () => {
  const log = recordingLog()
  // max_page_count fails writes with SQLITE_FULL exactly as a full disk does.
  const outbox = createSqliteOutbox(options(join(freshDir(), 'buffer.db'), { whenFull: 'drop-newest', maxPageCount: 8, log }))
  try {
    const total = 2000
    for (let n = 0; n < total; n++) {
      outbox.add(reading(n))
      if (n % 100 === 99) outbox.stats()
    }
    const stats = outbox.stats()
    assert.deepEqual({ records: stats.records, dropped: stats.dropped }, { records: total, dropped: 0 })
    assert.match(outbox.writeError() ?? '', /full/)
    const entries = outbox.peek(total)
    assert.deepEqual(values(entries), Array.from({ length: total }, (_, n) => n))
    outbox.ack(entries.map((e) => e.id))
    assert.equal(outbox.stats().records, 0)
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1)
  } finally {
    outbox.close()
  }
})

test('sqlite outbox - a file found corrupt while running: its records count as dropped, the open batch waits in memory', async () => {
  const dir = freshDir()
  const path = join(dir, 'buffer.db')
  const log = recordingLog()
  // Not tried again within the test: what it checks is the time without a file.
  const outbox = createSqliteOutbox(options(path, { log, reopenEveryMs: 3_600_000 }))
  try {
    // More than SQLite's 16 MB page cache, so the damage below is read back from the file.
    const big = (n: number): DataRecord => ({ ...reading(n), metrics: [{ name: 'Blob', type: 'String', value: `${n}:${'x'.repeat(64 * 1024)}`, at: 0 }] })
    const committed = 400
    for (let n = 0; n < committed; n++) outbox.add(big(n))
    await outbox.flushed()
    assert.equal(outbox.stats().records, committed)
    outbox.add(reading(committed))
    outbox.add(reading(committed + 1))
    damage(path)
    damage(`${path}-wal`)
    // A directory where SQLite's -shm file would go makes replacing the file fail too.
    mkdirSync(`${path}-shm`)

    assert.deepEqual(values(outbox.peek(10)), [committed, committed + 1])
    assert.ok(log.lines.some((l) => l.level === 'warn' && /moved it aside/.test(l.message)))
    assert.ok(log.lines.some((l) => l.level === 'error' && /cannot replace the corrupt buffer/.test(l.message)))
    assert.deepEqual({ records: outbox.stats().records, dropped: outbox.stats().dropped }, { records: 2, dropped: committed })

    // No database now: live data still flows, the condition is reported, the memory bound counts its drops.
    assert.match(outbox.writeError() ?? '', /directory/)
    for (let n = 0; n < spillRecords + 3; n++) outbox.add(reading(1000 + n))
    const stats = outbox.stats()
    assert.deepEqual({ records: stats.records, dropped: stats.dropped }, { records: spillRecords, dropped: committed + 5 })
    // The two records of the lost batch and the three oldest after them made room.
    assert.deepEqual(values(outbox.peek(2)), [1003, 1004])
  } finally {
    outbox.close()
  }
})

test('sqlite outbox - the buffer file and its WAL are 0600, a directory it creates 0700', () => {
  const dir = join(freshDir(), 'nested', 'state')
  const path = join(dir, 'buffer.db')
  const outbox = createSqliteOutbox(options(path))
  try {
    outbox.add(reading(1))
    outbox.stats()
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600)
    assert.equal(statSync(dir).mode & 0o777, 0o700)
    assert.equal(statSync(join(dir, '..')).mode & 0o777, 0o700)
  } finally {
    outbox.close()
  }
})

test('sqlite outbox - a buffer file that cannot be opened falls back to memory (no runtime directory), says so once and reports it', () => {
  const dir = freshDir()
  writeFileSync(join(dir, 'not-a-dir'), 'x')
  const path = join(dir, 'not-a-dir', 'buffer.db')
  const log = recordingLog()
  const buffer = openBuffer(options(path, { log }))
  try {
    buffer.outbox.add(reading(1))
    assert.deepEqual(values(buffer.outbox.peek(10)), [1])
    const status = buffer.status()
    assert.equal(status.writable, false)
    assert.match(status.error ?? '', /not a directory/)
    assert.equal(log.lines.filter((l) => l.level === 'error' && /buffering outside the buffer file: it cannot be opened \(records wait in memory/.test(l.message)).length, 1)
  } finally {
    buffer.outbox.close()
  }
})

test('sqlite outbox - a file that could not be opened at start is opened while running: its rows and the records kept meanwhile are all delivered, each under its own id', async () => {
  const dir = freshDir()
  // A run that left three records in its file (ids 1 to 3).
  const earlierPath = join(dir, 'earlier.db')
  const earlier = createSqliteOutbox(options(earlierPath))
  for (let n = 0; n < 3; n++) earlier.add(reading(n))
  earlier.close()
  // This run's state directory is not there yet (a plain file where it should be): no file at start.
  const state = join(dir, 'state')
  writeFileSync(state, '')
  const log = recordingLog()
  const { outbox, status } = openBuffer(options(join(state, 'buffer.db'), { log, reopenEveryMs: 0 }))
  try {
    for (let n = 100; n < 103; n++) outbox.add(reading(n))
    assert.match(status().error ?? '', /not a directory|ENOTDIR|EEXIST/)
    rmSync(state)
    mkdirSync(state, { mode: 0o700 })
    renameSync(earlierPath, join(state, 'buffer.db'))
    outbox.add(reading(200))
    assert.deepEqual(status(), { path: join(state, 'buffer.db'), writable: true, error: null })
    const entries = outbox.peek(100)
    assert.deepEqual(values(entries), [100, 101, 102, 0, 1, 2, 200], 'the records of this run keep their ids; the file\'s rows move above them')
    assert.equal(new Set(entries.map((e) => e.id)).size, entries.length, 'no id names two records')
    assert.equal(log.lines.filter((l) => l.level === 'info' && /buffer file opened/.test(l.message)).length, 1)
    outbox.ack(entries.map((e) => e.id))
    assert.equal(outbox.stats().records, 0)
  } finally {
    outbox.close()
  }
})
