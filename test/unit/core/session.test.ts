import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REBIRTH, SCAN_RATE } from '../../../gateway/node/node-metrics.js'
import { T0, device, build, metric, record, byName, wire } from '../../helpers/payload-kit.js'

test('session - aliases are unique across the node and all devices (tck-id payloads-alias-uniqueness)', () => {
  const { state, payloads } = build()
  state.setOnline('Boiler1', true)
  state.setOnline('Pump2', true)
  const births = [payloads.nbirth(0, T0), payloads.dbirth('Boiler1', T0), payloads.dbirth('Pump2', T0)]
  const aliases = births.flatMap((p) => p.metrics).map((m) => m.alias).filter((a) => a !== undefined)
  assert.equal(aliases.length, new Set(aliases).size)
  assert.equal(aliases.length, births.flatMap((p) => p.metrics).length - 5)
})

test('session - bdSeq and Node Control/* carry no alias; every other birth metric has name and alias (tck-id operational-behavior-data-commands-rebirth-name-aliases, payloads-alias-birth-requirement)', () => {
  const { payloads } = build()
  for (const m of [...payloads.nbirth(3, T0).metrics, ...payloads.dbirth('Boiler1', T0).metrics]) {
    assert.ok(m.name !== undefined)
    const unaliased = m.name === 'bdSeq' || m.name.startsWith('Node Control/')
    assert.equal(m.alias === undefined, unaliased, m.name)
  }
})

test('session - NBIRTH starts with bdSeq as an Int64 bigint (tck-id topics-nbirth-bdseq-included, message-flow-edge-node-birth-publish-nbirth-payload-bdSeq)', () => {
  const payload = build().payloads.nbirth(42, T0)
  assert.deepEqual(payload.metrics[0], { name: 'bdSeq', datatype: 'Int64', timestamp: T0, value: 42n })
  assert.equal(payload.timestamp, T0)
  assert.equal(wire(payload).metrics[0]!.value, 42n)
})

test('session - NBIRTH has Node Control/Rebirth Boolean false (tck-id topics-nbirth-rebirth-metric, operational-behavior-data-commands-rebirth-value)', () => {
  const rebirth = byName(build().payloads.nbirth(0, T0), REBIRTH)
  assert.equal(rebirth.datatype, 'Boolean')
  assert.equal(rebirth.value, false)
  assert.equal(rebirth.alias, undefined)
})

test('session - every birth metric has a datatype and a timestamp on the wire (tck-id payloads-metric-datatype-req, payloads-name-birth-data-requirement)', () => {
  const { payloads } = build()
  for (const payload of [payloads.nbirth(0, T0), payloads.dbirth('Boiler1', T0)]) {
    for (const m of wire(payload).metrics) {
      assert.ok(m.datatype !== undefined, `${m.name} datatype`)
      assert.ok(m.timestamp !== undefined, `${m.name} timestamp`)
    }
  }
})

test('session - DBIRTH of a device never read carries isNull, no value and Quality 0 (tck-id operational-behavior-data-publish-dbirth-values)', () => {
  const temp = byName(build().payloads.dbirth('Boiler1', T0), 'Temperature')
  assert.equal(temp.isNull, true)
  assert.equal('value' in temp, false)
  assert.deepEqual(temp.properties?.Quality, { type: 'Int32', value: 0 })
  const decoded = byName(wire(build().payloads.dbirth('Boiler1', T0)), 'Temperature')
  assert.equal(decoded.isNull, true)
  assert.equal(decoded.value, undefined)
})

test('session - DBIRTH carries the last value recorded, with Quality 192 and its acquisition time', () => {
  const { state, payloads } = build()
  state.record('Boiler1', [metric('Temperature', 'Float', 20.5, T0 + 10)])
  state.record('Boiler1', [metric('Temperature', 'Float', 21.5, T0 + 20)])
  const temp = byName(payloads.dbirth('Boiler1', T0 + 100), 'Temperature')
  assert.equal(temp.value, 21.5)
  assert.equal(temp.isNull, undefined)
  assert.equal(temp.timestamp, T0 + 20)
  assert.deepEqual(temp.properties?.Quality, { type: 'Int32', value: 192 })
})

test('session - a birth metric timestamp is never later than the birth itself', () => {
  const { state, payloads } = build()
  state.record('Boiler1', [metric('Temperature', 'Float', 20.5, T0 + 500)])
  assert.equal(byName(payloads.dbirth('Boiler1', T0 + 100), 'Temperature').timestamp, T0 + 100)
})

test('session - DBIRTH properties: units as engUnit, readOnly from writable, description as documentation', () => {
  const payload = build().payloads.dbirth('Boiler1', T0)
  const temp = byName(payload, 'Temperature')
  assert.deepEqual(temp.properties?.engUnit, { type: 'String', value: '°C' })
  assert.deepEqual(temp.properties?.readOnly, { type: 'Boolean', value: true })
  assert.deepEqual(temp.properties?.documentation, { type: 'String', value: 'water out' })
  const setpoint = byName(payload, 'Setpoint')
  assert.deepEqual(setpoint.properties?.readOnly, { type: 'Boolean', value: false })
  assert.equal(setpoint.properties?.engUnit, undefined)
  assert.equal('documentation' in (byName(wire(payload), 'Setpoint').properties ?? {}), false, 'no description, no documentation property')
  assert.deepEqual(byName(wire(payload), 'Temperature').properties?.engUnit, { type: 'String', value: '°C' })
})

test('session - DATA metrics carry the alias only and no datatype on the wire (tck-id payloads-alias-data-cmd-requirement, payloads-metric-datatype-not-req)', () => {
  const { state, payloads } = build()
  const alias = state.lookup('Boiler1', 'Temperature')?.alias
  const payload = payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', 21.5)])], false, T0 + 2)
  assert.ok(payload)
  assert.deepEqual(payload.metrics, [{ alias, timestamp: T0 + 1, valueType: 'Float', value: 21.5 }])
  const decoded = wire(payload).metrics[0]!
  assert.equal(decoded.name, undefined)
  assert.equal(decoded.datatype, undefined)
  assert.equal(decoded.alias, alias)
  assert.equal(decoded.value, 21.5)
  assert.equal(decoded.timestamp, T0 + 1)
})

test('session - a metric without an alias (Node Control/Scan Rate) goes by name with its datatype (tck-id payloads-name-requirement)', () => {
  const { payloads } = build()
  const payload = payloads.dataPayload([record(null, [metric(SCAN_RATE, 'Int64', 500n)])], false, T0)
  assert.ok(payload)
  const decoded = wire(payload).metrics[0]!
  assert.equal(decoded.name, SCAN_RATE)
  assert.equal(decoded.datatype, 'Int64')
  assert.equal(decoded.value, 500n)
})

test('session - DATA values are encoded with the declared type, so a UInt32 above 2^31 survives', () => {
  const { payloads } = build()
  const payload = payloads.dataPayload([record('Pump2', [metric('Speed', 'UInt32', 4_000_000_000)])], false, T0)
  assert.ok(payload)
  assert.equal(wire(payload).metrics[0]!.value, 4_000_000_000)
})

test('session - historical records are flagged isHistorical, live ones are not', () => {
  const { payloads } = build()
  const records = [record('Boiler1', [metric('Temperature', 'Float', 1)]), record('Boiler1', [metric('Setpoint', 'Int16', 2)])]
  const history = payloads.dataPayload(records, true, T0)
  assert.ok(history)
  assert.deepEqual(wire(history).metrics.map((m) => m.isHistorical), [true, true])
  const live = payloads.dataPayload(records, false, T0)
  assert.ok(live)
  assert.deepEqual(wire(live).metrics.map((m) => m.isHistorical), [undefined, undefined])
})

test('session - metrics the births do not declare are left out; nothing left gives null (tck-id topics-dbirth-metric-reqs)', () => {
  const { payloads } = build()
  const mixed = payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', 1), metric('Ghost', 'Float', 2)])], false, T0)
  assert.equal(mixed?.metrics.length, 1)
  assert.equal(payloads.dataPayload([record('Boiler1', [metric('Ghost', 'Float', 2)])], false, T0), null)
  assert.equal(payloads.dataPayload([record('Unknown', [metric('Temperature', 'Float', 2)])], false, T0), null)
  assert.equal(payloads.dataPayload([], false, T0), null)
})

test('session - a metric of one device is not matched by name under another device', () => {
  const { state, payloads } = build()
  assert.equal(payloads.dataPayload([record('Pump2', [metric('Temperature', 'Float', 1)])], false, T0), null)
  const alias = state.lookup('Boiler1', 'Temperature')?.alias
  assert.ok(alias !== undefined)
  assert.equal(state.lookup('Boiler1', alias)?.name, 'Temperature')
  assert.equal(state.lookup('Pump2', alias), undefined)
  assert.equal(state.lookup(null, alias), undefined)
})

test('session - NDEATH has exactly one metric, bdSeq, and no seq (tck-id topics-ndeath-payload, payloads-ndeath-seq)', () => {
  const payload = build().payloads.ndeath(7, T0)
  assert.deepEqual(payload.metrics, [{ name: 'bdSeq', datatype: 'Int64', timestamp: T0, value: 7n }])
  const decoded = wire(payload)
  assert.equal(decoded.seq, undefined)
  assert.equal(decoded.metrics.length, 1)
})

test('session - NDEATH bdSeq equals the NBIRTH bdSeq of the same connection (tck-id payloads-ndeath-bdseq)', () => {
  const { payloads } = build()
  assert.deepEqual(payloads.ndeath(9, T0).metrics[0]!.value, payloads.nbirth(9, T0).metrics[0]!.value)
})

test('session - DDEATH has a timestamp and no metrics', () => {
  assert.deepEqual(build().payloads.ddeath(T0), { timestamp: T0, metrics: [] })
})

test('session - devices are offline until set online; onlineDevices keeps declaration order', () => {
  const { state } = build()
  assert.deepEqual(state.deviceIds, ['Boiler1', 'Pump2'])
  assert.deepEqual(state.onlineDevices(), [])
  state.setOnline('Pump2', true)
  state.setOnline('Boiler1', true)
  assert.deepEqual(state.onlineDevices(), ['Boiler1', 'Pump2'])
  state.setOnline('Boiler1', false)
  assert.equal(state.isOnline('Boiler1'), false)
  assert.deepEqual(state.onlineDevices(), ['Pump2'])
})

test('session - data() returns the record to buffer, null when empty or for an unknown device', () => {
  const { state } = build()
  const metrics = [metric('Running', 'Boolean', true)]
  assert.deepEqual(state.record('Pump2', metrics, T0 + 5), { deviceId: 'Pump2', at: T0 + 5, metrics })
  assert.equal(state.lastValue('Pump2', 'Running'), true)
  assert.equal(state.record('Pump2', [], T0), null)
  assert.equal(state.record('Nobody', metrics, T0), null)
})

test('session - a device added later gets aliases that do not collide with existing ones', () => {
  const { state, payloads } = build()
  state.addDevice(device('Late', [{ name: 'Level', type: 'Double' }]))
  const taken = [payloads.nbirth(0, T0), payloads.dbirth('Boiler1', T0), payloads.dbirth('Pump2', T0)].flatMap((p) => p.metrics).map((m) => m.alias)
  const late = payloads.dbirth('Late', T0).metrics[0]!.alias
  assert.ok(late !== undefined && !taken.includes(late))
})

test('session - whether the births declare any metric of a record: one declared metric is enough; none, or an unknown device, is not', () => {
  const { state } = build()
  assert.equal(state.declaresAny(record('Boiler1', [metric('Ghost', 'Float', 1), metric('Temperature', 'Float', 2)])), true)
  assert.equal(state.declaresAny(record('Boiler1', [metric('Ghost', 'Float', 1)])), false)
  assert.equal(state.declaresAny(record('Unknown', [metric('Temperature', 'Float', 2)])), false)
})

