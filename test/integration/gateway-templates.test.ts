/**
 * A templated Modbus device through the whole gateway: pymodbus as the device, the gateway as a
 * separate process, real mosquitto. A Pump type (with a nested Motor) instantiated twice; the
 * definitions in NBIRTH, the instances in DBIRTH, changed members in DDATA, a DCMD to a member,
 * and a reload of a changed type that rebirths the node.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, test } from 'node:test'
import type { PayloadMetric } from '../../gateway/sparkplug/payload.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'
import { startRig } from '../helpers/rig.js'
import type { SparkplugMessage, SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { instanceWrite, instancesOf, member, named, templateOf, writeTypeFiles } from '../helpers/template-metrics.js'

const T = 10_000
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Station'

const motorType = ['type: Motor', 'members:', '  - { name: Current, datatype: Float, units: A }'].join('\n')
const pumpType = (version: string) => [
  'type: Pump',
  `version: "${version}"`,
  'parameters:',
  '  - { name: Rated Speed, type: Double, default: 1450 }',
  '  - { name: Location, type: String }',
  'members:',
  '  - { name: Speed, datatype: Float, units: rpm }',
  '  - { name: Running, datatype: Boolean }',
  '  - { name: Setpoint, datatype: Float }',
  '  - { name: Motor, type: Motor }',
].join('\n')

const station = [
  'device: Station',
  'driver: modbus-tcp',
  'connection: { host: 127.0.0.1, port: PORT, unitId: 1, timeout: 300ms }',
  'poll: 200ms',
  'offlineAfter: 2',
  'tags:',
  '  - { name: Level, address: HR20 }',
  'instances:',
  '  - name: Pump1',
  '    type: Pump',
  '    parameters: { Location: North hall }',
  '    members:',
  '      - { name: Speed, address: HR0, scale: 0.1 }',
  '      - { name: Running, address: CO0 }',
  '      - { name: Setpoint, address: HR2, writable: true, min: 0, max: 2000 }',
  '      - { name: Motor/Current, address: HR1, scale: 0.01 }',
  '  - name: Pump2',
  '    type: Pump',
  '    parameters: { Rated Speed: 2900 }',
  '    members:',
  '      - { name: Speed, address: HR10, scale: 0.1 }',
  '      - { name: Running, address: CO1 }',
  '      - { name: Setpoint, address: HR12, writable: true }',
  '      - { name: Motor/Current, address: HR11, scale: 0.01 }',
].join('\n')

let server: Pymodbus, observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess, dir: string

const isAfter = (m: SparkplugMessage, index: number) => observer.messages.indexOf(m) >= index
let instances: ReturnType<typeof instancesOf>
const aliasOf = (name: string) => instances.aliasOf(name)
const nextMember = (name: string, path: string, from: number, ok: (v: unknown) => boolean) => instances.nextMember(name, path, from, ok)

before(async (t) => {
  const rig = await startRig(t, { host: true })
  observer = rig.observer
  instances = instancesOf(observer, 'Station', T)
  host = rig.host
  server = await startPymodbus({ mode: 'tcp', units: [1] })
  rig.defer(() => server.stop())
  await server.set(1, 'hr', 0, [12000, 1250, 900])
  await server.set(1, 'hr', 10, [24000, 2500, 0])
  await server.set(1, 'hr', 20, [7])
  await server.set(1, 'co', 0, [1, 0])
  gateway = rig.startGateway((d) => {
    dir = d
    writeTypeFiles(d, { Motor: motorType, Pump: pumpType('1') })
    return { devices: { station: station.replace('PORT', String(server.port)) } }
  })
})

test('templates - NBIRTH defines Pump and the nested Motor once; DBIRTH carries both instances with every member, value and parameter', async () => {
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  const pump = templateOf(named(nbirth.payload, 'Pump'))!
  assert.equal(pump.isDefinition, true)
  assert.equal(pump.version, '1')
  assert.equal(pump.templateRef, undefined)
  assert.deepEqual(pump.metrics.map((m) => [m.name, m.datatype]), [['Speed', 'Float'], ['Running', 'Boolean'], ['Setpoint', 'Float'], ['Motor', 'Template']])
  assert.deepEqual(pump.parameters.map((p) => [p.name, p.type, p.value]), [['Rated Speed', 'Double', 1450], ['Location', 'String', '']])
  assert.equal(templateOf(named(nbirth.payload, 'Motor'))!.isDefinition, true)

  const dbirth = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Station', T)
  assert.deepEqual(dbirth.payload.metrics.map((m) => m.name), ['Level', 'Pump1', 'Pump2'])
  const pump1 = named(dbirth.payload, 'Pump1')!
  assert.equal(pump1.datatype, 'Template')
  assert.ok(pump1.alias !== undefined)
  const t1 = templateOf(pump1)!
  assert.equal(t1.isDefinition, false)
  assert.equal(t1.templateRef, 'Pump')
  assert.equal(member(t1, 'Speed')!.value, 1200)
  assert.equal(member(t1, 'Running')!.value, true)
  assert.equal(member(t1, 'Setpoint')!.value, 900)
  assert.equal(member(t1, 'Motor/Current')!.value, 12.5)
  assert.equal(member(t1, 'Speed')!.properties!.engUnit!.value, 'rpm')
  assert.deepEqual(t1.parameters.map((p) => [p.name, p.value]), [['Rated Speed', 1450], ['Location', 'North hall']])
  assert.deepEqual(templateOf(named(dbirth.payload, 'Pump2'))!.parameters.map((p) => [p.name, p.value]), [['Rated Speed', 2900], ['Location', '']])
})

test('templates - a member that changes on the device goes out in DDATA as its instance, by alias, with only that member', async () => {
  await lastBirthReady()
  const from = observer.messages.length
  await server.set(1, 'hr', 10, [25000])
  const data = await nextMember('Pump2', 'Speed', from, (v) => v === 2500)
  const instance = instances.instanceIn(data, 'Pump2')!
  assert.equal(instance.name, undefined)
  assert.deepEqual(templateOf(instance)!.metrics.map((m) => m.name), ['Speed'])
  assert.equal(templateOf(instance)!.templateRef, 'Pump')
})

test('templates - a DCMD to a member writes that register; the read-back comes as a partial instance; a write beyond max is refused', async () => {
  await lastBirthReady()
  const from = observer.messages.length
  const write = (value: number): PayloadMetric => instanceWrite(aliasOf('Pump1'), 'Pump', [{ name: 'Setpoint', datatype: 'Float', value }])
  await host.command(DCMD, [write(1500)])
  await nextMember('Pump1', 'Setpoint', from, (v) => v === 1500)
  assert.deepEqual(await server.get(1, 'hr', 2, 1), [1500])
  await gateway.waitForLine(/command accepted.*metric=Pump1\/Setpoint/, T)
  await host.command(DCMD, [write(2500)])
  await gateway.waitForLine(/command refused.*Pump1\/Setpoint/, T)
  assert.deepEqual(await server.get(1, 'hr', 2, 1), [1500])
  await host.command(DCMD, [instanceWrite(aliasOf('Pump1'), undefined, [{ name: 'Speed', datatype: 'Float', value: 1 }])])
  await gateway.waitForLine(/command refused.*Pump1\/Speed.*not writable/, T)
})

test('templates - a reload that changes a type rebirths the node with the new definition', async () => {
  await lastBirthReady()
  const from = observer.messages.length
  writeFileSync(join(dir, 'types', 'Pump.yaml'), pumpType('2'))
  gateway.reload()
  const nbirth = await observer.waitFor((m) => isAfter(m, from) && m.type === 'NBIRTH', T)
  assert.equal(templateOf(named(nbirth.payload, 'Pump'))!.version, '2')
  const dbirth = await observer.waitFor((m) => isAfter(m, from) && m.type === 'DBIRTH' && m.deviceId === 'Station', T)
  assert.equal(templateOf(named(dbirth.payload, 'Pump1'))!.templateRef, 'Pump')
})

async function lastBirthReady(): Promise<void> {
  await instances.birth()
}
