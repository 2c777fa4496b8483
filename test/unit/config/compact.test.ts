import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compactConfig } from '../../../gateway/config/compact.js'

test('a compacted configuration holds the same values, keys in the same order', () => {
  const tag = { name: 'Line 1/Motor speed with a long name', pollMs: 1000, deadband: 0.5, writable: true, writeIntervalMs: 0, scale: 0.1 }
  const config = {
    devices: [
      {
        deviceId: 'press',
        tags: [tag, { ...tag, name: 'flag', allowed: [1, 2n, 'three'] }],
        driverConfig: { points: [{ name: 'Line 1/Motor speed with a long name', table: 'HR', offset: 3, type: 'float32', count: 2, order: 'CDAB', stringOrder: 'AB', writable: false }] },
      },
    ],
    odd: { zero: -0, missing: undefined, nan: NaN, far: -Infinity, big: 12n, nothing: null },
    byName: new Map([['a', { b: 1 }]]),
    bytes: new Uint8Array([1, 2]),
  }
  // As it crosses from the loader thread.
  const copy = structuredClone(config)
  const compacted = compactConfig(copy)
  assert.deepStrictEqual(compacted, structuredClone(config))
  assert.deepEqual(Object.keys(compacted.devices[0]!.tags[0]!), Object.keys(tag))
  assert.ok(Object.is(compacted.odd.zero, -0))
  assert.equal(compacted.byName, copy.byName)
})
