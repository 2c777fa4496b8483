import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { LONGEST_WAIT_MS, ScanSchedule } from '../../../gateway/runtime/scan-schedule.js'
import { ManualClock } from '../../helpers/manual-clock.js'

function tags(periods: Record<string, number>) {
  const configs: TagConfig[] = Object.entries(periods).map(([name, pollMs]) => ({ name, pollMs, deadband: 0, writable: false, writeIntervalMs: 0 }))
  return tagDefs(
    configs,
    configs.map((c) => ({ name: c.name, type: 'Int32' })),
  )
}

const noJitter = () => 0.5

test('scan schedule - tags of one period are read together, each group on its own period', () => {
  const clock = new ManualClock(0)
  const schedule = new ScanSchedule(tags({ Level: 1000, Flow: 1000, Alarm: 250 }), new Set(), 1000)
  const read: string[] = []
  for (let turn = 0; turn < 6; turn++) {
    const group = schedule.next()!
    if (group.due > clock.now()) clock.advance(group.due - clock.now())
    read.push(`${clock.now()}:${group.names.join('+')}`)
    schedule.started(group, clock.now())
  }
  assert.deepEqual(read, ['0:Level+Flow', '0:Alarm', '250:Alarm', '500:Alarm', '750:Alarm', '1000:Level+Flow'])
})

test('scan schedule - a group read late is next due one period after the late read, not in a burst of catch-up scans', () => {
  const clock = new ManualClock()
  const schedule = new ScanSchedule(tags({ Level: 100 }), new Set(), 100)
  const group = schedule.next()!
  schedule.started(group, clock.now())
  clock.advance(1000)
  schedule.started(group, clock.now())
  assert.equal(group.due, clock.now() + 100)
  clock.advance(130)
  schedule.started(group, clock.now())
  assert.equal(group.due, clock.now() + 70, 'a read 30 ms late keeps the grid')
})

test('scan schedule - a device is read once when it opens and once after a new scan rate, then once per period: never twice back to back', () => {
  const clock = new ManualClock()
  const schedule = new ScanSchedule(tags({ Level: 1000 }), new Set(), 1000)
  const reads: number[] = []
  const turn = () => {
    const group = schedule.next()!
    if (group.due > clock.now()) clock.advance(group.due - clock.now())
    reads.push(clock.now())
    schedule.started(group, clock.now())
  }
  const start = clock.now()
  for (let n = 0; n < 3; n++) turn()
  assert.deepEqual(reads.map((t) => t - start), [0, 1000, 2000])
  schedule.setScanRate(500)
  reads.length = 0
  for (let n = 0; n < 3; n++) turn()
  assert.deepEqual(reads.map((t) => t - start), [2000, 2500, 3000])
})

test('scan schedule - a scan rate replaces every period and makes every group due at once; 0 restores the configured periods', () => {
  const clock = new ManualClock(0)
  const schedule = new ScanSchedule(tags({ Level: 1000, Alarm: 250 }), new Set(), 1000)
  for (let turn = 0; turn < 2; turn++) schedule.started(schedule.next()!, clock.now())
  schedule.setScanRate(50)
  for (let turn = 0; turn < 2; turn++) {
    const g = schedule.next()!
    assert.equal(g.due, 0)
    schedule.started(g, clock.now())
    assert.equal(g.due, clock.now() + 50)
  }
  schedule.setScanRate(0)
  const a = schedule.next()!
  schedule.started(a, clock.now())
  const b = schedule.next()!
  schedule.started(b, clock.now())
  assert.deepEqual([a.due, b.due].map((d) => d - clock.now()).sort((x, y) => x - y), [250, 1000])
})

test('scan schedule - pushed points are never scanned; with every point pushed there is nothing to schedule', () => {
  const some = new ScanSchedule(tags({ Level: 1000, Flow: 1000, Alarm: 250 }), new Set(['Flow', 'Alarm']), 1000)
  assert.deepEqual(some.polledNames, ['Level'])
  assert.deepEqual(some.next()?.names, ['Level'])
  const none = new ScanSchedule(tags({ Level: 1000 }), new Set(['Level']), 1000)
  assert.equal(none.next(), null)
  assert.deepEqual(none.polledNames, [])
})

test('scan schedule - an offline device is read whole, through one array each time (drivers cache read plans per array)', () => {
  const schedule = new ScanSchedule(tags({ Level: 1000, Alarm: 250 }), new Set(), 1000)
  assert.deepEqual([...schedule.polledNames].sort(), ['Alarm', 'Level'])
  assert.equal(schedule.polledNames, schedule.polledNames)
})

test('scan schedule - retries wait from the device period (at most 1 s), doubling to 30 s; an answer starts them over', () => {
  const fast = new ScanSchedule(tags({ Level: 200 }), new Set(), 200, noJitter)
  const delays = Array.from({ length: 10 }, () => fast.retryDelay())
  assert.deepEqual(delays, [200, 400, 800, 1600, 3200, 6400, 12800, 25600, LONGEST_WAIT_MS, LONGEST_WAIT_MS])
  fast.answered()
  assert.equal(fast.retryDelay(), 200)
  const slow = new ScanSchedule(tags({ Level: 5000 }), new Set(), 5000, noJitter)
  assert.equal(slow.retryDelay(), 1000)
})
