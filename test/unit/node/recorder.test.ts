import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig, TemplateTypeConfig } from '../../../gateway/config/types.js'
import type { Metric } from '../../../gateway/model/value.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { PayloadBuilder } from '../../../gateway/sparkplug/payload-builder.js'
import { Recorder } from '../../../gateway/node/recorder.js'

const configs: TagConfig[] = [{ name: 'Level', pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0 }]
const tank = { deviceId: 'Tank', tags: tagDefs(configs, [{ name: 'Level', type: 'Int32' }]) }
const level = (value: number, at = 10): Metric => ({ name: 'Level', type: 'Int32', value, at })

/** A recorder over a node with no node metrics; `born` says whether the pump has a born session to announce devices in. */
function rig(born = true) {
  const state = new NodeState([{ name: 'Answer', type: 'Int32', value: 0, aliased: true, writable: false }], [])
  const outbox = createMemoryOutbox()
  const wakes: string[] = []
  const recorder = new Recorder(state, outbox, {
    notify: () => wakes.push('data'),
    deviceChanged: (deviceId, online) => (wakes.push(`${deviceId} ${online ? 'online' : 'offline'}`), born),
    definitionsChanged: () => wakes.push('definitions'),
  })
  const buffered = () => outbox.peek(100).map((r) => `${r.deviceId}: ${r.metrics.map((m) => `${m.name}=${m.value}`).join(' ')}`)
  const birthValue = (deviceId: string | null, name: string) => {
    const payloads = new PayloadBuilder(state)
    const birth = deviceId === null ? payloads.nbirth(0, 100) : payloads.dbirth(deviceId, 100)
    return birth.metrics.find((m) => m.name === name)?.value
  }
  return { state, outbox, recorder, wakes, buffered, birthValue }
}

test('recorder - a reading of an online device is kept for the next birth, buffered as data and wakes the pump, in one step', () => {
  const { recorder, wakes, buffered, birthValue } = rig()
  recorder.declare(tank, 'add')
  recorder.deviceOnline('Tank', [level(1)])
  recorder.data('Tank', [level(2, 20)])
  assert.deepEqual(buffered(), ['Tank: Level=2'])
  assert.equal(birthValue('Tank', 'Level'), 2)
  assert.deepEqual(wakes, ['Tank online', 'data'])
})

test('recorder - a device coming online in a born session is announced and its values travel in the DBIRTH; without one they are buffered as history', () => {
  const live = rig(true)
  live.recorder.declare(tank, 'add')
  live.recorder.deviceOnline('Tank', [level(5)])
  assert.deepEqual(live.buffered(), [])
  assert.equal(live.recorder.isOnline('Tank'), true)
  const unborn = rig(false)
  unborn.recorder.declare(tank, 'add')
  unborn.recorder.deviceOnline('Tank', [level(5)])
  assert.deepEqual(unborn.buffered(), ['Tank: Level=5'])
  assert.deepEqual(unborn.wakes, ['Tank online', 'data'])
})

test('recorder - going offline is announced once, and only for a device that was online', () => {
  const { recorder, wakes } = rig()
  recorder.declare(tank, 'add')
  recorder.deviceOffline('Tank')
  recorder.deviceOnline('Tank', [level(1)])
  recorder.deviceOffline('Tank')
  recorder.deviceOffline('Tank')
  assert.deepEqual(wakes, ['Tank online', 'Tank offline'])
  assert.equal(recorder.isOnline('Tank'), false)
})

test('recorder - node metrics at start are carried by the NBIRTH without being sent as data; later ones are data', () => {
  const { recorder, buffered, birthValue, wakes } = rig()
  recorder.initial(null, [{ name: 'Answer', type: 'Int32', value: 41, at: 1 }])
  assert.equal(birthValue(null, 'Answer'), 41)
  assert.deepEqual([buffered(), wakes], [[], []])
  recorder.data(null, [{ name: 'Answer', type: 'Int32', value: 42, at: 2 }])
  assert.deepEqual(buffered(), ['null: Answer=42'])
})

test('recorder - removing a device announces its death, drops only its buffered records and forgets its metrics', () => {
  const { recorder, state, buffered, wakes } = rig(false)
  recorder.declare(tank, 'add')
  recorder.declare({ deviceId: 'Pump', tags: tagDefs(configs, [{ name: 'Level', type: 'Int32' }]) }, 'add')
  recorder.deviceOnline('Tank', [level(1)])
  for (let n = 2; n <= 4; n++) recorder.data('Tank', [level(n)])
  recorder.deviceOnline('Pump', [level(7)])
  assert.equal(recorder.remove('Tank'), 4)
  assert.deepEqual(buffered(), ['Pump: Level=7'])
  assert.deepEqual(state.deviceIds, ['Pump'])
  assert.ok(wakes.includes('Tank offline'))
})

test('recorder - births are placed after the last record it added, whatever ids the outbox hands out', () => {
  const { recorder, outbox } = rig()
  recorder.declare(tank, 'add')
  recorder.deviceOnline('Tank', [level(1)])
  assert.equal(recorder.lastRecordId(), 0)
  recorder.data('Tank', [level(2)])
  recorder.data('Tank', [level(3)])
  outbox.ack(outbox.peek(1).map((r) => r.id))
  assert.equal(recorder.lastRecordId(), outbox.peek(10).at(-1)!.id)
})

test('recorder - the records of a removed device count as dropped (Gateway/Buffer/Dropped), like every other record the buffer gives up', () => {
  const { recorder, outbox } = rig(false)
  recorder.declare(tank, 'add')
  recorder.deviceOnline('Tank', [level(1)])
  recorder.data('Tank', [level(2)])
  assert.equal(recorder.remove('Tank'), 2)
  assert.deepEqual([outbox.stats().records, outbox.stats().dropped], [0, 2])
})

test('recorder - declaring a device anew (replace) keeps the alias and last value of an unchanged tag; a retyped tag gets a new alias and no value', () => {
  const { recorder, state, birthValue } = rig()
  const two = (flowType: 'Int32' | 'Float') => ({
    deviceId: 'Tank',
    tags: tagDefs([...configs, { ...configs[0]!, name: 'Flow' }], [{ name: 'Level', type: 'Int32' }, { name: 'Flow', type: flowType }]),
  })
  recorder.declare(two('Int32'), 'add')
  recorder.deviceOnline('Tank', [level(5), { name: 'Flow', type: 'Int32', value: 3, at: 10 }])
  const before = { level: state.lookup('Tank', 'Level')!.alias, flow: state.lookup('Tank', 'Flow')!.alias }
  recorder.declare(two('Float'), 'replace')
  assert.equal(state.lookup('Tank', 'Level')!.alias, before.level)
  assert.equal(birthValue('Tank', 'Level'), 5)
  assert.notEqual(state.lookup('Tank', 'Flow')!.alias, before.flow)
  assert.equal(state.lookup('Tank', 'Flow')!.type, 'Float')
  assert.equal(birthValue('Tank', 'Flow'), undefined, 'an Int32 reading is no value of the Float the DBIRTH now declares')
})

const pumpType = (version: string): TemplateTypeConfig => ({ file: `/cfg/types/Pump-${version}.yaml`, name: 'Pump', version, members: [{ name: 'Speed', datatype: 'Float' }], parameters: [{ name: 'Rated Speed', type: 'Int64', value: 1500n }] })
const pumpDevice = (version: string) => ({ ...tank, templates: [pumpType(version)] })

test('recorder - a device declared with template types the node did not carry asks for a new NBIRTH before the device can be born, and only then', () => {
  const { recorder, wakes } = rig()
  recorder.declare(pumpDevice('1'), 'add')
  recorder.declare(pumpDevice('1'), 'replace')
  assert.deepEqual(wakes, ['definitions'], 'the same types read from another file change nothing on the wire')
  recorder.declare(pumpDevice('2'), 'replace')
  assert.deepEqual(wakes, ['definitions', 'definitions'])
  recorder.deviceOnline('Tank', [level(1)])
  assert.deepEqual(wakes, ['definitions', 'definitions', 'Tank online'], 'the request comes before the device is announced')
  recorder.remove('Tank')
  assert.deepEqual(wakes.slice(-2), ['Tank offline', 'definitions'])
})
