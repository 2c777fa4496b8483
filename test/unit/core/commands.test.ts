import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { parseCommands, receiveCommands } from '../../../gateway/sparkplug/commands.js'
import { encodePayload } from '../../../gateway/sparkplug/codec.js'
import { NEXT_SERVER, nodeMetricDefs, REBIRTH, REBOOT, SCAN_RATE } from '../../../gateway/node/node-metrics.js'
import type { PayloadMetric } from '../../../gateway/sparkplug/payload.js'
import { NodeState } from '../../../gateway/node/node-state.js'

type TagSpec = Partial<TagConfig> & { name: string; type: SparkplugType }

const specs: TagSpec[] = [
  { name: 'Status', type: 'String' },
  { name: 'Enable', type: 'Boolean', writable: true },
  { name: 'Label', type: 'String', writable: true },
  { name: 'Mode', type: 'Int16', writable: true, allowed: [1, 5, 9] },
  { name: 'Recipe', type: 'Int64', writable: true, allowed: [1, 5] },
  { name: 'Program', type: 'String', writable: true, allowed: ['auto', '5'] },
  { name: 'Coil', type: 'Boolean', writable: true, sparkplugType: 'Int16' },
  { name: 'Setpoint', type: 'Float', writable: true, min: 10, max: 90 },
  { name: 'Stamp', type: 'DateTime', writable: true },
  { name: 'Counter', type: 'Int64', writable: true },
  { name: 'Total', type: 'UInt64', writable: true },
  ...(['Int8', 'Int16', 'Int32', 'UInt8', 'UInt16', 'UInt32'] as const).map((type) => ({ name: type, type, writable: true })),
]

function build(): NodeState {
  const configs: TagConfig[] = specs.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  const tags = tagDefs(configs, specs.map((t) => ({ name: t.name, type: t.type })))
  return new NodeState(nodeMetricDefs(1000), [{ deviceId: 'Boiler1', tags }, { deviceId: 'Pump2', tags: [] }])
}

const session = build()
const ncmd = (metrics: PayloadMetric[]) => parseCommands(session, null, { timestamp: 1, metrics })
const dcmd = (metrics: PayloadMetric[], deviceId = 'Boiler1') => parseCommands(session, deviceId, { timestamp: 1, metrics })
const write = (name: string, value: Value) => dcmd([{ name, value }])
const refusedReason = (result: ReturnType<typeof dcmd>): string => {
  assert.equal(result.commands.length, 0, 'no command')
  assert.equal(result.refused.length, 1, 'one refusal')
  return result.refused[0]!.reason
}
const accepted = (result: ReturnType<typeof dcmd>): Value => {
  assert.deepEqual(result.refused, [])
  assert.equal(result.commands.length, 1)
  const command = result.commands[0]!
  assert.equal(command.type, 'write')
  return command.type === 'write' ? command.value : 0
}

test('commands - Rebirth, Reboot and Next Server true become commands (tck-id operational-behavior-data-commands-ncmd-rebirth-value)', () => {
  assert.deepEqual(ncmd([{ name: REBIRTH, datatype: 'Boolean', value: true }]), { commands: [{ type: 'rebirth' }], refused: [] })
  assert.deepEqual(ncmd([{ name: REBOOT, value: true }]), { commands: [{ type: 'reboot' }], refused: [] })
  assert.deepEqual(ncmd([{ name: NEXT_SERVER, value: true }]), { commands: [{ type: 'next-server' }], refused: [] })
})

test('commands - Rebirth false asks for nothing and is not refused', () => {
  assert.deepEqual(ncmd([{ name: REBIRTH, value: false }]), { commands: [], refused: [] })
})

test('commands - Rebirth with a non-Boolean value is refused, naming what was expected', () => {
  const result = ncmd([{ name: REBIRTH, datatype: 'Int32', value: 1 }])
  assert.deepEqual(result.commands, [])
  assert.equal(result.refused[0]!.metric, REBIRTH)
  assert.match(result.refused[0]!.reason, /expected a Boolean, got Int32 1/)
})

test('commands - Scan Rate takes a whole number of ms as number or bigint', () => {
  assert.deepEqual(ncmd([{ name: SCAN_RATE, value: 500n }]).commands, [{ type: 'scan-rate', ms: 500 }])
  assert.deepEqual(ncmd([{ name: SCAN_RATE, value: 0 }]).commands, [{ type: 'scan-rate', ms: 0 }])
  assert.deepEqual(ncmd([{ name: SCAN_RATE, value: 3_600_000 }]).commands, [{ type: 'scan-rate', ms: 3_600_000 }])
})

test('commands - Scan Rate out of range, fractional or not a number is refused', () => {
  for (const value of [-1, 3_600_001, 2.5, 'fast', true, 2n ** 70n] as Value[]) {
    const result = ncmd([{ name: SCAN_RATE, value }])
    assert.equal(result.commands.length, 0, String(value))
    assert.match(result.refused[0]!.reason, /whole number of milliseconds from 100 to 3600000/)
  }
})

test('commands - an unknown node metric, a node property and bdSeq are refused', () => {
  assert.deepEqual(ncmd([{ name: 'Node Control/Explode', value: true }]).refused, [{ metric: 'Node Control/Explode', reason: 'unknown node metric' }])
  assert.deepEqual(ncmd([{ name: 'Properties/Hardware', value: 'x' }]).refused, [{ metric: 'Properties/Hardware', reason: 'node metric is read-only' }])
  assert.equal(ncmd([{ name: 'bdSeq', value: 3n }]).refused[0]!.reason, 'unknown node metric')
})

test('commands - a metric with neither name nor alias is refused, not thrown on', () => {
  assert.deepEqual(ncmd([{ value: true }]).refused, [{ metric: '(no name)', reason: 'unknown node metric' }])
})

test('commands - a DCMD may address a metric by its alias (tck-id payloads-alias-data-cmd-requirement)', () => {
  const alias = session.lookup('Boiler1', 'Enable')?.alias
  assert.ok(alias !== undefined)
  const result = dcmd([{ alias, value: true }])
  assert.equal(accepted(result), true)
  assert.equal(result.commands[0]!.type === 'write' && result.commands[0]!.tag.name, 'Enable')
  assert.equal(result.commands[0]!.type === 'write' && result.commands[0]!.deviceId, 'Boiler1')
})

test('commands - an alias of another device or an unknown name is refused as unknown', () => {
  const alias = session.lookup('Boiler1', 'Enable')?.alias
  assert.deepEqual(dcmd([{ alias, value: true }], 'Pump2').refused, [{ metric: `alias ${alias}`, reason: 'unknown metric of device Pump2' }])
  assert.deepEqual(write('Ghost', 1).refused, [{ metric: 'Ghost', reason: 'unknown metric of device Boiler1' }])
})

test('commands - a read-only tag is refused', () => {
  assert.equal(refusedReason(write('Status', 'x')), 'tag is not writable')
})

test('commands - no value or isNull is refused', () => {
  assert.equal(refusedReason(dcmd([{ name: 'Enable' }])), 'no value given')
  assert.equal(refusedReason(dcmd([{ name: 'Enable', isNull: true }])), 'no value given')
})

test('commands - a value of the wrong JS type for the tag type is refused (tck-id operational-behavior-data-commands-dcmd-metric-value)', () => {
  assert.match(refusedReason(write('Enable', 1)), /expected a Boolean/)
  assert.match(refusedReason(write('Label', 7)), /expected a String/)
  assert.match(refusedReason(write('Int16', 'seven')), /expected a number for Int16, got "seven"/)
  assert.match(refusedReason(write('Setpoint', true)), /expected a number for Float/)
  assert.match(refusedReason(write('Counter', new Uint8Array(2))), /expected a number for Int64, got bytes/)
})

test('commands - integer types accept their full range and refuse one past each end', () => {
  const limits: Record<string, [number, number]> = {
    Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-2147483648, 2147483647],
    UInt8: [0, 255], UInt16: [0, 65535], UInt32: [0, 4294967295],
  }
  for (const [type, [lo, hi]] of Object.entries(limits)) {
    assert.equal(accepted(write(type, lo)), lo)
    assert.equal(accepted(write(type, hi)), hi)
    assert.match(refusedReason(write(type, lo - 1)), new RegExp(`does not fit ${type}`))
    assert.match(refusedReason(write(type, hi + 1)), new RegExp(`does not fit ${type}`))
  }
})

test('commands - a fractional value for an integer tag is refused', () => {
  assert.match(refusedReason(write('Int32', 1.5)), /does not fit Int32/)
  assert.match(refusedReason(write('Counter', 1.5)), /1.5 does not fit Int64 \(whole numbers/)
})

test('commands - a host sending a 32-bit value as a bigint is accepted', () => {
  assert.equal(Number(accepted(write('UInt32', 4294967295n))), 4294967295)
  assert.match(refusedReason(write('UInt32', 4294967296n)), /does not fit UInt32/)
})

test('commands - Int64 and UInt64 check their 64-bit range on bigints', () => {
  assert.equal(accepted(write('Counter', 2n ** 63n - 1n)), 2n ** 63n - 1n)
  assert.equal(accepted(write('Counter', -(2n ** 63n))), -(2n ** 63n))
  assert.match(refusedReason(write('Counter', 2n ** 63n)), /does not fit Int64/)
  assert.equal(accepted(write('Total', 2n ** 64n - 1n)), 2n ** 64n - 1n)
  assert.match(refusedReason(write('Total', -1n)), /does not fit UInt64/)
  assert.match(refusedReason(write('Total', -1)), /does not fit UInt64/)
})

test('commands - min and max bound a write; the bounds themselves are allowed', () => {
  assert.equal(accepted(write('Setpoint', 10)), 10)
  assert.equal(accepted(write('Setpoint', 90)), 90)
  assert.match(refusedReason(write('Setpoint', 9.5)), /9.5 is below the minimum 10/)
  assert.match(refusedReason(write('Setpoint', 90.5)), /90.5 is above the maximum 90/)
})

test('commands - NaN and Infinity are refused for a floating tag', () => {
  assert.match(refusedReason(write('Setpoint', Number.NaN)), /not a finite number/)
  assert.match(refusedReason(write('Setpoint', Number.POSITIVE_INFINITY)), /not a finite number/)
})

test('commands - allowed values: 5 and 5n are the same value; others are refused with the list', () => {
  assert.equal(accepted(write('Mode', 5)), 5)
  assert.equal(Number(accepted(write('Mode', 5n))), 5)
  assert.match(refusedReason(write('Mode', 6)), /6 is not one of the allowed values 1, 5, 9/)
})

test('commands - allowed values of a 64-bit tag match whichever way the host encoded the number', () => {
  assert.equal(accepted(write('Recipe', 5n)), 5n)
  assert.equal(accepted(write('Recipe', 5)), 5n)
  assert.match(refusedReason(write('Recipe', 6n)), /6 is not one of the allowed values 1, 5/)
})

test('commands - allowed texts match exactly: no case folding, no number for its text', () => {
  assert.equal(accepted(write('Program', 'auto')), 'auto')
  assert.match(refusedReason(write('Program', 'AUTO')), /not one of the allowed values auto, 5/)
  assert.match(refusedReason(write('Program', 5)), /expected a String/)
})

test('commands - a coil published as Int16 takes only 0 and 1', () => {
  assert.equal(accepted(write('Coil', 1)), 1)
  assert.match(refusedReason(write('Coil', 2)), /the register is Boolean: 2 is not 0 or 1/)
})

test('commands - writing a type the gateway cannot write (DateTime) is refused', () => {
  assert.match(refusedReason(write('Stamp', 1n)), /writing DateTime tags is not supported/)
})

test('commands - one payload can mix accepted and refused metrics; each refusal names its metric', () => {
  const result = dcmd([{ name: 'Enable', value: true }, { name: 'Status', value: 'x' }, { name: 'Int8', value: 300 }, { name: 'Label', value: 'hi' }])
  assert.deepEqual(result.commands.map((c) => c.type === 'write' && c.tag.name), ['Enable', 'Label'])
  assert.deepEqual(result.refused.map((r) => r.metric), ['Status', 'Int8'])
})

test('commands - from the wire: retained, unknown device, not protobuf, and empty commands are refused whole', () => {
  const rebirth = encodePayload({ metrics: [{ name: REBIRTH, datatype: 'Boolean', value: true }] }, { uint32Field: 'long_value' })
  assert.deepEqual(receiveCommands(session, null, rebirth, false).commands, [{ type: 'rebirth' }])
  const reasons = [
    receiveCommands(session, null, rebirth, true),
    receiveCommands(session, 'NoSuchDevice', rebirth, false),
    receiveCommands(session, null, Uint8Array.from([0xff, 0xff, 0xff]), false),
    receiveCommands(session, null, encodePayload({ timestamp: 1, metrics: [] }, { uint32Field: 'long_value' }), false),
  ].map((r) => (assert.equal(r.commands.length, 0), r.refused[0]!.reason))
  assert.match(reasons[0]!, /retained/)
  assert.match(reasons[1]!, /unknown device NoSuchDevice/)
  assert.match(reasons[2]!, /not a Sparkplug B payload \(3 bytes\)/)
  assert.match(reasons[3]!, /no metrics/)
})
