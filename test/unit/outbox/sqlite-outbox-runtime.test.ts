import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import type { DataRecord } from '../../../gateway/model/value.js'
import { runtimeSpillBytes } from '../../../gateway/outbox/runtime-spill.js'
import { openBuffer } from '../../../gateway/outbox/sqlite-fallback.js'
import { createSqliteOutbox, type SqliteOutboxOptions } from '../../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { runtimeDirFor, type RuntimeDir } from '../../../gateway/base/runtime-dir.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'
import { fillDisk, mountTmpfs } from '../../helpers/tmpfs.js'

const freshDir = freshDirs('outbox-runtime')

/** A state directory and the runtime directory systemd would give the service. */
function dirs(): { state: string; runtime: RuntimeDir } {
  const state = freshDir()
  const runtime = runtimeDirFor(state, { RUNTIME_DIRECTORY: join(freshDir(), 'run') })
  mkdirSync(dirname(runtime.path))
  return { state, runtime }
}

const options = (path: string, runtimeDir: RuntimeDir, extra: Partial<SqliteOutboxOptions> = {}): SqliteOutboxOptions =>
  ({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log: silentLog, runtimeDir, ...extra })

const reading = (n: number): DataRecord => ({ deviceId: 'Boiler1', at: 1_700_000_000_000 + n, metrics: [{ name: 'Counter', type: 'Int32', value: n, at: 1_700_000_000_000 + n }] })
const values = (entries: readonly { metrics: readonly { value: unknown }[] }[]) => entries.map((e) => e.metrics[0]!.value)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

test('sqlite outbox - records a full file cannot take wait in the runtime directory: the next start finds them, moves them into the file once, and empties the runtime directory', () => {
  const { state, runtime } = dirs()
  const path = join(state, 'buffer.db')
  // max_page_count fails writes with SQLITE_FULL exactly as a full disk does.
  const full = createSqliteOutbox(options(path, runtime, { maxPageCount: 8 }))
  for (let n = 0; n < 500; n++) full.add(reading(n))
  full.stats()
  assert.match(full.writeError() ?? '', /full/)
  assert.ok(existsSync(join(runtime.path, 'buffer-spill.db')))
  full.close()
  assert.equal(full.stats().dropped, 0, 'stopping loses none of them')

  const again = createSqliteOutbox(options(path, runtime))
  try {
    const entries = again.peek(1000)
    assert.deepEqual(values(entries), range(0, 500))
    assert.equal(new Set(entries.map((e) => e.id)).size, 500)
    assert.deepEqual(readdirSync(runtime.path), [])
    again.add(reading(500))
    const next = again.peek(1000)
    assert.deepEqual(values(next), range(0, 501))
    assert.ok(next.at(-1)!.id > entries.at(-1)!.id, 'a new record replays after the restored ones')
    assert.deepEqual({ records: again.stats().records, dropped: again.stats().dropped }, { records: 501, dropped: 0 })
  } finally {
    again.close()
  }
  const third = createSqliteOutbox(options(path, runtime))
  try {
    assert.deepEqual(values(third.peek(1000)), range(0, 501), 'each record once, in the file')
  } finally {
    third.close()
  }
})

test('sqlite outbox - a buffer file that cannot be opened: records wait in the runtime directory and survive a restart', () => {
  const { state, runtime } = dirs()
  writeFileSync(join(state, 'not-a-dir'), 'x')
  const path = join(state, 'not-a-dir', 'buffer.db')
  const first = openBuffer(options(path, runtime))
  for (let n = 0; n < 20; n++) first.outbox.add(reading(n))
  first.outbox.ack(first.outbox.peek(5).map((e) => e.id))
  first.outbox.close()
  const second = openBuffer(options(path, runtime))
  try {
    assert.equal(second.status().writable, false)
    assert.deepEqual(values(second.outbox.peek(100)), range(5, 20))
    second.outbox.add(reading(20))
    assert.deepEqual(values(second.outbox.peek(100)), range(5, 21))
  } finally {
    second.outbox.close()
  }
})

test('sqlite outbox - the runtime spill is bounded in bytes (it is RAM): beyond it whenFull drops, counted', () => {
  const { state, runtime } = dirs()
  const outbox = createSqliteOutbox(options(join(state, 'buffer.db'), runtime, { maxPageCount: 8 }))
  try {
    const size = 256 * 1024
    const big = (n: number): DataRecord => ({ ...reading(n), metrics: [{ name: 'Blob', type: 'String', value: `${n}:${'x'.repeat(size)}`, at: 0 }] })
    const total = Math.ceil(runtimeSpillBytes / size) + 8
    for (let n = 0; n < total; n++) outbox.add(big(n))
    const stats = outbox.stats()
    assert.ok(stats.dropped >= 8, `dropped ${stats.dropped}`)
    assert.equal(stats.records + stats.dropped, total)
    const kept = outbox.peek(total).map((e) => Number(String(e.metrics[0]!.value).split(':')[0]))
    assert.deepEqual(kept, range(total - kept.length, total), 'the oldest went')
  } finally {
    outbox.close()
  }
})

const root = process.getuid?.() === 0 ? false : 'mounting a tmpfs needs root'

test('sqlite outbox - a disk that was full has room again while running: the records kept in the runtime directory go back into the file, once', { skip: root }, (t) => {
  const { state, runtime } = dirs()
  const unmount = mountTmpfs(state, 'rw')
  t.after(unmount)
  const path = join(state, 'buffer.db')
  const outbox = createSqliteOutbox(options(path, runtime, { diskFullRetryMs: 0 }))
  try {
    for (let n = 0; n < 10; n++) outbox.add(reading(n))
    outbox.stats()
    fillDisk(state)
    let n = 10
    for (const end = n + 200; n < end; n++) outbox.add(reading(n))
    outbox.stats()
    assert.match(outbox.writeError() ?? '', /full/)
    assert.ok(existsSync(join(runtime.path, 'buffer-spill.db')))
    rmSync(join(state, 'filler'))
    // The condition ends once the file has grown past the size it was stuck at.
    for (let i = 0; i < 20_000 && outbox.writeError() !== null; i++) {
      outbox.add(reading(n++))
      if (i % 50 === 0) outbox.stats()
    }
    assert.equal(outbox.writeError(), null)
    assert.deepEqual(readdirSync(runtime.path), [])
    const entries = outbox.peek(10_000)
    assert.deepEqual(values(entries), range(0, n))
    assert.deepEqual({ records: outbox.stats().records, dropped: outbox.stats().dropped }, { records: n, dropped: 0 })
  } finally {
    outbox.close()
  }
})
