import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import type { DataRecord, Metric } from '../../../gateway/model/value.js'
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

// Gateway/Buffer/Bytes for a memory buffer: 64 per record + 2 per device id character, 48 per metric
// + 2 per name character, and the value: strings as UTF-16, numbers 8, bytes 1 each, arrays 8 per item.
test('memory outbox - bytes counts strings as UTF-16, numbers as 8, bytes as 1, array items as 8', () => {
  const sizeOf = (record: DataRecord) => {
    const outbox = createMemoryOutbox()
    outbox.add(record)
    return outbox.stats().bytes
  }
  const one = (value: Metric['value'], name = 'M', deviceId: string | null = null) => sizeOf({ deviceId, at: 1, metrics: [{ name, type: 'Int32', value, at: 1 }] })
  assert.equal(sizeOf({ deviceId: null, at: 1, metrics: [] }), 64)
  assert.equal(sizeOf({ deviceId: 'Pump2', at: 1, metrics: [] }), 64 + 10)
  assert.equal(one(null), 64 + 48 + 2)
  assert.equal(one(true), 64 + 48 + 2)
  assert.equal(one(7), 64 + 48 + 2 + 8)
  assert.equal(one(7n), 64 + 48 + 2 + 8)
  assert.equal(one('abc'), 64 + 48 + 2 + 6)
  assert.equal(one('abc', 'Level'), 64 + 48 + 10 + 6)
  assert.equal(one(new Uint8Array(5)), 64 + 48 + 2 + 5)
  assert.equal(one([1, 2, 3]), 64 + 48 + 2 + 24)
  assert.equal(one(['ab', 'c']), 64 + 48 + 2 + 16 + 6)
})

test('memory outbox - bytes matches the records held after drops and after acks out of order', () => {
  const fresh = (values: number[]) => {
    const outbox = createMemoryOutbox()
    for (const v of values) outbox.add({ deviceId: null, at: v, metrics: [{ name: 'S', type: 'String', value: 'x'.repeat(v), at: v }] })
    return outbox.stats().bytes
  }
  const record = (v: number) => ({ deviceId: null, at: v, metrics: [{ name: 'S', type: 'String' as const, value: 'x'.repeat(v), at: v }] })
  const dropping = createMemoryOutbox({ maxRecords: 2 })
  for (const v of [10, 20, 30]) dropping.add(record(v))
  assert.equal(dropping.stats().bytes, fresh([20, 30]), 'default policy drops the oldest, and its bytes')
  assert.deepEqual(dropping.peek(5).map((e) => e.at), [20, 30])

  const acking = createMemoryOutbox()
  for (const v of [1, 2, 3, 4, 5]) acking.add(record(v))
  const ids = acking.peek(5).map((e) => e.id)
  acking.ack([ids[1]!, ids[3]!])
  assert.equal(acking.stats().bytes, fresh([1, 3, 5]))
  acking.ack([ids[0]!])
  assert.equal(acking.stats().bytes, fresh([3, 5]))
  assert.deepEqual(acking.peek(5).map((e) => e.at), [3, 5])
})

test('memory outbox - after close it holds nothing', () => {
  const outbox = createMemoryOutbox()
  outbox.add(recordOf(1))
  outbox.close()
  assert.deepEqual([outbox.stats().records, outbox.stats().bytes, outbox.peek(10).length], [0, 0, 0])
})
