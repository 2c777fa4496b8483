import assert from 'node:assert/strict'
import type { TagConfig } from '../../gateway/config/types.js'
import type { DataRecord, Metric, SparkplugType, Value } from '../../gateway/model/value.js'
import { tagDefs } from '../../gateway/normalise/tag-def.js'
import { decodePayload, encodePayload } from '../../gateway/sparkplug/codec.js'
import { nodeMetricDefs } from '../../gateway/node/node-metrics.js'
import type { Payload, PayloadMetric } from '../../gateway/sparkplug/payload.js'
import { NodeState, type DeviceDef } from '../../gateway/node/node-state.js'
import { PayloadBuilder } from '../../gateway/sparkplug/payload-builder.js'

export const T0 = 1_700_000_000_000
const codec = { uint32Field: 'int_value' } as const

export function device(deviceId: string, tags: readonly (Partial<TagConfig> & { name: string; type: SparkplugType })[]): DeviceDef {
  const configs: TagConfig[] = tags.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  return { deviceId, tags: tagDefs(configs, tags.map((t) => ({ name: t.name, type: t.type }))) }
}

/** A node of two devices (Boiler1: Temperature, Setpoint; Pump2: Running, Speed) and the payloads built from its state. */
export function build(): { state: NodeState; payloads: PayloadBuilder } {
  const state = new NodeState(nodeMetricDefs(1000), [
    device('Boiler1', [
      { name: 'Temperature', type: 'Float', units: '°C', description: 'water out' },
      { name: 'Setpoint', type: 'Int16', writable: true },
    ]),
    device('Pump2', [{ name: 'Running', type: 'Boolean' }, { name: 'Speed', type: 'UInt32' }]),
  ], T0)
  return { state, payloads: new PayloadBuilder(state) }
}

export const metric = (name: string, type: SparkplugType, value: Value | null, at = T0 + 1): Metric => ({ name, type, value, at })
export const record = (deviceId: string | null, metrics: Metric[], at = T0 + 1): DataRecord => ({ deviceId, at, metrics })
export const byName = (payload: Payload, name: string): PayloadMetric => {
  const found = payload.metrics.find((m) => m.name === name)
  assert.ok(found, `metric ${name} in payload`)
  return found
}
export const wire = (payload: Payload): Payload => decodePayload(encodePayload(payload, codec))
