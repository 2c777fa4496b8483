import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { Session } from '../../../gateway/sparkplug/session.js'

function device(deviceId: string, list: { name: string; type: SparkplugType }[]) {
  const configs: TagConfig[] = list.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  return { deviceId, tags: tagDefs(configs, list) }
}

const aliases = (session: Session, deviceId: string) =>
  Object.fromEntries(session.dbirth(deviceId, 1).metrics.map((m) => [m.name, m.alias]))

test('session - a replaced device keeps the alias of a metric with the same name and type; new or retyped metrics get new aliases', () => {
  const session = new Session([], [device('A', [{ name: 'Keep', type: 'Int32' }, { name: 'Retype', type: 'Int32' }, { name: 'Gone', type: 'Int32' }]), device('B', [{ name: 'X', type: 'Int32' }])])
  const before = aliases(session, 'A')
  session.replaceDevice(device('A', [{ name: 'Keep', type: 'Int32' }, { name: 'Retype', type: 'Double' }, { name: 'New', type: 'Int32' }]))
  const after = aliases(session, 'A')
  assert.equal(after.Keep, before.Keep)
  const taken = new Set([...Object.values(before), aliases(session, 'B').X])
  assert.ok(!taken.has(after.Retype) && !taken.has(after.New), 'no alias is reused')
  assert.equal(session.lookup('A', before.Gone!), undefined, 'the retired alias no longer resolves')
  assert.equal(session.lookup('A', after.Keep!)?.name, 'Keep')
})

test('session - a removed device is forgotten: not a device, its aliases resolve to nothing, its data is not recorded', () => {
  const session = new Session([], [device('A', [{ name: 'T', type: 'Int32' }])])
  session.setOnline('A', true)
  const alias = aliases(session, 'A').T!
  session.removeDevice('A')
  assert.deepEqual([session.deviceIds, session.onlineDevices(), session.lookup('A', alias)], [[], [], undefined])
  assert.equal(session.data('A', [{ name: 'T', type: 'Int32', value: 1, at: 1 }]), null)
})
