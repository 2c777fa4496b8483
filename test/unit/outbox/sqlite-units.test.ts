/**
 * The parts of the SQLite outbox on their own: the size budget and the open batch on a manual
 * clock, the write-failure episode, the merge of a peek's sources. The outbox as a whole is tested
 * in sqlite-outbox*.test.ts against real files.
 */
import Database from 'better-sqlite3'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { OutboxEntry } from '../../../gateway/outbox/outbox.js'
import { acksPerBatch, OpenBatch, unrefTimer, type StartTimer } from '../../../gateway/outbox/sqlite-batch.js'
import { SizeBudget, type FilePages } from '../../../gateway/outbox/sqlite-budget.js'
import { WriteFailures } from '../../../gateway/outbox/sqlite-failures.js'
import { createSqliteOutbox } from '../../../gateway/outbox/sqlite-outbox.js'
import { mergeEntries } from '../../../gateway/outbox/sqlite-read.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { recordingLog } from '../../helpers/fake-upstream.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'
import { ManualClock } from '../../helpers/manual-clock.js'

const pageSize = 4096

/** A file of one record per page: deleting records frees their pages for reuse. */
function fakeFile(records: number, freePages = 0): FilePages & { records: number; asked: number; deletes: number[] } {
  const file = {
    records,
    asked: 0,
    deletes: [] as number[],
    used: () => (file.asked++, file.records + freePages),
    free: () => freePages,
    dropOldest(n: number) {
      const gone = Math.min(n, file.records)
      file.records -= gone
      freePages += gone
      file.deletes.push(n)
      return gone
    },
  }
  return file
}

const entry = (id: number): OutboxEntry => ({ id, deviceId: null, at: id, metrics: [] })

test('size budget - after a full disk the file keeps its size until the retry time has passed, then may grow to the cap again', () => {
  const clock = new ManualClock()
  const budget = new SizeBudget(100, pageSize, 'drop-oldest', 60_000, () => clock.now(), () => false)
  budget.filled(50)
  assert.equal(budget.diskFull, true)
  // A row of one page needs 4 (its page and a split of two leaves): at 50 of 50 pages the oldest go.
  assert.deepEqual(budget.makeRoom(fakeFile(50), 100, 50), { removed: 16, fits: true })
  budget.forget()
  clock.advance(59_999)
  assert.equal(budget.makeRoom(fakeFile(50), 100, 50).removed, 16)
  budget.forget()
  clock.advance(1)
  assert.deepEqual(budget.makeRoom(fakeFile(50), 100, 50), { removed: 0, fits: true })
  assert.equal(budget.diskFull, false)
})

test('size budget - a full disk never caps the file above its size cap', () => {
  const budget = new SizeBudget(100, pageSize, 'drop-oldest', 60_000, () => 0, () => false)
  budget.filled(120)
  assert.equal(budget.diskFull, false)
})

test('size budget - drop-oldest deletes a hundredth of the backlog (at least 16) per step until the row fits; drop-newest deletes none', () => {
  const oldest = new SizeBudget(3000, pageSize, 'drop-oldest', 60_000, () => 0, () => false)
  const full = fakeFile(3000)
  assert.deepEqual(oldest.makeRoom(full, 100, 3000), { removed: 30, fits: true })
  assert.deepEqual(full.deletes, [30])
  const few = fakeFile(1000)
  new SizeBudget(1000, pageSize, 'drop-oldest', 60_000, () => 0, () => false).makeRoom(few, 100, 1000)
  assert.deepEqual(few.deletes, [16])
  const newest = new SizeBudget(1000, pageSize, 'drop-newest', 60_000, () => 0, () => false)
  const refusing = fakeFile(1000)
  assert.deepEqual(newest.makeRoom(refusing, 100, 1000), { removed: 0, fits: false })
  assert.deepEqual(refusing.deletes, [])
})

test('size budget - an empty file that cannot take the row says so instead of deleting', () => {
  const budget = new SizeBudget(2, pageSize, 'drop-oldest', 60_000, () => 0, () => false)
  const file = fakeFile(0)
  assert.deepEqual(budget.makeRoom(file, 100, 0), { removed: 0, fits: false })
  assert.deepEqual(file.deletes, [])
})

test('size budget - pages known to be free are counted down without asking the file, and asked again after forget', () => {
  const budget = new SizeBudget(1000, pageSize, 'drop-oldest', 60_000, () => 0, () => false)
  const file = fakeFile(0)
  budget.makeRoom(file, 100, 0)
  assert.equal(file.asked, 1)
  // Rows spanning overflow pages need more: 3 pages of data, 3 for the leaf splits.
  for (let n = 0; n < 100; n++) budget.makeRoom(file, 2 * (pageSize - 64) + 1, 0)
  assert.equal(file.asked, 1)
  budget.forget()
  budget.makeRoom(file, 100, 0)
  assert.equal(file.asked, 2)
})

/** A timer driven by a manual clock, and what it was asked to do. */
function manualTimer(clock: ManualClock): StartTimer & { started: number; cancelled: number } {
  const timer = Object.assign(
    (run: () => void, ms: number) => {
      timer.started++
      const stop = new AbortController()
      void clock.sleep(ms, stop.signal).then(() => {
        if (!stop.signal.aborted) run()
      })
      return () => (timer.cancelled++, stop.abort())
    },
    { started: 0, cancelled: 0 },
  )
  return timer
}

function fakeDb(): { inTransaction: boolean; sql: string[]; exec(sql: string): void } {
  const db = { inTransaction: false, sql: [] as string[], exec: (sql: string) => (db.sql.push(sql), (db.inTransaction = sql === 'BEGIN')) }
  return db
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('open batch - the commit is due one interval after the transaction opened, not after the latest write', async () => {
  const clock = new ManualClock()
  const timer = manualTimer(clock)
  let due = 0
  const batch = new OpenBatch(200, 1 << 20, () => due++, timer)
  const db = fakeDb()
  batch.begin(db)
  clock.advance(150)
  batch.begin(db)
  assert.deepEqual({ sql: db.sql, started: timer.started }, { sql: ['BEGIN'], started: 1 })
  clock.advance(49)
  await settle()
  assert.equal(due, 0)
  clock.advance(1)
  await settle()
  assert.equal(due, 1)
})

test('open batch - a commit or rollback stops the timer: a stopped batch is never due', async () => {
  const clock = new ManualClock()
  const timer = manualTimer(clock)
  let due = 0
  const batch = new OpenBatch(200, 1 << 20, () => due++, timer)
  batch.begin(fakeDb())
  batch.stopTimer()
  batch.stopTimer()
  clock.advance(1000)
  await settle()
  assert.deepEqual({ due, cancelled: timer.cancelled }, { due: 0, cancelled: 1 })
})

test('open batch - commits early once its rows reach the byte bound or its acknowledgements the ack bound', () => {
  const batch = new OpenBatch(200, 1000, () => {}, () => () => {})
  assert.equal(batch.wrote(entry(1), 999), false)
  assert.equal(batch.wrote(entry(2), 1), true)
  assert.equal(batch.acked(acksPerBatch - 1), false)
  assert.equal(batch.acked(1), true)
  batch.reset()
  assert.equal(batch.wrote(entry(3), 999), false)
  assert.equal(batch.acked(acksPerBatch - 1), false)
})

test('open batch - remembers what a rollback must keep: its records not acknowledged, and what it deleted under the cap', () => {
  const batch = new OpenBatch(200, 1000, () => {}, () => () => {})
  for (const id of [1, 2, 3]) batch.wrote(entry(id), 10)
  batch.removed += 5
  batch.forget(new Set([2]))
  assert.deepEqual({ ids: batch.entries.map((e) => e.id), removed: batch.removed }, { ids: [1, 3], removed: 5 })
  const kept = batch.entries
  batch.reset()
  assert.deepEqual({ kept: kept.length, now: batch.entries.length, removed: batch.removed }, { kept: 2, now: 0, removed: 0 })
})

test('write failures - an episode is logged once when it starts, with where records wait, and once when it ends', () => {
  const log = recordingLog()
  const failures = new WriteFailures('/var/lib/buffer.db', log)
  failures.failed(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }), 'SQLITE_IOERR', null, 3, 'memory')
  failures.failed(new Error('still failing'), 'SQLITE_IOERR', null, 2, 'memory')
  assert.equal(failures.reason, 'still failing')
  const errors = log.lines.items.filter((l) => l.level === 'error')
  assert.equal(errors.length, 1)
  assert.match(errors[0]!.message, /records wait in memory/)
  assert.deepEqual(errors[0]!.fields, { path: '/var/lib/buffer.db', code: 'SQLITE_IOERR', reason: 'disk I/O error', kept: 3 })
  assert.equal(failures.endsAfterCommit(() => 0, () => false), true)
  assert.equal(failures.active, false)
  assert.deepEqual(log.lines.items.filter((l) => l.level === 'info').map((l) => l.fields.kept), [5])
  assert.equal(failures.endsAfterCommit(() => 0, () => false), false)
})

test('write failures - a full disk ends only once the file has grown past the size it had when the disk filled up, or the file system has room again', () => {
  const log = recordingLog()
  const failures = new WriteFailures('buffer.db', log)
  failures.failed(new Error('database or disk is full'), 'SQLITE_FULL', 40, 1, 'memory')
  assert.match(log.lines.items[0]!.message, /disk full; the file keeps its current size/)
  assert.equal(failures.endsAfterCommit(() => 40, () => false), false)
  assert.equal(failures.active, true)
  assert.equal(failures.endsAfterCommit(() => 41, () => false), true)
  failures.failed(new Error('database or disk is full'), 'SQLITE_FULL', 40, 1, 'memory')
  assert.equal(failures.endsAfterCommit(() => 40, () => true), true)
})

test('peek merge - the first `limit` of all sources in id order, a record held in two of them once', () => {
  const fromFile = [entry(1), entry(4), entry(5)]
  const fromSpill = [entry(2), entry(4), entry(7)]
  const held = [entry(8)]
  assert.deepEqual(mergeEntries(5, [fromFile, fromSpill, held]).map((e) => e.id), [1, 2, 4, 5, 7])
  assert.deepEqual(mergeEntries(10, [[], [], []]), [])
})

/** A file whose size the test sets: deleting records frees nothing. */
function sizedFile(pages: number): FilePages & { pages: number; asked: number } {
  const file = { pages, asked: 0, used: () => (file.asked++, file.pages), free: () => 0, dropOldest: () => 0 }
  return file
}

test('size budget - a row needs its pages of data (a page holds its size less 64 bytes) and 3 for leaf splits: it fits in exactly that room, not in one page less', () => {
  const twoPagesAndAByte = 2 * (pageSize - 64) + 1
  const budget = () => new SizeBudget(10, pageSize, 'drop-newest', 60_000, () => 0, () => false)
  assert.deepEqual(budget().makeRoom(sizedFile(4), twoPagesAndAByte, 0), { removed: 0, fits: true })
  assert.deepEqual(budget().makeRoom(sizedFile(5), twoPagesAndAByte, 0), { removed: 0, fits: false })
})

test('size budget - pages counted down without asking are used up exactly: the row after them asks the file, and a file at its cap refuses it', () => {
  const budget = new SizeBudget(8, pageSize, 'drop-newest', 60_000, () => 0, () => false)
  const file = sizedFile(0)
  const fits: boolean[] = []
  for (const grownTo of [4, 8, 8]) {
    fits.push(budget.makeRoom(file, 100, 0).fits)
    file.pages = grownTo
  }
  assert.deepEqual({ fits, asked: file.asked }, { fits: [true, true, false], asked: 2 })
})

test('size budget - each step of drop-oldest deletes a hundredth of what is left of the backlog', () => {
  const budget = new SizeBudget(3000, pageSize, 'drop-oldest', 60_000, () => 0, () => false)
  const file = fakeFile(3000)
  // 57 pages of data and 3 for the splits: 60 pages, freed 30 records at a time.
  assert.deepEqual(budget.makeRoom(file, 57 * (pageSize - 64), 3000), { removed: 60, fits: true })
  assert.deepEqual(file.deletes, [30, 30])
})

test('write failures - the log names a full disk only when the disk is full, and says when writes succeed again', () => {
  const log = recordingLog()
  const failures = new WriteFailures('buffer.db', log)
  failures.failed(new Error('disk I/O error'), 'SQLITE_IOERR', null, 1, 'memory')
  failures.endsAfterCommit(() => 0, () => false)
  assert.deepEqual(log.lines.items.map((l) => l.message), [
    'cannot write the buffer database (records wait in memory, and live data keeps flowing)',
    'buffer writes succeed again; records kept meanwhile go back into the file',
  ])
})

test('open batch - the commit timer runs once its time is up, and never once cancelled', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  let ran = 0
  unrefTimer(() => ran++, 200)
  const cancel = unrefTimer(() => (ran += 10), 200)
  cancel()
  t.mock.timers.tick(199)
  assert.equal(ran, 0)
  t.mock.timers.tick(1)
  assert.equal(ran, 1)
})

const freshDir = freshDirs('sqlite-units')

test('sqlite read - a peek past an undecodable record returns at most its limit, and the log names the record and why', () => {
  const path = join(freshDir(), 'buffer.db')
  const reading = (n: number) => ({ deviceId: 'Boiler1', at: 1_700_000_000_000 + n, metrics: [{ name: 'Counter', type: 'Int32' as const, value: n, at: 1_700_000_000_000 + n }] })
  const first = createSqliteOutbox({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log: silentLog })
  for (let n = 0; n < 4; n++) first.add(reading(n))
  const broken = first.peek(1)[0]!.id
  first.close()
  const db = new Database(path)
  db.prepare('UPDATE records SET metrics = ? WHERE id = ?').run(Buffer.from([0x0a, 0x01]), broken)
  db.close()
  const log = recordingLog()
  const outbox = createSqliteOutbox({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log })
  try {
    assert.deepEqual(outbox.peek(2).map((e) => e.metrics[0]!.value), [1, 2])
    const errors = log.lines.items.filter((l) => l.level === 'error')
    assert.deepEqual(errors.map((l) => [l.message, l.fields.path, l.fields.id, typeof l.fields.reason]), [['dropped an unreadable buffer record', path, broken, 'string']])
  } finally {
    outbox.close()
  }
})
