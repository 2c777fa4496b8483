import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodePayload, encodePayload, PayloadError } from '../../../gateway/sparkplug/codec.js'
import type { CodecOptions, Payload } from '../../../gateway/sparkplug/payload.js'
import { fromHex, loadVectors } from './codec-vectors.js'

const opts: CodecOptions = { uint32Field: 'int_value' }

/** mulberry32: a small seeded generator, so a failing buffer can be reproduced. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** True when `bytes` were rejected (with a PayloadError, as anything else fails the test). */
function decodesOrPayloadError(bytes: Uint8Array, label: string): boolean {
  try {
    decodePayload(bytes)
    return false
  } catch (error) {
    assert.ok(error instanceof PayloadError, `${label}: threw ${String(error)} instead of a PayloadError`)
    return true
  }
}

test('codec - random bytes decode or throw PayloadError, never anything else', () => {
  const next = random(0x5eed)
  let rejected = 0
  for (let n = 0; n < 3000; n++) {
    const bytes = new Uint8Array(Math.floor(next() * 80))
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256)
    try {
      decodePayload(bytes)
    } catch (error) {
      assert.ok(error instanceof PayloadError, `buffer ${n}: threw ${String(error)} instead of a PayloadError`)
      rejected++
    }
  }
  assert.ok(rejected > 1000, `only ${rejected} of 3000 random buffers were rejected`)
})

test('codec - golden payloads with corrupted bytes decode or throw PayloadError', () => {
  const next = random(42)
  const vectors = loadVectors()
  let rejected = 0
  for (let n = 0; n < 3000; n++) {
    const v = vectors[n % vectors.length]
    const bytes = fromHex(v.hex)
    if (bytes.length === 0) continue
    const flips = 1 + Math.floor(next() * 3)
    for (let f = 0; f < flips; f++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256)
    if (decodesOrPayloadError(next() < 0.2 ? bytes.subarray(0, Math.floor(next() * bytes.length)) : bytes, `${v.title} #${n}`)) rejected++
  }
  // Seeded, so the count is fixed (2313 today); a decoder that stops checking lengths,
  // wire types or datatypes accepts far more of these and falls below the floor.
  assert.ok(rejected >= 2200, `only ${rejected} of 3000 corrupted payloads were rejected`)
})

test('codec - text that is not protobuf is a PayloadError naming the byte count', () => {
  const bytes = new TextEncoder().encode('{"online":true,"timestamp":1}')
  assert.throws(() => decodePayload(bytes), (e: unknown) => e instanceof PayloadError && e.message.includes(`${bytes.length} bytes`))
})

test('codec - empty bytes are an empty payload', () => {
  assert.deepEqual(decodePayload(new Uint8Array(0)), { metrics: [] })
})

function encodeError(metric: Payload['metrics'][number]): string {
  try {
    encodePayload({ metrics: [metric] }, opts)
  } catch (error) {
    assert.ok(error instanceof PayloadError)
    return error.message
  }
  assert.fail('expected a PayloadError')
}

test('codec - an Int8 out of range is refused with the metric name and the range', () => {
  assert.equal(encodeError({ name: 'Level', datatype: 'Int8', value: 300 }), "metric 'Level': Int8 value 300 is not an integer in -128..127")
})

test('codec - values of the wrong JavaScript type are refused', () => {
  assert.match(encodeError({ name: 'b', datatype: 'Boolean', value: 'yes' }), /metric 'b': Boolean value "yes" is not a boolean/)
  assert.match(encodeError({ name: 'u', datatype: 'UInt64', value: -1n }), /UInt64 value -1n is not an integer in 0\.\.2\^64-1/)
  assert.match(encodeError({ name: 'i', datatype: 'Int64', value: 2n ** 63n }), /Int64 value/)
  assert.match(encodeError({ name: 'a', datatype: 'UInt16Array', value: [1, 70000] }), /UInt16 value 70000/)
  assert.match(encodeError({ name: 's', datatype: 'StringArray', value: ['a\0b'] }), /contains NUL/)
  assert.match(encodeError({ alias: 4, value: 1 }), /metric #0 \(alias 4\): has a value but no datatype/)
})

test('codec - a value in a field its datatype does not use is a PayloadError', () => {
  // Metric "x", datatype Boolean (11), string_value "1".
  const bytes = fromHex('1208' + '0a0178' + '200b' + '7a0131')
  assert.throws(() => decodePayload(bytes), /metric 'x': datatype Boolean cannot be carried in string_value/)
})

test('codec - UInt32 decodes from int_value and from long_value', () => {
  const long = encodePayload({ metrics: [{ name: 'u', datatype: 'UInt32', value: 4000000000 }] }, { uint32Field: 'long_value' })
  const int = encodePayload({ metrics: [{ name: 'u', datatype: 'UInt32', value: 4000000000 }] }, opts)
  assert.notDeepEqual(long, int)
  assert.equal(decodePayload(long).metrics[0].value, 4000000000)
  assert.equal(decodePayload(int).metrics[0].value, 4000000000)
})

test('codec - an integer that does not fit its datatype decodes as sent, never wrapped into range', () => {
  // UInt16 (6) int_value 0xFFFFFFFF, Int16 (2) int_value 70000, UInt8 (5) int_value 256, Int8 (1) int_value 0xFF.
  const bytes = fromHex('120b' + '0a0161' + '2006' + '50ffffffff0f' + '1209' + '0a0162' + '2002' + '50f0a204' + '1208' + '0a0163' + '2005' + '508002' + '1208' + '0a0164' + '2001' + '50ff01')
  assert.deepEqual(decodePayload(bytes).metrics.map((m) => m.value), [4294967295, 70000, 256, 255])
})

test('codec - a metric without datatype decodes from whichever value field is set', () => {
  // DATA metrics by alias only: alias 1 with long_value 5, alias 2 with double_value 0.5.
  const bytes = fromHex('1204' + '1001' + '5805' + '120b' + '1002' + '69' + '000000000000e03f')
  assert.deepEqual(decodePayload(bytes).metrics, [{ alias: 1, value: 5n, unsignedField: 'long_value' }, { alias: 2, value: 0.5 }])
})

test('codec - array bytes of the wrong length are a PayloadError', () => {
  // Int32Array (24) with 3 bytes.
  const bytes = fromHex('120b' + '0a0161' + '2018' + '820103010203')
  assert.throws(() => decodePayload(bytes), /Int32Array needs a multiple of 4 bytes, got 3/)
  // BooleanArray (32) claiming 16 values in one byte.
  const bools = fromHex('120d' + '0a0162' + '2020' + '82010510000000ff')
  assert.throws(() => decodePayload(bools), /BooleanArray of 16 values needs 6 bytes, got 5/)
})

test('codec - a property key named __proto__ stays an ordinary key', () => {
  const bytes = encodePayload({ metrics: [{ name: 'p', datatype: 'Int8', value: 1, properties: JSON.parse('{"__proto__":{"type":"Int8","value":2}}') }] }, opts)
  const props = decodePayload(bytes).metrics[0].properties ?? {}
  assert.deepEqual(Object.keys(props), ['__proto__'])
  assert.equal(Object.getPrototypeOf(props), Object.prototype)
})

test('codec - a DataSet row of the wrong width is refused on encode', () => {
  const value = { kind: 'DataSet' as const, columns: ['a', 'b'], types: ['Int8' as const, 'Int8' as const], rows: [[1]] }
  assert.match(encodeError({ name: 'd', datatype: 'DataSet', value }), /DataSet row 0 has 1 cells, expected 2/)
})

test('codec - DataSet column types decode from the packed encoding too', () => {
  // proto2 writes `types` unpacked; other encoders pack it (field 3, wire type 2).
  const dataset = '0801' + '120161' + '1a0103' + '2204' + '0a020805'
  const bytes = fromHex('1216' + '0a0174' + '2010' + '8a010e' + dataset)
  assert.deepEqual(decodePayload(bytes).metrics[0].value, { kind: 'DataSet', columns: ['a'], types: ['Int32'], rows: [[5]] })
})
