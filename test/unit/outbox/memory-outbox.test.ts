import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { outboxContract, recordOf } from '../../contract/outbox.contract.js'

outboxContract('memory outbox', () => ({ outbox: createMemoryOutbox() }))

test('memory outbox - drop-oldest keeps the newest records and counts every drop', () => {
  const outbox = createMemoryOutbox({ maxRecords: 3, whenFull: 'drop-oldest' })
  const returned = [0, 1, 2, 3, 4].map((n) => outbox.add(recordOf(n)))
  assert.deepEqual(returned, [0, 0, 0, 1, 1])
  assert.deepEqual(outbox.peek(10).map((e) => e.metrics[0].value), [2, 3, 4])
  assert.equal(outbox.stats().dropped, 2)
})

test('memory outbox - drop-newest keeps the oldest records and refuses new ones', () => {
  const outbox = createMemoryOutbox({ maxRecords: 3, whenFull: 'drop-newest' })
  const returned = [0, 1, 2, 3, 4].map((n) => outbox.add(recordOf(n)))
  assert.deepEqual(returned, [0, 0, 0, 1, 1])
  assert.deepEqual(outbox.peek(10).map((e) => e.metrics[0].value), [0, 1, 2])
  assert.equal(outbox.stats().dropped, 2)
})

test('memory outbox - bytes return to zero when everything is acknowledged', () => {
  const outbox = createMemoryOutbox()
  for (let n = 0; n < 3000; n++) outbox.add(recordOf(n))
  assert.ok(outbox.stats().bytes > 0)
  while (outbox.stats().records > 0) outbox.ack(outbox.peek(500).map((e) => e.id))
  assert.equal(outbox.stats().bytes, 0)
  assert.equal(outbox.stats().oldestAt, null)
})
