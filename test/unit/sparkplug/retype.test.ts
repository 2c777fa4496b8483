import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { decodePayload, encodePayload } from '../../../gateway/sparkplug/codec.js'
import { convertExactly } from '../../../gateway/sparkplug/retype.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { PayloadBuilder } from '../../../gateway/sparkplug/payload-builder.js'

function device(deviceId: string, list: { name: string; type: SparkplugType }[]) {
  const configs: TagConfig[] = list.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  return { deviceId, tags: tagDefs(configs, list) }
}

test('retype - a value the new type holds exactly is converted; anything else is not', () => {
  const exact: [Value | null, SparkplugType, SparkplugType, Value | null][] = [
    [-300, 'Int16', 'Int32', -300],
    [70000, 'Int32', 'Double', 70000],
    [70000, 'Int32', 'Int64', 70000n],
    [2n ** 40n, 'Int64', 'Double', 2 ** 40],
    [12, 'Double', 'UInt8', 12],
    [Math.fround(0.1), 'Float', 'Double', Math.fround(0.1)],
    [0.5, 'Double', 'Float', 0.5],
    ['on', 'String', 'Text', 'on'],
    [[1, 2, 3], 'Int16Array', 'DoubleArray', [1, 2, 3]],
    [null, 'String', 'Int32', null],
  ]
  for (const [value, from, to, expected] of exact) assert.deepEqual(convertExactly(value, from, to), { value: expected }, `${String(value)} ${from} -> ${to}`)
  const inexact: [Value, SparkplugType, SparkplugType][] = [
    [300, 'Int32', 'Int8'],
    [-1, 'Int32', 'UInt32'],
    [0.1, 'Double', 'Float'],
    [2.5, 'Double', 'Int32'],
    [2n ** 60n + 1n, 'Int64', 'Double'],
    [NaN, 'Double', 'Float'],
    [5, 'Int32', 'String'],
    ['5', 'String', 'Int32'],
    [true, 'Boolean', 'Int32'],
    [[1, 300], 'Int16Array', 'Int8Array'],
  ]
  for (const [value, from, to] of inexact) assert.equal(convertExactly(value, from, to), undefined, `${String(value)} ${from} -> ${to}`)
})

test('retype - buffered values of a retyped tag replay as history: converted under the alias where exact, else by name with their recorded datatype, and the payload encodes', () => {
  const state = new NodeState([], [device('A', [{ name: 'Level', type: 'Int16' }, { name: 'Temp', type: 'Double' }, { name: 'Mode', type: 'String' }, { name: 'Same', type: 'Int32' }])])
  const payloads = new PayloadBuilder(state)
  const recorded = state.record('A', [
    { name: 'Level', type: 'Int16', value: -300, at: 10 },
    { name: 'Temp', type: 'Double', value: 0.1, at: 10 },
    { name: 'Mode', type: 'String', value: 'auto', at: 10 },
    { name: 'Same', type: 'Int32', value: 7, at: 10 },
  ], 10)!
  state.replaceDevice(device('A', [{ name: 'Level', type: 'Int32' }, { name: 'Temp', type: 'Float' }, { name: 'Mode', type: 'Int32' }, { name: 'Same', type: 'Int32' }]))
  const aliases = Object.fromEntries(payloads.dbirth('A', 20).metrics.map((m) => [m.name, m.alias]))
  const payload = payloads.dataPayload([recorded], false, 20)!
  const sent = decodePayload(encodePayload(payload, { uint32Field: 'int_value' })).metrics
  assert.deepEqual(sent.map((m) => ({ name: m.name, alias: m.alias, datatype: m.datatype, value: m.value, isHistorical: m.isHistorical })), [
    { name: undefined, alias: aliases.Level, datatype: undefined, value: 4294966996, isHistorical: true },
    { name: 'Temp', alias: undefined, datatype: 'Double', value: 0.1, isHistorical: true },
    { name: 'Mode', alias: undefined, datatype: 'String', value: 'auto', isHistorical: true },
    { name: undefined, alias: aliases.Same, datatype: undefined, value: 7, isHistorical: undefined },
  ])
})
