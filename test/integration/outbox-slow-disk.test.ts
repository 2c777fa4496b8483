import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { setImmediate as turn } from 'node:timers/promises'
import { after, test } from 'node:test'
import type { DataRecord } from '../../gateway/model/value.js'
import { createSqliteOutbox, type SqliteOutboxOptions } from '../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { openSlowDisk, unavailableReason, type SlowDisk } from '../helpers/slow-disk.js'

// A worn SD card or a busy eMMC: a few writes per second, so every fsync takes hundreds of ms.
function slowDisk(): SlowDisk | string {
  const why = unavailableReason()
  if (why !== null) return why
  let disk: SlowDisk | null = null
  try {
    disk = openSlowDisk(64, 'commit=300')
    disk.throttle(0)
    return disk
  } catch (err) {
    // A container may list loop devices or a cgroup file it may not use.
    disk?.close()
    return (err as Error).message
  }
}
const made = slowDisk()
const skip = typeof made === 'string' ? made : false
const disk = typeof made === 'string' ? null : made
after(() => disk?.close())

function reading(n: number): DataRecord {
  const at = 1_700_000_000_000 + n
  return { deviceId: `dev${n % 3}`, at, metrics: [{ name: 'Counter', type: 'Int64', value: BigInt(n), at }] }
}

function open(name: string, extra: Partial<SqliteOutboxOptions> = {}) {
  return createSqliteOutbox({ path: join(disk!.dir, name), maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'power', log: silentLog, ...extra })
}

const values = (entries: readonly { metrics: readonly { value: unknown }[] }[]) => entries.map((e) => Number(e.metrics[0]!.value))

test('slow disk - with durability power, records are taken, read and acknowledged while their fsync is still running', { skip }, async () => {
  const outbox = open('power.db')
  try {
    // Nothing of the file's creation left to write: every write counted below is the outbox's.
    execFileSync('sync')
    disk!.throttle(3)
    for (let n = 0; n < 20; n++) outbox.add(reading(n))
    const writesBefore = disk!.writesServed()
    outbox.stats()
    // The commit returns having written to the page cache; its fsync runs in the thread pool.
    const writesDuringCommit = disk!.writesServed() - writesBefore
    const events: string[] = []
    const onDisk = outbox.flushed().then(() => events.push('on disk'))
    await new Promise((resolve) => setTimeout(resolve, 0))
    events.push('timer ran')
    for (let n = 20; n < 40; n++) outbox.add(reading(n))
    outbox.ack(outbox.peek(5).map((e) => e.id))
    assert.deepEqual(values(outbox.peek(100)), Array.from({ length: 35 }, (_, i) => i + 5))
    events.push('worked')
    await onDisk
    assert.deepEqual(events, ['timer ran', 'worked', 'on disk'])
    const writesAfterCommit = disk!.writesServed() - writesBefore - writesDuringCommit
    assert.ok(writesAfterCommit > writesDuringCommit, `${writesDuringCommit} disk writes before the commit returned, ${writesAfterCommit} after`)
  } finally {
    outbox.close()
    disk!.throttle(0)
  }
})

test('slow disk - checkpoints that take seconds lose, repeat and reorder nothing', { skip }, async () => {
  // A 1 MiB cap checkpoints every 64 KiB of WAL: several slow checkpoints in this test.
  let outbox = open('cycles.db', { maxSizeBytes: 1024 * 1024 })
  const expected: number[] = []
  try {
    disk!.throttle(5)
    let n = 0
    for (let scan = 0; scan < 40; scan++) {
      for (let i = 0; i < 50; i++, n++) {
        outbox.add(reading(n))
        expected.push(n)
      }
      // The replay side acknowledges the oldest ten after every scan, as a pump draining slowly does.
      const acked = outbox.peek(10)
      outbox.ack(acked.map((e) => e.id))
      expected.splice(0, acked.length)
      await turn()
      if (scan % 10 === 9) await outbox.flushed()
    }
    assert.deepEqual(values(outbox.peek(n)), expected)
    outbox.close()
    disk!.throttle(0)
    outbox = open('cycles.db', { maxSizeBytes: 1024 * 1024 })
    assert.deepEqual(values(outbox.peek(n)), expected)
  } finally {
    outbox.close()
    disk!.throttle(0)
  }
})
