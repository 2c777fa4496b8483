import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { PayloadBuilder } from '../../../gateway/sparkplug/payload-builder.js'

function device(deviceId: string, list: { name: string; type: SparkplugType }[]) {
  const configs: TagConfig[] = list.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  return { deviceId, tags: tagDefs(configs, list) }
}

const aliases = (state: NodeState, deviceId: string) =>
  Object.fromEntries(new PayloadBuilder(state).dbirth(deviceId, 1).metrics.map((m) => [m.name, m.alias]))

test('session - a replaced device keeps the alias of a metric with the same name and type; new or retyped metrics get new aliases', () => {
  const state = new NodeState([], [device('A', [{ name: 'Keep', type: 'Int32' }, { name: 'Retype', type: 'Int32' }, { name: 'Gone', type: 'Int32' }]), device('B', [{ name: 'X', type: 'Int32' }])])
  const before = aliases(state, 'A')
  state.replaceDevice(device('A', [{ name: 'Keep', type: 'Int32' }, { name: 'Retype', type: 'Double' }, { name: 'New', type: 'Int32' }]))
  const after = aliases(state, 'A')
  assert.equal(after.Keep, before.Keep)
  const taken = new Set([...Object.values(before), aliases(state, 'B').X])
  assert.ok(!taken.has(after.Retype) && !taken.has(after.New), 'no alias is reused')
  assert.equal(state.lookup('A', before.Gone!), undefined, 'the retired alias no longer resolves')
  assert.equal(state.lookup('A', after.Keep!)?.name, 'Keep')
})

test('session - a removed device is forgotten: not a device, its aliases resolve to nothing, its data is not recorded', () => {
  const state = new NodeState([], [device('A', [{ name: 'T', type: 'Int32' }])])
  state.setOnline('A', true)
  const alias = aliases(state, 'A').T!
  state.removeDevice('A')
  assert.deepEqual([state.deviceIds, state.onlineDevices(), state.lookup('A', alias)], [[], [], undefined])
  assert.equal(state.record('A', [{ name: 'T', type: 'Int32', value: 1, at: 1 }]), null)
})
