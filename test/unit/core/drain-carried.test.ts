import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Metric } from '../../../gateway/model/value.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { Drain, isBatch, type Batch } from '../../../gateway/pump/drain.js'
import { orderOf } from '../../helpers/record-order.js'

const metric = (name: string, value: Metric['value'], at: number): Metric => ({ name, type: 'Int32', value, at })

test('drain - history leaves out metrics the birth carried with the same timestamp and value', () => {
  const outbox = createMemoryOutbox()
  // Taken before the session: A and B unchanged since (the birth carries them), C changed after.
  outbox.add({ deviceId: 'Sim1', at: 100, metrics: [metric('A', 1, 100), metric('B', [1, 2], 100), metric('C', 5, 100)] })
  outbox.add({ deviceId: 'Sim1', at: 150, metrics: [metric('A', 1, 100)] })
  const drain = new Drain(outbox, orderOf(outbox))
  drain.markBorn('Sim1', outbox.stats().nextId - 1)
  drain.carry('Sim1', [
    { name: 'A', timestamp: 100, value: 1 },
    { name: 'B', timestamp: 100, value: [1, 2] },
    { name: 'C', timestamp: 200, value: 6 },
  ])
  const item = drain.next()
  assert.ok(item !== null && isBatch(item))
  const batch = item as Batch
  assert.equal(batch.historical, true)
  assert.deepEqual(batch.records.map((r) => r.id), [1, 2], 'every record is still taken (and acknowledged)')
  assert.deepEqual(batch.records.flatMap((r) => r.metrics), [metric('C', 5, 100)])
})

test('drain - a rebirth forgets what the earlier births carried', () => {
  const outbox = createMemoryOutbox()
  outbox.add({ deviceId: null, at: 100, metrics: [metric('A', 1, 100)] })
  const drain = new Drain(outbox, orderOf(outbox))
  drain.carry(null, [{ name: 'A', timestamp: 100, value: 1 }])
  drain.rebirth()
  drain.markBorn(null, 0)
  const item = drain.next() as Batch
  assert.deepEqual(item.records.flatMap((r) => r.metrics), [metric('A', 1, 100)])
})
