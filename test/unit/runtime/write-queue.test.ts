import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { WriteQueue, type WriteOutcome } from '../../../gateway/runtime/write-queue.js'
import { ManualClock } from '../../helpers/manual-clock.js'

function setpoint(writeIntervalMs = 0) {
  const config: TagConfig = { name: 'Setpoint', pollMs: 1000, deadband: 0, writable: true, writeIntervalMs }
  return tagDefs([config], [{ name: 'Setpoint', type: 'Int32' }])[0]!
}

const applied: WriteOutcome = { ok: true, old: 1, now: 2 }

test('write queue - writes beyond the bound are refused at once, naming the setting; each queued write wakes the loop', async () => {
  let wakes = 0
  const queue = new WriteQueue(2, new ManualClock(), () => wakes++)
  const tag = setpoint()
  const first = queue.offer(tag, 1)
  const second = queue.offer(tag, 2)
  assert.deepEqual(await queue.offer(tag, 3), { ok: false, reason: '2 writes already wait for this device (commands.maxQueuedWrites)' })
  assert.equal(wakes, 2)
  const taken = [queue.take(false)!, queue.take(false)!]
  assert.deepEqual(taken.map((w) => w.value), [1, 2])
  for (const w of taken) w.done(applied)
  assert.deepEqual(await Promise.all([first, second]), [applied, applied])
  assert.equal(queue.take(false), undefined)
})

test('write queue - while a scan is due only one write runs before it, so a flood cannot stretch the scan period', () => {
  const queue = new WriteQueue(10, new ManualClock(), () => {})
  const tag = setpoint()
  for (let i = 0; i < 5; i++) void queue.offer(tag, i)
  assert.equal(queue.take(false)?.value, 0, 'no scan due: writes run')
  assert.equal(queue.take(false)?.value, 1)
  assert.equal(queue.take(true), undefined, 'a write ran since the last scan: the due scan goes first')
  queue.scanning()
  assert.equal(queue.take(true)?.value, 2, 'after the scan one write may run before the next due scan')
  assert.equal(queue.take(true), undefined)
})

test('write queue - a tag written less than its writeInterval ago is refused, with the interval in the reason', () => {
  const clock = new ManualClock()
  const queue = new WriteQueue(10, clock, () => {})
  const tag = setpoint(500)
  assert.equal(queue.tooSoon(tag), null)
  queue.written(tag)
  clock.advance(499)
  assert.equal(queue.tooSoon(tag), 'written less than 500 ms ago')
  clock.advance(1)
  assert.equal(queue.tooSoon(tag), null)
  assert.equal(queue.tooSoon(setpoint(0)), null, 'without an interval a tag may be written again at once')
})

test('write queue - on stop every waiting write is answered with the reason', async () => {
  const queue = new WriteQueue(10, new ManualClock(), () => {})
  const waiting = [queue.offer(setpoint(), 1), queue.offer(setpoint(), 2)]
  queue.refuseAll('gateway stopping')
  assert.deepEqual(await Promise.all(waiting), [
    { ok: false, reason: 'gateway stopping' },
    { ok: false, reason: 'gateway stopping' },
  ])
  assert.equal(queue.take(false), undefined)
})

test('write queue - a write may run before a due scan when none ran since the last scan, also right after start and after finding the queue empty', () => {
  const queue = new WriteQueue(10, new ManualClock(), () => {})
  const tag = setpoint()
  void queue.offer(tag, 1)
  assert.equal(queue.take(true)?.value, 1, 'a fresh queue: the first write runs before the due scan')
  queue.scanning()
  assert.equal(queue.take(true), undefined, 'nothing waits')
  void queue.offer(tag, 2)
  assert.equal(queue.take(true)?.value, 2, 'looking at an empty queue is no write')
})
