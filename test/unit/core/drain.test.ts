import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Metric } from '../../../gateway/model/value.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import type { Outbox } from '../../../gateway/outbox/outbox.js'
import { Drain, isBatch } from '../../../gateway/pump/drain.js'
import { orderOf } from '../../helpers/record-order.js'

function add(outbox: Outbox, deviceId: string | null, metricCount = 1): number {
  const metrics: Metric[] = Array.from({ length: metricCount }, (_, i) => ({ name: `m${i}`, type: 'Int32', value: i, at: 1 }))
  outbox.add({ deviceId, at: 1, metrics })
  return outbox.stats().nextId - 1
}

// One step of the pump: take the next item, mark a batch's records sent, describe it.
function step(drain: Drain): string | null {
  const item = drain.next()
  if (item === null) return null
  if (!isBatch(item)) return `${item.online ? 'DBIRTH' : 'DDEATH'} ${item.deviceId}`
  for (const r of item.records) drain.sent.add(r.id)
  return `${item.historical ? 'history' : 'live'} ${item.deviceId ?? 'node'} [${item.records.map((r) => r.id).join(',')}]`
}

const range = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => from + i).join(',')

function drainAll(drain: Drain): string[] {
  const out: string[] = []
  for (let item = step(drain); item !== null; item = step(drain)) out.push(item)
  return out
}

// A session starting now: records already in the outbox are backlog.
function session(outbox: Outbox, born: string[] = []): Drain {
  const drain = new Drain(outbox, orderOf(outbox))
  for (const id of born) drain.born.add(id)
  return drain
}

test('drain - idle when the outbox is empty', () => {
  assert.equal(session(createMemoryOutbox()).next(), null)
})

test('drain - live records go out before the backlog, which is flagged historical; waiting records of one device share a payload', () => {
  const outbox = createMemoryOutbox()
  add(outbox, null)
  add(outbox, null)
  const drain = session(outbox)
  add(outbox, null)
  add(outbox, null)
  assert.deepEqual(drainAll(drain), ['live node [3,4]', 'history node [1,2]'])
})

test('drain - a live record made while the backlog drains goes before the next backlog batch', () => {
  const outbox = createMemoryOutbox()
  for (let i = 0; i < 4; i++) add(outbox, null, 400)
  const drain = session(outbox)
  assert.equal(step(drain), 'history node [1]')
  add(outbox, null)
  assert.equal(step(drain), 'live node [5]')
  assert.deepEqual(drainAll(drain), ['history node [2]', 'history node [3]', 'history node [4]'])
})

test('drain - the backlog is grouped per run of one device', () => {
  const outbox = createMemoryOutbox()
  add(outbox, null)
  add(outbox, null)
  add(outbox, 'Boiler1')
  add(outbox, 'Boiler1')
  add(outbox, null)
  assert.deepEqual(drainAll(session(outbox, ['Boiler1'])), ['history node [1,2]', 'history Boiler1 [3,4]', 'history node [5]'])
})

test('drain - a history batch holds at most 500 metrics; a bigger record goes alone', () => {
  const outbox = createMemoryOutbox()
  for (let i = 0; i < 5; i++) add(outbox, null, 200)
  add(outbox, null, 600)
  add(outbox, null, 100)
  add(outbox, null, 400)
  assert.deepEqual(drainAll(session(outbox)), ['history node [1,2]', 'history node [3,4]', 'history node [5]', 'history node [6]', 'history node [7,8]'])
})

test('drain - a long backlog drains completely, every record exactly once', () => {
  const outbox = createMemoryOutbox()
  for (let i = 0; i < 1200; i++) add(outbox, i % 3 === 0 ? 'Boiler1' : null, 3)
  const drain = session(outbox, ['Boiler1'])
  const seen: number[] = []
  for (let item = drain.next(); item !== null; item = drain.next()) {
    assert.ok(isBatch(item) && item.historical)
    for (const r of item.records) {
      drain.sent.add(r.id)
      seen.push(r.id)
    }
  }
  assert.deepEqual(seen, Array.from({ length: 1200 }, (_, i) => i + 1))
})

test('drain - records of a device not born are held back until its DBIRTH, then go out as history (the birth has newer values)', () => {
  const outbox = createMemoryOutbox()
  const old = add(outbox, 'Boiler1')
  const drain = session(outbox)
  add(outbox, 'Boiler1')
  add(outbox, null)
  assert.deepEqual(drainAll(drain), ['live node [3]'])
  drain.queue({ deviceId: 'Boiler1', online: true, afterId: outbox.stats().nextId - 1 })
  assert.deepEqual(drainAll(drain), ['DBIRTH Boiler1', 'history Boiler1 [2]', `history Boiler1 [${old}]`])
  assert.ok(drain.born.has('Boiler1'))
})

test('drain - a DDEATH goes out after the live records made before it, and stops the device', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox, ['Boiler1'])
  add(outbox, 'Boiler1')
  add(outbox, 'Boiler1')
  drain.queue({ deviceId: 'Boiler1', online: false, afterId: outbox.stats().nextId - 1 })
  add(outbox, null)
  add(outbox, 'Boiler1')
  assert.deepEqual(drainAll(drain), ['live Boiler1 [1,2]', 'DDEATH Boiler1', 'live node [3]'])
  assert.equal(drain.born.has('Boiler1'), false)
})

test('drain - records made after a DDEATH was queued wait for it, whichever device they belong to', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox, ['Boiler1', 'Pump2'])
  add(outbox, 'Pump2')
  drain.queue({ deviceId: 'Boiler1', online: false, afterId: outbox.stats().nextId - 1 })
  add(outbox, 'Pump2')
  assert.deepEqual(drainAll(drain), ['live Pump2 [1]', 'DDEATH Boiler1', 'live Pump2 [2]'])
})

test('drain - a device that dies and is born again sends what it made in between after the new DBIRTH, as history', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox, ['Boiler1'])
  drain.queue({ deviceId: 'Boiler1', online: false, afterId: outbox.stats().nextId - 1 })
  assert.deepEqual(drainAll(drain), ['DDEATH Boiler1'])
  add(outbox, 'Boiler1')
  assert.deepEqual(drainAll(drain), [])
  drain.queue({ deviceId: 'Boiler1', online: true, afterId: outbox.stats().nextId - 1 })
  add(outbox, 'Boiler1')
  assert.deepEqual(drainAll(drain), ['DBIRTH Boiler1', 'history Boiler1 [1,2]'])
  add(outbox, 'Boiler1')
  assert.deepEqual(drainAll(drain), ['live Boiler1 [3]'])
})

test('drain - ids in sent are never returned again, even after a rebirth rescans the outbox', () => {
  const outbox = createMemoryOutbox()
  for (let i = 0; i < 300; i++) add(outbox, null)
  const drain = session(outbox)
  for (let i = 0; i < 450; i++) add(outbox, null)
  const items = drainAll(drain)
  const ids = (kind: string) => items.filter((i) => i.startsWith(kind)).map((i) => i.slice(i.indexOf('[') + 1, -1)).join(',')
  assert.equal(ids('live'), range(301, 750))
  assert.equal(ids('history'), range(1, 300))
  drain.rebirth()
  drain.markBorn(null, outbox.stats().nextId - 1)
  assert.equal(drain.next(), null)
  add(outbox, null)
  assert.equal(step(drain), 'live node [751]')
})

test('drain - records sent in an earlier session (in flight) are skipped by a new one', () => {
  const outbox = createMemoryOutbox()
  add(outbox, null)
  add(outbox, null)
  const drain = session(outbox)
  drain.sent.add(1)
  assert.deepEqual(drainAll(drain), ['history node [2]'])
})

test('drain - acknowledged records do not come back', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox)
  add(outbox, null)
  assert.equal(step(drain), 'live node [1]')
  outbox.ack([1])
  drain.sent.delete(1)
  drain.rebirth()
  assert.equal(drain.next(), null)
})

test('drain - rebirth() drops pending births and deaths and forgets which devices were born', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox, ['Boiler1'])
  drain.queue({ deviceId: 'Pump2', online: true, afterId: 0 })
  drain.queue({ deviceId: 'Boiler1', online: false, afterId: 0 })
  drain.rebirth()
  assert.deepEqual([...drain.born], [])
  assert.equal(drain.next(), null)
})

test('drain - one payload per device: interleaved records of two devices go out in runs, never mixed', () => {
  const outbox = createMemoryOutbox()
  const drain = session(outbox, ['A', 'B'])
  for (const id of ['A', 'A', 'B', 'B', 'A']) add(outbox, id)
  assert.deepEqual(drainAll(drain), ['live A [1,2]', 'live B [3,4]', 'live A [5]'])
})
