/**
 * Sparkplug Templates on the wire: golden bytes of a definition (NBIRTH), an instance (DBIRTH) and
 * a partial instance (DDATA), each read back by the sparkplug-payload package's decoder and by a
 * protobuf field walker written here from the Sparkplug B schema's field numbers, so neither our
 * codec nor the generated module is the only judge.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as sparkplug from 'sparkplug-payload'
import type { InstanceConfig, TagConfig, TemplateTypeConfig } from '../../../gateway/config/types.js'
import type { SparkplugType } from '../../../gateway/model/value.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { encodePayload } from '../../../gateway/sparkplug/codec.js'
import { PayloadBuilder } from '../../../gateway/sparkplug/payload-builder.js'
import type { PayloadMetric, Template } from '../../../gateway/sparkplug/payload.js'

const golden = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test/cases/templates/payloads.json', import.meta.url)), 'utf8')) as Record<string, string>
const spb = sparkplug.get('spBv1.0')!
const options = { uint32Field: 'long_value' } as const

const motor: TemplateTypeConfig = { file: 'types/Motor.yaml', name: 'Motor', members: [{ name: 'Current', datatype: 'Float', units: 'A' }], parameters: [] }
const pump: TemplateTypeConfig = {
  file: 'types/Pump.yaml', name: 'Pump', version: '1.2',
  members: [{ name: 'Speed', datatype: 'Float', units: 'rpm' }, { name: 'Running', datatype: 'Boolean' }, { name: 'Motor', type: 'Motor' }],
  parameters: [{ name: 'Rated Speed', type: 'Double', value: 1450 }, { name: 'Location', type: 'String', value: '' }],
}
const instance: InstanceConfig = { name: 'Pump3', type: 'Pump', parameters: [{ name: 'Rated Speed', type: 'Double', value: 1450 }, { name: 'Location', type: 'String', value: 'North' }] }

function station(): NodeState {
  const tag = (name: string, type: SparkplugType, extra: Partial<TagConfig> = {}): TagConfig => ({ name, pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, sparkplugType: type, ...extra })
  const configs = [
    tag('Level', 'Int16'),
    tag('Pump3/Speed', 'Float', { instance: 'Pump3', member: 'Speed', units: 'rpm' }),
    tag('Pump3/Running', 'Boolean', { instance: 'Pump3', member: 'Running', writable: true }),
    tag('Pump3/Motor/Current', 'Float', { instance: 'Pump3', member: 'Motor/Current', units: 'A' }),
  ]
  const tags = tagDefs(configs, configs.map((c) => ({ name: c.name, type: c.sparkplugType! })))
  const state = new NodeState([], [{ deviceId: 'Station1', tags, instances: [instance], templates: [motor, pump] }], 1000)
  state.record('Station1', [
    { name: 'Level', type: 'Int16', value: 7, at: 1000 },
    { name: 'Pump3/Speed', type: 'Float', value: 1200, at: 1000 },
    { name: 'Pump3/Running', type: 'Boolean', value: true, at: 1000 },
    { name: 'Pump3/Motor/Current', type: 'Float', value: 12.5, at: 1000 },
  ], 1000)
  return state
}

/** Field number, wire type and raw value of each field of one protobuf message. */
function fields(bytes: Uint8Array): { field: number; wire: number; value: bigint | Uint8Array }[] {
  const out: { field: number; wire: number; value: bigint | Uint8Array }[] = []
  let at = 0
  const varint = () => {
    let v = 0n
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[at++]!
      v |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return v
    }
  }
  while (at < bytes.length) {
    const key = Number(varint())
    const wire = key & 7
    if (wire === 0) out.push({ field: key >> 3, wire, value: varint() })
    else if (wire === 2) {
      const length = Number(varint())
      out.push({ field: key >> 3, wire, value: bytes.subarray(at, at + length) })
      at += length
    } else if (wire === 5) (out.push({ field: key >> 3, wire, value: bytes.subarray(at, at + 4) }), (at += 4))
    else if (wire === 1) (out.push({ field: key >> 3, wire, value: bytes.subarray(at, at + 8) }), (at += 8))
    else throw new Error(`wire type ${wire}`)
  }
  return out
}
const text = (v: bigint | Uint8Array) => Buffer.from(v as Uint8Array).toString('utf8')
const sub = (list: ReturnType<typeof fields>, n: number) => list.filter((f) => f.field === n)

// Sparkplug B schema field numbers: Payload.metrics 2; Metric name 1, alias 2, datatype 4, template_value 18;
// Template version 1, metrics 2, parameters 3, template_ref 4, is_definition 5; Parameter name 1, type 2.
test('templates - NBIRTH carries every used definition: is_definition true, version, all members, all parameters with types, no template_ref', () => {
  const bytes = encodePayload(new PayloadBuilder(station()).nbirth(0, 1000), options)
  assert.equal(Buffer.from(bytes).toString('hex'), golden.nbirth)
  const decoded = spb.decodePayload(bytes) as unknown as { metrics: any[] }
  const byName = new Map(decoded.metrics.map((m) => [m.name, m]))
  const def = byName.get('Pump')!
  assert.equal(def.type, 'Template')
  const t = def.value as any
  assert.equal(t.isDefinition, true)
  assert.equal(t.version, '1.2')
  assert.ok(!t.templateRef, 'no template_ref on a definition')
  assert.deepEqual(t.metrics.map((m: any) => [m.name, m.type]), [['Speed', 'Float'], ['Running', 'Boolean'], ['Motor', 'Template']])
  assert.deepEqual(t.parameters.map((p: any) => [p.name, p.type, p.value]), [['Rated Speed', 'Double', 1450], ['Location', 'String', '']])
  // A nested member of a definition refers to its own definition, with all of its members.
  assert.equal(t.metrics[2].value.templateRef, 'Motor')
  assert.deepEqual(t.metrics[2].value.metrics.map((m: any) => m.name), ['Current'])
  assert.equal((byName.get('Motor')!.value as any).isDefinition, true)

  const metric = sub(fields(bytes), 2).map((m) => fields(m.value as Uint8Array)).find((m) => text(sub(m, 1)[0]!.value) === 'Pump')!
  assert.equal(sub(metric, 4)[0]!.value, 19n)
  assert.equal(sub(metric, 2).length, 0, 'a definition has no alias')
  const template = fields(sub(metric, 18)[0]!.value as Uint8Array)
  assert.deepEqual(sub(template, 5).map((f) => f.value), [1n])
  assert.equal(sub(template, 4).length, 0)
  assert.equal(text(sub(template, 1)[0]!.value), '1.2')
  assert.deepEqual(sub(template, 3).map((p) => [text(sub(fields(p.value as Uint8Array), 1)[0]!.value), sub(fields(p.value as Uint8Array), 2)[0]!.value]), [['Rated Speed', 10n], ['Location', 12n]])
})

test('templates - DBIRTH carries each instance: is_definition false, template_ref, every member with its value, parameters, an alias', () => {
  const state = station()
  const bytes = encodePayload(new PayloadBuilder(state).dbirth('Station1', 1000), options)
  assert.equal(Buffer.from(bytes).toString('hex'), golden.dbirth)
  const decoded = spb.decodePayload(bytes) as unknown as { metrics: any[] }
  assert.deepEqual(decoded.metrics.map((m) => m.name), ['Level', 'Pump3'])
  const pump3 = decoded.metrics[1]!
  assert.equal(pump3.type, 'Template')
  assert.equal(Number(pump3.alias), state.lookupInstance('Station1', 'Pump3')!.alias)
  const t = pump3.value as any
  assert.equal(t.isDefinition, false)
  assert.equal(t.templateRef, 'Pump')
  assert.deepEqual(t.metrics.map((m: any) => [m.name, m.type, m.value]).slice(0, 2), [['Speed', 'Float', 1200], ['Running', 'Boolean', true]])
  assert.equal(t.metrics[2].value.templateRef, 'Motor')
  assert.equal(t.metrics[2].value.isDefinition, false)
  assert.deepEqual(t.metrics[2].value.metrics.map((m: any) => [m.name, m.value]), [['Current', 12.5]])
  assert.deepEqual(t.parameters.map((p: any) => [p.name, p.value]), [['Rated Speed', 1450], ['Location', 'North']])
  assert.equal(t.metrics[0].properties.engUnit.value, 'rpm')

  const metric = fields(sub(fields(bytes), 2)[1]!.value as Uint8Array)
  const template = fields(sub(metric, 18)[0]!.value as Uint8Array)
  assert.deepEqual(sub(template, 5).map((f) => f.value), [0n], 'is_definition false is on the wire')
  assert.equal(text(sub(template, 4)[0]!.value), 'Pump')
})

test('templates - DDATA carries the instance by alias with only the members that changed', () => {
  const state = station()
  const payloads = new PayloadBuilder(state)
  payloads.dbirth('Station1', 1000)
  const record = state.record('Station1', [{ name: 'Pump3/Motor/Current', type: 'Float', value: 13, at: 2000 }, { name: 'Level', type: 'Int16', value: 8, at: 2000 }], 2000)!
  const bytes = encodePayload(payloads.dataPayload([record], false, 2000)!, options)
  assert.equal(Buffer.from(bytes).toString('hex'), golden.ddata)
  // The package's decoder reads a value by the metric's datatype, which DATA leaves out: it sees the alias only.
  const decoded = spb.decodePayload(bytes) as unknown as { metrics: any[] }
  assert.deepEqual(decoded.metrics.map((m) => Number(m.alias)).sort(), [1, state.lookupInstance('Station1', 'Pump3')!.alias])
  const metric = sub(fields(bytes), 2).map((m) => fields(m.value as Uint8Array)).find((m) => sub(m, 18).length > 0)!
  assert.equal(sub(metric, 1).length, 0, 'no name: the alias names it')
  assert.equal(sub(metric, 4).length, 0, 'no datatype in DATA')
  assert.equal(sub(metric, 2)[0]!.value, BigInt(state.lookupInstance('Station1', 'Pump3')!.alias))
  const template = fields(sub(metric, 18)[0]!.value as Uint8Array)
  assert.deepEqual(sub(template, 5).map((f) => f.value), [0n])
  assert.equal(text(sub(template, 4)[0]!.value), 'Pump')
  const members = sub(template, 2).map((m) => fields(m.value as Uint8Array))
  assert.deepEqual(members.map((m) => [text(sub(m, 1)[0]!.value), sub(m, 4)[0]!.value]), [['Motor', 19n]], 'only the changed member, with its datatype')
  const motorMembers = sub(fields(sub(members[0]!, 18)[0]!.value as Uint8Array), 2).map((m) => fields(m.value as Uint8Array))
  assert.deepEqual(motorMembers.map((m) => [text(sub(m, 1)[0]!.value), Buffer.from(sub(m, 12)[0]!.value as Uint8Array).readFloatLE(0)]), [['Current', 13]])
})

test('templates - a DCMD to an instance writes its writable members; a non-Template value, an unknown or read-only member, too many members are refused', async () => {
  const { parseCommands } = await import('../../../gateway/sparkplug/commands.js')
  const state = station()
  const alias = state.lookupInstance('Station1', 'Pump3')!.alias
  const cmd = (value: unknown, maxMetrics = 100) => parseCommands(state, 'Station1', { metrics: [{ alias, datatype: 'Template', value: value as Template }] }, { writes: true, reboot: true, scanRate: true, scanRateMinMs: 100, scanRateMaxMs: 3_600_000, maxPayloadBytes: 65536, maxMetrics })
  const instance = (metrics: PayloadMetric[]) => ({ kind: 'Template', isDefinition: false, templateRef: 'Pump', parameters: [], metrics })
  const ok = cmd(instance([{ name: 'Running', datatype: 'Boolean', value: false }]))
  assert.deepEqual(ok.commands.map((c) => c.type === 'write' && [c.tag.name, c.value]), [['Pump3/Running', false]])
  assert.match(cmd(5).refused[0]!.reason, /Template value/)
  assert.deepEqual(cmd(instance([{ name: 'Sped', datatype: 'Float', value: 1 }])).refused, [{ metric: 'Pump3/Sped', reason: "type Pump has no member 'Sped'" }])
  assert.deepEqual(cmd(instance([{ name: 'Speed', datatype: 'Float', value: 1 }])).refused, [{ metric: 'Pump3/Speed', reason: 'tag is not writable' }])
  assert.match(cmd(instance([{ name: 'Running', datatype: 'Boolean', value: true }, { name: 'Running', datatype: 'Boolean', value: false }]), 1).refused[0]!.reason, /more than 1 members/)
})
