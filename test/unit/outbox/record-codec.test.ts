import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SparkplugType } from '../../../gateway/model/value.js'
import { createRecordEncoder, decodeRecordMetrics, type MetricKeys } from '../../../gateway/outbox/record-codec.js'
import { everyValueKind } from '../../contract/outbox.contract.js'

function memoryKeys(): MetricKeys {
  const ids = new Map<string, number>()
  const keys: { name: string; type: SparkplugType }[] = []
  return {
    idOf(name, type) {
      const text = `${type}:${name}`
      let id = ids.get(text)
      if (id === undefined) {
        id = keys.push({ name, type }) - 1
        ids.set(text, id)
      }
      return id
    },
    keyOf: (id) => keys[id],
  }
}

test('record codec - every value kind round-trips exactly, each on its own', () => {
  const keys = memoryKeys()
  const encode = createRecordEncoder(keys)
  for (const metric of everyValueKind) {
    const decoded = decodeRecordMetrics(encode(1_700_000_000_000, [metric]), 1_700_000_000_000, keys)
    assert.deepEqual(decoded, [metric], metric.name)
    if (Object.is(metric.value, -0)) assert.ok(Object.is(decoded[0].value, -0))
  }
})

test('record codec - 64-bit extremes keep every bit', () => {
  const keys = memoryKeys()
  const encode = createRecordEncoder(keys)
  // 64n zigzags to exactly 0x80, the first value that takes two varint bytes.
  const values = [2n ** 64n - 1n, -(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 53n + 1n, 64n, -65n]
  const metrics = values.map((value, i) => ({ name: `m${i}`, type: 'Int64' as const, value, at: 5 }))
  assert.deepEqual(decodeRecordMetrics(encode(5, metrics), 5, keys), metrics)
})

test('record codec - byte arrays decode as Uint8Array copies, not views of the row', () => {
  const keys = memoryKeys()
  const blob = createRecordEncoder(keys)(0, [{ name: 'b', type: 'Bytes', value: new Uint8Array([7, 8]), at: 0 }])
  const [metric] = decodeRecordMetrics(blob, 0, keys)
  blob.fill(0)
  assert.equal(Object.getPrototypeOf(metric.value), Uint8Array.prototype)
  assert.deepEqual(metric.value, new Uint8Array([7, 8]))
})

test('record codec - a ten-metric record of Int32 readings takes under 6 bytes a metric', () => {
  const keys = memoryKeys()
  const at = 1_700_000_000_000
  const metrics = Array.from({ length: 10 }, (_, i) => ({ name: `Boiler1/Temperature ${i}`, type: 'Int32' as const, value: 1000 + i * 37, at: at - i }))
  assert.ok(createRecordEncoder(keys)(at, metrics).length < 60)
})

test('record codec - a truncated row is refused with a clear error', () => {
  const keys = memoryKeys()
  const blob = createRecordEncoder(keys)(0, [{ name: 's', type: 'String', value: 'hello', at: 0 }])
  assert.throws(() => decodeRecordMetrics(blob.subarray(0, blob.length - 2), 0, keys), /truncated/)
})

test('record codec - records larger than the 4 KiB write buffer round-trip: a 100,000-character string and 2,000 metrics', () => {
  const keys = memoryKeys()
  const encode = createRecordEncoder(keys)
  const at = 1_700_000_000_000
  const big = [{ name: 'Text', type: 'String' as const, value: 'ab'.repeat(50_000), at }]
  assert.deepEqual(decodeRecordMetrics(encode(at, big), at, keys), big)
  const many = Array.from({ length: 2000 }, (_, i) => ({ name: `Tag${i}`, type: 'Double' as const, value: i + 0.5, at: at + i }))
  assert.deepEqual(decodeRecordMetrics(encode(at, many), at, keys), many)
  // The writer is reused: a small record after the big ones is still exact.
  const small = [{ name: 'Tag1', type: 'Double' as const, value: 2.5, at }]
  assert.deepEqual(decodeRecordMetrics(encode(at, small), at, keys), small)
})

test('record codec - a value the device marked uncertain stays uncertain in the buffer, with either time form', () => {
  const keys = memoryKeys()
  const encode = createRecordEncoder(keys)
  const metrics = [
    { name: 'A', type: 'Double' as const, value: 1.5, at: 1000, uncertain: true as const },
    { name: 'B', type: 'Double' as const, value: 2.5, at: 1001 },
    { name: 'C', type: 'Int32' as const, value: 7, at: 1000.5, uncertain: true as const },
  ]
  assert.deepEqual(decodeRecordMetrics(encode(1000, metrics), 1000, keys), metrics)
})
