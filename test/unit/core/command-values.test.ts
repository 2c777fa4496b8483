/**
 * Golden boundaries of write values, sent as bytes with the raw protobuf fields a host puts on the
 * wire (int_value, long_value, ...), with and without a declared datatype, through the real decode
 * path: a value that does not fit is refused, never wrapped.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { receiveCommands } from '../../../gateway/sparkplug/commands.js'
import { bigIntToU64, wirePayload, type WireMetric } from '../../../gateway/sparkplug/codec-wire.js'
import { dataTypeCodes } from '../../../gateway/sparkplug/datatypes.js'
import { nodeMetricDefs } from '../../../gateway/node/node-metrics.js'
import type { DataTypeName } from '../../../gateway/sparkplug/payload.js'
import { NodeState } from '../../../gateway/node/node-state.js'

/** A tag: its name, the register's raw type, and config such as scale or sparkplugType. */
type TagSpec = Partial<TagConfig> & { name: string; raw: SparkplugType }

const integerTypes = ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64'] as const
const specs: TagSpec[] = [
  ...(['Float', 'Double', 'Boolean', 'String', 'Text'] as const).map((raw) => ({ name: raw, raw })),
  ...integerTypes.map((raw) => ({ name: raw, raw })),
  { name: 'Scaled', raw: 'UInt16', scale: 0.1 },
  { name: 'Widened', raw: 'UInt16', sparkplugType: 'Int32' },
  { name: 'Big', raw: 'Int64', min: -(2 ** 53), max: 2 ** 53 },
]

const session = (() => {
  const configs = specs.map(({ raw: _raw, ...t }) => ({ pollMs: 1000, deadband: 0, writable: true, writeIntervalMs: 0, ...t }))
  const tags = tagDefs(configs, specs.map((t) => ({ name: t.name, type: t.raw })))
  return new NodeState(nodeMetricDefs(1000), [{ deviceId: 'Boiler1', tags }])
})()

/** The raw value field of a metric as a host's protobuf library fills it. */
type Field =
  | { int: number } | { long: bigint } | { float: number } | { double: number } | { bool: boolean } | { string: string }

function wireMetric(field: Field): WireMetric {
  if ('int' in field) return { intValue: field.int }
  if ('long' in field) return { longValue: bigIntToU64(BigInt.asUintN(64, field.long)) }
  if ('float' in field) return { floatValue: field.float }
  if ('double' in field) return { doubleValue: field.double }
  if ('bool' in field) return { booleanValue: field.bool }
  return { stringValue: field.string }
}

/** One DCMD metric by name with `declared` as its datatype, or by alias only and without one when `declared` is null. */
function send(tag: string, declared: DataTypeName | null, field: Field): ReturnType<typeof receiveCommands> {
  const metric = wireMetric(field)
  if (declared === null) metric.alias = session.lookup('Boiler1', tag)!.alias!
  else Object.assign(metric, { name: tag, datatype: dataTypeCodes[declared] })
  return receiveCommands(session, 'Boiler1', wirePayload.encode({ metrics: [metric] }).finish(), false)
}

/** Sign-extended into the uint32 int_value, as Tahu and Ignition send Int8/16/32. */
const int = (n: number): Field => ({ int: n >>> 0 })

type Row = readonly [tag: string, declared: DataTypeName | null, field: Field, expected: Value | RegExp]

function check([tag, declared, field, expected]: Row): void {
  const result = send(tag, declared, field)
  const label = `${tag} <- ${declared ?? 'alias only'} ${JSON.stringify(field, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`
  if (expected instanceof RegExp) {
    assert.deepEqual(result.commands, [], `${label} must be refused`)
    assert.equal(result.refused.length, 1, label)
    assert.match(result.refused[0]!.reason, expected, label)
  } else {
    assert.deepEqual(result.refused, [], `${label} must be accepted`)
    const command = result.commands[0]
    assert.ok(command?.type === 'write', label)
    assert.equal(command.value, expected, label)
  }
}

const notFinite = (tag: string): Row[] => [
  [tag, 'Double', { double: Number.NaN }, /NaN is not a finite number/],
  [tag, 'Double', { double: Number.POSITIVE_INFINITY }, /Infinity is not a finite number/],
  [tag, 'Double', { double: Number.NEGATIVE_INFINITY }, /-Infinity is not a finite number/],
]

const small: Record<string, Row[]> = {
  Int8: [
    ['Int8', 'Int8', int(-129), /-129 does not fit Int8 \(-128\.\.127\)/],
    ['Int8', 'Int8', int(-128), -128],
    ['Int8', 'Int8', int(127), 127],
    ['Int8', 'Int8', int(128), /128 does not fit Int8/],
    ['Int8', 'Int8', { int: 0xff }, /255 does not fit Int8/],
    ['Int8', null, int(-128), -128],
    ['Int8', null, int(128), /128 does not fit Int8/],
  ],
  Int16: [
    ['Int16', 'Int16', int(-32769), /-32769 does not fit Int16 \(-32768\.\.32767\)/],
    ['Int16', 'Int16', int(-32768), -32768],
    ['Int16', 'Int16', int(32767), 32767],
    ['Int16', 'Int16', int(32768), /32768 does not fit Int16/],
    ['Int16', 'Int16', { int: 70000 }, /70000 does not fit Int16 \(-32768\.\.32767\)/],
    ['Int16', null, int(-1), -1],
    ['Int16', null, { int: 70000 }, /70000 does not fit Int16/],
  ],
  Int32: [
    ['Int32', 'Int32', { long: -2147483649n }, /-2147483649 does not fit Int32/],
    ['Int32', 'Int32', int(-2147483648), -2147483648],
    ['Int32', 'Int32', int(2147483647), 2147483647],
    ['Int32', 'Int32', { long: 2147483648n }, /2147483648 does not fit Int32/],
    ['Int32', null, int(-2147483648), -2147483648],
    ['Int32', null, { long: -2147483649n }, /-2147483649 does not fit Int32/],
  ],
  UInt8: [
    ['UInt8', 'Int8', int(-1), /-1 does not fit UInt8 \(0\.\.255\)/],
    ['UInt8', 'UInt8', int(0), 0],
    ['UInt8', 'UInt8', int(255), 255],
    ['UInt8', 'UInt8', int(256), /256 does not fit UInt8 \(0\.\.255\)/],
    ['UInt8', null, int(255), 255],
    ['UInt8', null, int(256), /256 does not fit UInt8/],
  ],
  UInt16: [
    ['UInt16', 'Int16', int(-1), /-1 does not fit UInt16 \(0\.\.65535\)/],
    ['UInt16', 'UInt16', { int: 0xffffffff }, /4294967295 does not fit UInt16 \(0\.\.65535\)/],
    ['UInt16', 'UInt16', int(0), 0],
    ['UInt16', 'UInt16', int(65535), 65535],
    ['UInt16', 'UInt16', int(65536), /65536 does not fit UInt16/],
    ['UInt16', null, int(-1), /4294967295 does not fit UInt16/],
    ['UInt16', null, int(65535), 65535],
  ],
  UInt32: [
    ['UInt32', 'Int32', int(-1), /-1 does not fit UInt32 \(0\.\.4294967295\)/],
    ['UInt32', 'UInt32', int(0), 0],
    ['UInt32', 'UInt32', { int: 4294967295 }, 4294967295],
    ['UInt32', 'UInt32', { long: 4294967295n }, 4294967295],
    ['UInt32', 'UInt32', { long: 4294967296n }, /4294967296 does not fit UInt32/],
    ['UInt32', null, { int: 4294967295 }, 4294967295],
    ['UInt32', null, { long: 4294967296n }, /4294967296 does not fit UInt32/],
  ],
  Int64: [
    ['Int64', 'Double', { double: -9223372036854777856 }, /-9223372036854777856 does not fit Int64/],
    ['Int64', 'Int64', { long: -(2n ** 63n) }, -(2n ** 63n)],
    ['Int64', 'Int64', { long: 2n ** 63n - 1n }, 2n ** 63n - 1n],
    ['Int64', 'UInt64', { long: 2n ** 63n }, /9223372036854775808 does not fit Int64/],
    ['Int64', null, { long: -1n }, -1n],
    ['Int64', null, { long: -(2n ** 63n) }, -(2n ** 63n)],
  ],
  UInt64: [
    ['UInt64', 'Int64', { long: -1n }, /-1 does not fit UInt64/],
    ['UInt64', 'UInt64', { long: 0n }, 0n],
    ['UInt64', 'UInt64', { long: 2n ** 64n - 1n }, 2n ** 64n - 1n],
    ['UInt64', 'Double', { double: 18446744073709551616 }, /18446744073709551616 does not fit UInt64/],
    ['UInt64', null, { long: 2n ** 64n - 1n }, 2n ** 64n - 1n],
  ],
}

for (const type of integerTypes) {
  test(`command values - ${type}: min-1 and max+1 refused, min and max written, NaN, ±Infinity and 1.5 refused`, () => {
    const rows: Row[] = [...small[type]!, ...notFinite(type), [type, 'Double', { double: 1.5 }, new RegExp(`1.5 does not fit ${type} \\(whole numbers`)]]
    rows.forEach(check)
  })
}

test('command values - Float: its range and any finite value in it written, beyond it, NaN and ±Infinity refused', () => {
  const FLOAT_MAX = 3.4028234663852886e38
  const rows: Row[] = [
    ['Float', 'Double', { double: -3.5e38 }, /-3.5e\+38 does not fit Float/],
    ['Float', 'Float', { float: -FLOAT_MAX }, -FLOAT_MAX],
    ['Float', 'Float', { float: FLOAT_MAX }, FLOAT_MAX],
    ['Float', 'Double', { double: 3.5e38 }, /3.5e\+38 does not fit Float/],
    ['Float', 'Float', { float: 1.5 }, 1.5],
    ['Float', null, { float: 1.5 }, 1.5],
    ['Float', 'Float', { float: Number.NaN }, /NaN is not a finite number/],
    ['Float', 'Float', { float: Number.POSITIVE_INFINITY }, /Infinity is not a finite number/],
    ['Float', 'Float', { float: Number.NEGATIVE_INFINITY }, /-Infinity is not a finite number/],
  ]
  rows.forEach(check)
})

test('command values - Double: ±Number.MAX_VALUE written, NaN and ±Infinity refused', () => {
  const rows: Row[] = [
    ['Double', 'Double', { double: -Number.MAX_VALUE }, -Number.MAX_VALUE],
    ['Double', 'Double', { double: Number.MAX_VALUE }, Number.MAX_VALUE],
    ['Double', null, { double: 1.5 }, 1.5],
    ['Double', 'Int32', int(-7), -7],
    ...notFinite('Double'),
  ]
  rows.forEach(check)
})

test('command values - Boolean takes only boolean_value', () => {
  const rows: Row[] = [
    ['Boolean', 'Boolean', { bool: false }, false],
    ['Boolean', null, { bool: true }, true],
    ['Boolean', 'UInt8', int(1), /expected a Boolean, got UInt8 1/],
    ['Boolean', null, { string: 'true' }, /expected a Boolean, got "true"/],
  ]
  rows.forEach(check)
})

test('command values - String and Text take any text, including text starting with "!"', () => {
  const rows: Row[] = [
    ['String', 'String', { string: '!batch-7' }, '!batch-7'],
    ['String', null, { string: '' }, ''],
    ['Text', 'Text', { string: '!' }, '!'],
    ['String', 'Int32', int(7), /expected a String, got Int32 7/],
  ]
  rows.forEach(check)
})

test('command values - a scaled tag refuses a value whose raw register value does not fit, instead of wrapping it', () => {
  const rows: Row[] = [
    ['Scaled', 'Double', { double: 6553.5 }, 6553.5],
    ['Scaled', 'Double', { double: 0 }, 0],
    ['Scaled', 'Double', { double: 6553.6 }, /6553.6 is 65536 in the register: 65536 does not fit UInt16 \(0\.\.65535\)/],
    ['Scaled', 'Double', { double: -0.1 }, /-0.1 is -1 in the register: -1 does not fit UInt16/],
    ['Scaled', 'Double', { double: 7000 }, /70000 does not fit UInt16/],
  ]
  rows.forEach(check)
})

test('command values - a tag published wider than its register refuses what the register cannot hold', () => {
  const rows: Row[] = [
    ['Widened', 'Int32', int(65535), 65535],
    ['Widened', 'Int32', int(70000), /the register is UInt16: 70000 does not fit UInt16/],
    ['Widened', 'Int32', int(-1), /the register is UInt16: -1 does not fit UInt16/],
  ]
  rows.forEach(check)
})

test('command values - min and max bound a 64-bit value exactly, also when it comes alias-only as long_value', () => {
  const rows: Row[] = [
    ['Big', null, { long: 2n ** 53n }, 2n ** 53n],
    ['Big', null, { long: 2n ** 53n + 1n }, /9007199254740993 is above the maximum 9007199254740992/],
    ['Big', null, { long: -(2n ** 53n) - 1n }, /-9007199254740993 is below the minimum -9007199254740992/],
    ['Big', 'Int64', { long: -(2n ** 53n) }, -(2n ** 53n)],
  ]
  rows.forEach(check)
})
