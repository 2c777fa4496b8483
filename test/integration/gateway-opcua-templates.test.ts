/**
 * A templated OPC UA device through the whole gateway: the node-opcua test server, the gateway as a
 * separate process, real mosquitto. A Pump type instantiated twice, its members bound to variables
 * of the server whose OPC UA types differ from the members' (Double and Int16 under Float and
 * Double members): the definition in NBIRTH, the instances in DBIRTH, a value the server pushes in
 * DDATA, and a DCMD to members that writes the server's variables.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { TestHost } from '../helpers/host.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { startRig } from '../helpers/rig.js'
import type { SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { instanceWrite, instancesOf, member, named, templateOf, writeTypeFiles } from '../helpers/template-metrics.js'

const T = 30_000
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Pumphouse'

const pumpType = [
  'type: Pump',
  'version: "3"',
  'parameters:',
  '  - { name: Rated Speed, type: Double, default: 1450 }',
  'members:',
  '  - { name: Speed, datatype: Float, units: rpm }',
  '  - { name: Running, datatype: Boolean }',
  '  - { name: Setpoint, datatype: Double }',
].join('\n')

const pumphouse = (endpoint: string) => [
  'device: Pumphouse',
  'driver: opcua',
  `connection: { endpoint: '${endpoint}' }`,
  'poll: 200ms',
  'instances:',
  '  - name: Pump1',
  '    type: Pump',
  '    members:',
  "      - { name: Speed, nodeId: 'ns=1;s=Double' }",
  "      - { name: Running, nodeId: 'ns=1;s=Boolean' }",
  "      - { name: Setpoint, nodeId: 'ns=1;s=Setpoint', writable: true }",
  '  - name: Pump2',
  '    type: Pump',
  '    parameters: { Rated Speed: 2900 }',
  '    members:',
  "      - { name: Speed, nodeId: 'ns=1;s=Float' }",
  "      - { name: Running, nodeId: 'ns=1;s=Boolean' }",
  "      - { name: Setpoint, nodeId: 'ns=1;s=WritableInt16', writable: true }",
].join('\n')

let server: OpcuaTestServer, observer: SparkplugObserver, host: TestHost
let pumps: ReturnType<typeof instancesOf>

before(async (t) => {
  const rig = await startRig(t, { host: true })
  observer = rig.observer
  host = rig.host
  pumps = instancesOf(observer, 'Pumphouse', T)
  server = await startOpcuaServer()
  rig.defer(() => server.stop())
  rig.startGateway((d) => {
    writeTypeFiles(d, { Pump: pumpType })
    return { devices: { pumphouse: pumphouse(server.endpoint) } }
  })
})

test('gateway opcua templates - NBIRTH defines Pump with its members and parameter types; DBIRTH carries both instances with the server\'s values', async () => {
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  const pump = templateOf(named(nbirth.payload, 'Pump'))!
  assert.equal(pump.isDefinition, true)
  assert.equal(pump.version, '3')
  assert.deepEqual(pump.metrics.map((m) => [m.name, m.datatype]), [['Speed', 'Float'], ['Running', 'Boolean'], ['Setpoint', 'Double']])
  assert.deepEqual(pump.parameters.map((p) => [p.name, p.type, p.value]), [['Rated Speed', 'Double', 1450]])

  const dbirth = await pumps.birth()
  assert.deepEqual(dbirth.payload.metrics.map((m) => [m.name, m.datatype]), [['Pump1', 'Template'], ['Pump2', 'Template']])
  const values = (name: string) => {
    const t = templateOf(named(dbirth.payload, name))!
    assert.equal(t.isDefinition, false)
    assert.equal(t.templateRef, 'Pump')
    return { members: t.metrics.map((m) => [m.name, m.datatype, m.value]), parameters: t.parameters.map((p) => [p.name, p.value]) }
  }
  assert.deepEqual(values('Pump1'), { members: [['Speed', 'Float', 3.25], ['Running', 'Boolean', true], ['Setpoint', 'Double', 20]], parameters: [['Rated Speed', 1450]] })
  assert.deepEqual(values('Pump2'), { members: [['Speed', 'Float', 1.5], ['Running', 'Boolean', true], ['Setpoint', 'Double', 7]], parameters: [['Rated Speed', 2900]] })
  assert.equal(member(templateOf(named(dbirth.payload, 'Pump1')), 'Speed')!.properties!.engUnit!.value, 'rpm')
})

test('gateway opcua templates - a value the server pushes arrives in DDATA as its instance, by alias, with only that member', async () => {
  await pumps.birth()
  const from = observer.messages.length
  await server.set('Double', 4.5)
  const data = await pumps.nextMember('Pump1', 'Speed', from, (v) => v === 4.5)
  const instance = pumps.instanceIn(data, 'Pump1')!
  assert.equal(instance.name, undefined)
  assert.equal(templateOf(instance)!.templateRef, 'Pump')
  assert.deepEqual(templateOf(instance)!.metrics.map((m) => [m.name, m.datatype, m.value]), [['Speed', 'Float', 4.5]])
  assert.equal(pumps.instanceIn(data, 'Pump2'), undefined)
})

test('gateway opcua templates - a DCMD to instance members writes the server\'s variables; the read-backs arrive as partial instances', async () => {
  await pumps.birth()
  const from = observer.messages.length
  await host.command(DCMD, [
    instanceWrite(pumps.aliasOf('Pump1'), 'Pump', [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }]),
    instanceWrite(pumps.aliasOf('Pump2'), 'Pump', [{ name: 'Setpoint', datatype: 'Double', value: 42 }]),
  ])
  const one = await pumps.nextMember('Pump1', 'Setpoint', from, (v) => v === 42.5)
  const two = await pumps.nextMember('Pump2', 'Setpoint', from, (v) => v === 42)
  for (const [data, name] of [[one, 'Pump1'], [two, 'Pump2']] as const) {
    assert.deepEqual(templateOf(pumps.instanceIn(data, name))!.metrics.map((m) => m.name), ['Setpoint'], name)
  }
  assert.equal(await server.get('Setpoint'), 42.5)
  assert.equal(await server.get('WritableInt16'), 42)
})
