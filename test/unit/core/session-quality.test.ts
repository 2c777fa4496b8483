import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Metric, Value } from '../../../gateway/model/value.js'
import type { PayloadMetric } from '../../../gateway/sparkplug/payload.js'
import { T0, device, build, metric, record, wire } from '../../helpers/payload-kit.js'

test('session - a null value goes out as isNull with Quality 0 and no value', () => {
  const { payloads } = build()
  const payload = payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', null)])], false, T0)
  assert.ok(payload)
  const decoded = wire(payload).metrics[0]!
  assert.equal(decoded.isNull, true)
  assert.equal(decoded.value, undefined)
  assert.deepEqual(decoded.properties, { Quality: { type: 'Int32', value: 0 } })
})

test('session - the first value after a null carries Quality 192, once', () => {
  const { payloads } = build()
  const send = (value: Value | null) => payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', value)])], false, T0)!.metrics[0]!
  assert.equal(send(1).properties, undefined)
  assert.equal(send(null).properties?.Quality?.value, 0)
  assert.deepEqual(send(2).properties, { Quality: { type: 'Int32', value: 192 } })
  assert.equal(send(3).properties, undefined)
})

test('session - a value after a birth that had the metric null carries Quality 192', () => {
  const { payloads } = build()
  payloads.dbirth('Boiler1', T0)
  const payload = payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', 20)])], false, T0)
  assert.deepEqual(payload?.metrics[0]?.properties, { Quality: { type: 'Int32', value: 192 } })
})

test('session - a historical value does not use up the Quality 192 owed to the next live value', () => {
  const { payloads } = build()
  const payload = (value: Value | null, historical: boolean) => payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', value)])], historical, T0)!.metrics[0]!
  payload(null, false)
  assert.equal(payload(18, true).properties, undefined)
  assert.deepEqual(payload(20, false).properties, { Quality: { type: 'Int32', value: 192 } })
})

test('session - a historical null carries Quality 0 but does not make the next live value claim a recovery', () => {
  const { payloads } = build()
  const payload = (value: Value | null, historical: boolean) => payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', value)])], historical, T0)!.metrics[0]!
  payload(20, false)
  assert.deepEqual(payload(null, true).properties, { Quality: { type: 'Int32', value: 0 } })
  assert.equal(payload(21, false).properties, undefined)
})

test('session - an uncertain value goes out with its value and Quality 64, in data and in the next birth; good again carries 192', () => {
  const { state, payloads } = build()
  const quality = (m: PayloadMetric | undefined) => (m?.properties?.Quality as { value: number } | undefined)?.value
  const doubtful: Metric = { ...metric('Temperature', 'Float', 20.5), uncertain: true }
  state.record('Boiler1', [doubtful])
  const data = payloads.dataPayload([record('Boiler1', [doubtful])], false, T0 + 2)!
  assert.deepEqual([data.metrics[0]!.value, quality(data.metrics[0])], [20.5, 64])
  const birth = payloads.dbirth('Boiler1', T0 + 3).metrics.find((m) => m.name === 'Temperature')
  assert.deepEqual([birth?.value, quality(birth)], [20.5, 64])
  const good = metric('Temperature', 'Float', 20.5, T0 + 4)
  assert.equal(quality(payloads.dataPayload([record('Boiler1', [good])], false, T0 + 5)!.metrics[0]), 192)
})

test('session - a value after a birth that had the metric good carries no Quality property (192 is only sent on a recovery)', () => {
  const { state, payloads } = build()
  state.record('Boiler1', [metric('Temperature', 'Float', 20)])
  payloads.dbirth('Boiler1', T0)
  const payload = payloads.dataPayload([record('Boiler1', [metric('Temperature', 'Float', 21)])], false, T0)
  assert.equal(payload?.metrics[0]?.properties, undefined)
})

test('session - a buffered value the retyped tag cannot hold goes as history by name with its recorded type, keeping Quality 64 when uncertain', () => {
  const { state, payloads } = build()
  state.replaceDevice(device('Boiler1', [{ name: 'Temperature', type: 'Int32' }, { name: 'Setpoint', type: 'Int16', writable: true }]))
  const doubtful: Metric = { ...metric('Temperature', 'Float', 20.5), uncertain: true }
  const payload = payloads.dataPayload([record('Boiler1', [doubtful, metric('Temperature', 'Float', 21.5, T0 + 2)])], false, T0 + 3)
  assert.deepEqual(payload?.metrics, [
    { name: 'Temperature', timestamp: T0 + 1, datatype: 'Float', isHistorical: true, value: 20.5, properties: { Quality: { type: 'Int32', value: 64 } } },
    { name: 'Temperature', timestamp: T0 + 2, datatype: 'Float', isHistorical: true, value: 21.5 },
  ])
})
