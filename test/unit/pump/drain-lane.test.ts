import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DataRecord } from '../../../gateway/model/value.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import type { Outbox } from '../../../gateway/outbox/outbox.js'
import { Lane, PEEK_METRICS } from '../../../gateway/pump/drain-lane.js'

const record = (metrics: number, at: number): DataRecord => ({
  deviceId: 'D1',
  at,
  metrics: Array.from({ length: metrics }, (_, i) => ({ name: `Tag${i}`, type: 'Int32', value: i, at })),
})

/** The outbox, with the largest number of metrics one peek handed out. */
function watched(outbox: Outbox): { outbox: Outbox; largestPeek: () => number } {
  let largest = 0
  const peek: Outbox['peek'] = (limit, options) => {
    const entries = outbox.peek(limit, options)
    largest = Math.max(largest, entries.reduce((n, e) => n + e.metrics.length, 0))
    return entries
  }
  return { outbox: { ...outbox, peek }, largestPeek: () => largest }
}

test('drain lane - a backlog of records of 1,000 metrics each is read a bounded number of metrics at a time, every record once and in order', () => {
  const inner = createMemoryOutbox()
  for (let n = 0; n < 500; n++) inner.add(record(1000, n))
  const { outbox, largestPeek } = watched(inner)
  const lane = new Lane(outbox, 0)
  const born = new Set<string | null>(['D1'])
  const seen: number[] = []
  for (let entry = lane.peek(born, new Set()); entry !== null; entry = lane.peek(born, new Set())) {
    seen.push(entry.at)
    lane.take()
  }
  assert.deepEqual(seen, Array.from({ length: 500 }, (_, n) => n))
  // The first peek cannot know the records' size; from then on a block stays near the bound.
  assert.ok(largestPeek() <= 2 * PEEK_METRICS, `one peek decoded ${largestPeek()} metrics`)
})

test('drain lane - small records are still read many at a time', () => {
  const inner = createMemoryOutbox()
  for (let n = 0; n < 500; n++) inner.add(record(2, n))
  let peeks = 0
  const outbox: Outbox = { ...inner, peek: (limit, options) => (peeks++, inner.peek(limit, options)) }
  const lane = new Lane(outbox, 0)
  const born = new Set<string | null>(['D1'])
  let count = 0
  for (let entry = lane.peek(born, new Set()); entry !== null; entry = lane.peek(born, new Set())) {
    count++
    lane.take()
  }
  assert.equal(count, 500)
  assert.ok(peeks <= 6, `${peeks} peeks for 500 records of 2 metrics`)
})
