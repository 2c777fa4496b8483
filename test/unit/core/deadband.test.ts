import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Value } from '../../../gateway/model/value.js'
import { Deadband, sameValue } from '../../../gateway/normalise/deadband.js'

// Feeds `values` in order; returns which were reported.
function reported(values: readonly (Value | null)[], deadband: number): (Value | null)[] {
  const db = new Deadband()
  return values.filter((v) => db.accept('m', v, deadband))
}

test('deadband - the first reading is always reported, even null', () => {
  assert.equal(new Deadband().accept('m', 0, 100), true)
  assert.equal(new Deadband().accept('m', null, 0), true)
})

test('deadband - an unchanged value is not reported again (tck-id operational-behavior-data-publish-dbirth-change)', () => {
  assert.deepEqual(reported([5, 5, 5, 'a', 'a', true, true], 0), [5, 'a', true])
})

test('deadband - with deadband 0 every change is reported, however small', () => {
  assert.deepEqual(reported([1, 1 + Number.EPSILON, 1], 0), [1, 1 + Number.EPSILON, 1])
})

test('deadband - a change equal to or below the deadband is not reported; a larger one is', () => {
  assert.deepEqual(reported([10, 10.5, 9.5, 10.6, 11.2], 0.5), [10, 10.6, 11.2])
})

test('deadband - changes are measured from the last reported value, so a slow drift is reported eventually', () => {
  assert.deepEqual(reported([0, 0.3, 0.6, 0.9, 1.2], 0.5), [0, 0.6, 1.2])
})

test('deadband - bigint values follow the same rule', () => {
  assert.deepEqual(reported([100n, 101n, 102n, 99n, 96n], 2), [100n, 96n])
  assert.deepEqual(reported([100n, 101n, 102n], 1.5), [100n, 102n])
  assert.deepEqual(reported([100n, 101n, 101n], 0), [100n, 101n])
  assert.deepEqual(reported([2n ** 62n, 2n ** 62n + 1n], 0), [2n ** 62n, 2n ** 62n + 1n])
})

test('deadband - NaN is reported once on entering and once on leaving', () => {
  assert.deepEqual(reported([1, Number.NaN, Number.NaN, 1], 0.5), [1, Number.NaN, 1])
})

test('deadband - going unreadable (null) and back is always reported, whatever the deadband', () => {
  assert.deepEqual(reported([5, null, null, 5, 5], 100), [5, null, 5])
  assert.deepEqual(reported(['x', null, 'x'], 0), ['x', null, 'x'])
})

test('deadband - strings and booleans are reported on any change; the deadband does not apply', () => {
  assert.deepEqual(reported(['a', 'b', 'b', 'a'], 10), ['a', 'b', 'a'])
  assert.deepEqual(reported([false, true, false], 10), [false, true, false])
})

test('deadband - arrays are compared element by element', () => {
  assert.deepEqual(reported([[1, 2], [1, 2], [1, 3], [1, 3, 4]], 0), [[1, 2], [1, 3], [1, 3, 4]])
  const bytes = [new Uint8Array([1, 2]), new Uint8Array([1, 2]), new Uint8Array([2, 2])]
  assert.equal(reported(bytes, 0).length, 2)
})

test('deadband - metrics are tracked separately by name', () => {
  const db = new Deadband()
  assert.equal(db.accept('a', 1, 0), true)
  assert.equal(db.accept('b', 1, 0), true)
  assert.equal(db.accept('a', 1, 0), false)
})

test('deadband - forget() makes the next reading reported even if unchanged (read-back after a write)', () => {
  const db = new Deadband()
  db.accept('m', 5, 1)
  assert.equal(db.accept('m', 5, 1), false)
  db.forget('m')
  assert.equal(db.accept('m', 5, 1), true)
  assert.equal(db.accept('m', 5, 1), false)
})

test('deadband - sameValue compares scalars by identity and arrays by content', () => {
  assert.equal(sameValue(1, 1), true)
  assert.equal(sameValue(1, 1n), false)
  assert.equal(sameValue(['a'], ['a']), true)
  assert.equal(sameValue(['a'], ['a', 'b']), false)
  assert.equal(sameValue(new Uint8Array([1]), new Uint8Array([1])), true)
})
