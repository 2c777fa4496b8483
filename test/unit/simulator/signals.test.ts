import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { SimTag, WalkTag } from '../../../drivers/simulator/types.js'
import { SIGNAL_EPOCH_MS, createRandomWalk, fits, valueAt } from '../../../drivers/simulator/signals.js'
import type { TimedTag } from '../../../drivers/simulator/signals.js'

const epoch = SIGNAL_EPOCH_MS
const counter = (type: SimTag['type'], periodMs = 1000): TimedTag => ({ name: 'C', signal: 'counter', type, periodMs })

test('signals - the epoch is 2026-01-01T00:00:00Z', () => {
  assert.equal(new Date(epoch).toISOString(), '2026-01-01T00:00:00.000Z')
})

test('signals - a counter adds one per period, counted from the epoch', () => {
  const tag = counter('Int32', 250)
  assert.equal(valueAt(tag, epoch), 0)
  assert.equal(valueAt(tag, epoch + 249), 0)
  assert.equal(valueAt(tag, epoch + 250), 1)
  const t = Date.UTC(2026, 5, 1, 12, 0, 0)
  assert.equal(valueAt(tag, t + 40 * 250), (valueAt(tag, t) as number) + 40)
})

test('signals - a counter of a day since the epoch at 1s is 86400', () => {
  assert.equal(valueAt(counter('Int32'), Date.UTC(2026, 0, 2)), 86_400)
})

test('signals - Int64 and UInt64 counters are bigint', () => {
  assert.equal(valueAt(counter('Int64'), epoch + 5000), 5n)
  assert.equal(valueAt(counter('UInt64'), epoch + 5000), 5n)
})

test('signals - a counter wraps to 0 past the largest value of its type', () => {
  assert.equal(valueAt(counter('Int8'), epoch + 127_000), 127)
  assert.equal(valueAt(counter('Int8'), epoch + 128_000), 0)
  assert.equal(valueAt(counter('UInt8'), epoch + 256_000), 0)
  assert.equal(valueAt(counter('UInt16'), epoch + 65_535_000), 65_535)
})

test('signals - a ramp rises from low to high over one period, then restarts at low', () => {
  const ramp: TimedTag = { name: 'R', signal: 'ramp', type: 'Double', low: 10, high: 20, periodMs: 10_000 }
  assert.equal(valueAt(ramp, epoch), 10)
  assert.equal(valueAt(ramp, epoch + 5000), 15)
  assert.equal(valueAt(ramp, epoch + 9000), 19)
  assert.equal(valueAt(ramp, epoch + 10_000), 10)
})

test('signals - an integer-typed ramp is rounded', () => {
  const ramp: TimedTag = { name: 'R', signal: 'ramp', type: 'Int16', low: 0, high: 10, periodMs: 1000 }
  assert.equal(valueAt(ramp, epoch + 333), 3)
  assert.equal(valueAt(ramp, epoch + 370), 4)
})

test('signals - a sine starts midway, peaks at a quarter period and bottoms at three quarters', () => {
  const sine: TimedTag = { name: 'S', signal: 'sine', type: 'Double', low: -5, high: 5, periodMs: 4000 }
  assert.equal(valueAt(sine, epoch), 0)
  assert.equal(valueAt(sine, epoch + 1000), 5)
  assert.equal(valueAt(sine, epoch + 3000), -5)
})

test('signals - a Float sine is rounded to single precision', () => {
  const sine: TimedTag = { name: 'S', signal: 'sine', type: 'Float', low: 0, high: 1, periodMs: 7000 }
  const value = valueAt(sine, epoch + 1234) as number
  assert.equal(value, Math.fround(value))
  assert.notEqual(value, 0.5 + 0.5 * Math.sin((2 * Math.PI * 1234) / 7000))
})

test('signals - a boolean is false for one period, then true for one period', () => {
  const flag: TimedTag = { name: 'B', signal: 'boolean', type: 'Boolean', periodMs: 5000 }
  assert.deepEqual([0, 4999, 5000, 9999, 10_000].map((ms) => valueAt(flag, epoch + ms)), [false, false, true, true, false])
})

test('signals - a string cycles through its values, one per period', () => {
  const mode: TimedTag = { name: 'M', signal: 'string', type: 'String', values: ['auto', 'manual', 'off'], periodMs: 7000 }
  assert.deepEqual([0, 7000, 14_000, 21_000].map((ms) => valueAt(mode, epoch + ms)), ['auto', 'manual', 'off', 'auto'])
})

test('signals - instants before the epoch still give values in range', () => {
  assert.equal(valueAt(counter('UInt8'), epoch - 1000), 255)
  const mode: TimedTag = { name: 'M', signal: 'string', type: 'String', values: ['a', 'b'], periodMs: 1000 }
  assert.equal(valueAt(mode, epoch - 1000), 'b')
})

const walk: WalkTag = { name: 'Walk', signal: 'random-walk', type: 'Double', low: 0, high: 10, step: 0.5, initial: 9.9 }

test('signals - a random walk moves at most one step per read and stays within low and high', () => {
  const next = createRandomWalk(walk)
  let previous = walk.initial
  for (let i = 0; i < 2000; i++) {
    const x = next()
    assert.ok(x >= walk.low && x <= walk.high, `read ${i}: ${x} outside [0, 10]`)
    assert.ok(Math.abs(x - previous) <= walk.step + 1e-9, `read ${i}: moved from ${previous} to ${x}`)
    previous = x
  }
})

test('signals - a random walk repeats its path for the same tag name and differs for another', () => {
  const first = createRandomWalk(walk)
  const again = createRandomWalk(walk)
  const other = createRandomWalk({ ...walk, name: 'Other' })
  const path = Array.from({ length: 20 }, () => first())
  assert.deepEqual(Array.from({ length: 20 }, () => again()), path)
  assert.notDeepEqual(Array.from({ length: 20 }, () => other()), path)
})

test('signals - fits checks the JS type and the integer range of a SparkplugType', () => {
  assert.equal(fits('Double', 1.5), true)
  assert.equal(fits('Double', '1.5'), false)
  assert.equal(fits('Int8', 127), true)
  assert.equal(fits('Int8', 128), false)
  assert.equal(fits('UInt16', 1.5), false)
  assert.equal(fits('Int64', 5), false)
  assert.equal(fits('Int64', 5n), true)
  assert.equal(fits('UInt64', -1n), false)
  assert.equal(fits('Boolean', 0), false)
  assert.equal(fits('Text', 'x'), true)
})
