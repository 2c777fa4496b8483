import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { asType, toEngineering, toRaw } from '../../../gateway/normalise/convert.js'
import { tagDefs, type TagDef } from '../../../gateway/normalise/tag-def.js'

function tag(rawType: SparkplugType, extra: Partial<TagConfig> = {}): TagDef {
  return tagDefs([{ name: 't', pollMs: 1000, deadband: 0, writable: true, writeIntervalMs: 0, ...extra }], [{ name: 't', type: rawType }])[0]!
}

// Raw -> engineering -> raw, as a read followed by writing the value read back.
function roundTrip(def: TagDef, raw: Value): Value {
  const engineering = toEngineering(def, raw)
  assert.ok(engineering !== null)
  return toRaw(def, engineering)
}

test('convert - engineering = raw * scale + offset, as a Double', () => {
  assert.equal(toEngineering(tag('Int16', { scale: 0.1, offset: -40 }), 650), 25)
  assert.equal(toEngineering(tag('UInt16', { scale: 2 }), 21), 42)
})

test('convert - decimal scales give the value a person reads off the display, without float noise', () => {
  assert.equal(toEngineering(tag('Int16', { scale: 0.1 }), 373), 37.3)
  assert.equal(toEngineering(tag('UInt32', { scale: 0.001 }), 123457), 123.457)
  assert.equal(toEngineering(tag('Int16', { scale: 0.3 }), 10), 10 * 0.3)
})

test('convert - an unscaled value keeps its type', () => {
  assert.equal(toEngineering(tag('Int16'), -5), -5)
  assert.equal(toEngineering(tag('Boolean'), true), true)
  assert.equal(toEngineering(tag('String'), 'run'), 'run')
  assert.equal(toEngineering(tag('Int64'), 2n ** 60n), 2n ** 60n)
})

test('convert - a scaled 64-bit raw value becomes a Double number', () => {
  assert.equal(toEngineering(tag('Int64', { scale: 0.5 }), 10n), 5)
  assert.equal(typeof toEngineering(tag('UInt64', { offset: 1 }), 10n), 'number')
})

test('convert - sparkplugType Int64 on a 32-bit point gives a bigint', () => {
  assert.equal(toEngineering(tag('Int32', { sparkplugType: 'Int64' }), 7), 7n)
})

test('convert - sparkplugType integer on a scaled point rounds', () => {
  assert.equal(toEngineering(tag('UInt16', { scale: 0.1, sparkplugType: 'Int32' }), 1234), 123)
  assert.equal(toEngineering(tag('UInt16', { scale: 0.1, sparkplugType: 'Int64' }), 1236), 124n)
})

test('convert - toRaw inverts toEngineering for integer points (write round-trip)', () => {
  const cases: [Partial<TagConfig>, SparkplugType, number[]][] = [
    [{ scale: 0.1 }, 'Int16', [-32768, -1, 0, 1, 123, 32767]],
    [{ scale: 0.1, offset: -40 }, 'UInt16', [0, 1, 650, 65535]],
    [{ scale: 0.01, offset: 273.15 }, 'Int32', [-2147483648, -27315, 0, 99999, 2147483647]],
    [{ scale: 3, offset: 7 }, 'UInt32', [0, 5, 4294967295]],
    [{ offset: -1000 }, 'Int32', [-5, 0, 5]],
  ]
  for (const [scaling, rawType, raws] of cases) {
    const def = tag(rawType, scaling)
    for (const raw of raws) assert.equal(roundTrip(def, raw), raw, `${rawType} ${JSON.stringify(scaling)} raw ${raw}`)
  }
})

test('convert - toRaw inverts toEngineering for 64-bit points, giving a bigint back', () => {
  const def = tag('Int64', { scale: 0.001 })
  for (const raw of [-123456n, 0n, 987654321n]) assert.equal(roundTrip(def, raw), raw)
})

test('convert - toRaw of a Float point is close to the original raw value', () => {
  const def = tag('Float', { scale: 1.8, offset: 32 })
  for (const raw of [-40, 0, 21.5, 100]) {
    const back = roundTrip(def, raw)
    assert.ok(typeof back === 'number' && Math.abs(back - raw) < 1e-9, `${raw} -> ${String(back)}`)
  }
})

test('convert - toRaw rounds a setpoint between two raw steps to the nearest step', () => {
  assert.equal(toRaw(tag('Int16', { scale: 0.1 }), 12.34), 123)
  assert.equal(toRaw(tag('Int16', { scale: 0.1 }), 12.36), 124)
})

test('convert - toRaw of an unscaled tag converts to the raw type', () => {
  assert.equal(toRaw(tag('Int16'), 5n), 5)
  assert.equal(toRaw(tag('Int64'), 5), 5n)
  assert.equal(toRaw(tag('Int32', { sparkplugType: 'Int64' }), 9n), 9)
  assert.equal(toRaw(tag('Boolean'), true), true)
})

test('convert - asType turns numbers into bigints for 64-bit types and back for 32-bit and floating types', () => {
  assert.equal(asType('Int64', 2.6), 3n)
  assert.equal(asType('DateTime', 1_700_000_000_000), 1_700_000_000_000n)
  assert.equal(asType('UInt8', 7n), 7)
  assert.equal(asType('Int16', -2.5), -2)
  assert.equal(asType('Double', 3n), 3)
  assert.equal(asType('Float', 1.5), 1.5)
  assert.equal(asType('String', 'x'), 'x')
})

test('convert - sparkplugType Boolean on a numeric point publishes a boolean (non-zero is true), and a write maps back to 1/0', () => {
  const flag = tag('UInt16', { sparkplugType: 'Boolean' })
  assert.equal(toEngineering(flag, 0), false)
  assert.equal(toEngineering(flag, 1), true)
  assert.equal(toEngineering(flag, 256), true)
  assert.equal(toEngineering(tag('Int64', { sparkplugType: 'Boolean' }), 0n), false)
  assert.equal(toRaw(flag, true), 1)
  assert.equal(toRaw(flag, false), 0)
})

test('convert - sparkplugType String on a numeric or Boolean point publishes its text', () => {
  assert.equal(toEngineering(tag('Int16', { sparkplugType: 'String' }), -5), '-5')
  assert.equal(toEngineering(tag('UInt64', { sparkplugType: 'Text' }), 2n ** 64n - 1n), '18446744073709551615')
  assert.equal(toEngineering(tag('Boolean', { sparkplugType: 'String' }), true), 'true')
})

test('convert - sparkplugType Int16 on a Boolean point publishes 1/0', () => {
  assert.equal(toEngineering(tag('Boolean', { sparkplugType: 'Int16' }), true), 1)
  assert.equal(toEngineering(tag('Boolean', { sparkplugType: 'Int64' }), false), 0n)
  assert.equal(toRaw(tag('Boolean', { sparkplugType: 'Int16' }), 1), true)
})

test('convert - NaN or Infinity read becomes null (unreadable, bad quality), not a crash, an unencodable value or a good NaN', () => {
  assert.equal(toEngineering(tag('Float', { sparkplugType: 'Int64' }), Number.NaN), null)
  assert.equal(toEngineering(tag('Float', { sparkplugType: 'UInt16' }), Number.POSITIVE_INFINITY), null)
  assert.equal(toEngineering(tag('Double', { sparkplugType: 'DateTime' }), Number.NEGATIVE_INFINITY), null)
  assert.equal(toEngineering(tag('Float'), Number.NaN), null)
  assert.equal(toEngineering(tag('Double'), Number.POSITIVE_INFINITY), null)
  assert.equal(toEngineering(tag('Double', { scale: 0.1 }), Number.NEGATIVE_INFINITY), null)
})

test('convert - asType crosses types the way a sparkplugType override needs', () => {
  const cases: [SparkplugType, Value, Value][] = [
    ['Boolean', 2, true], ['Boolean', 0n, false], ['Boolean', true, true],
    ['String', 5, '5'], ['Text', true, 'true'], ['String', 7n, '7'], ['String', 'x', 'x'],
    ['Int32', true, 1], ['Float', false, 0], ['Int64', true, 1n], ['UInt64', 3.6, 4n], ['Int64', 9n, 9n],
    ['Int16', 4.6, 5], ['UInt8', 7n, 7], ['Double', 5n, 5], ['Float', 2.5, 2.5], ['Double', 1.25, 1.25],
  ]
  for (const [type, value, expected] of cases) assert.equal(asType(type, value), expected, `${type} of ${String(value)}`)
})
