/**
 * Derived tags through the whole gateway: a simulator device, the gateway as a separate process,
 * real mosquitto, Sparkplug decoded as a host sees it.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Sim1'
let observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess
let aliases: Map<string, number>

const derived = [
  'derived:',
  '  - { name: Setpoint F, expression: \'convert(Setpoint, "degC", "degF")\', units: degF }',
  '  - { name: Hot, expression: "{Setpoint F} > 100 and Mode == \\"auto\\"" }',
  '  - { name: Gateway Software, expression: "{node:Properties/Software}" }',
  '  - { name: Buffer Known, expression: "{node:Gateway/Buffer/Records} >= 0" }',
]

before(async (t) => {
  ({ observer, host, gateway } = await startRig(t, { host: true, gateway: { devices: { sim1: [simDevice('Sim1'), ...derived].join('\n') } } }))
})

test('derived - born in DBIRTH with their datatype and value, read-only; DDATA when an input changes', async () => {
  const birth = await observer.waitFor((m) => m.type === 'DBIRTH', T)
  aliases = aliasesOf(birth.payload)
  const f = metricOf(birth.payload, 'Setpoint F', aliases)!
  assert.equal(f.datatype, 'Double')
  assert.equal(f.value, 68)
  const hot = metricOf(birth.payload, 'Hot', aliases)!
  assert.equal(hot.datatype, 'Boolean')
  assert.equal(hot.value, false)

  const from = observer.messages.length
  await host.command(DCMD, [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }])
  const data = await observer.waitFor((m) => observer.messages.indexOf(m) >= from && m.type === 'DDATA' && metricOf(m.payload, 'Setpoint F', aliases) !== undefined, T)
  assert.equal(metricOf(data.payload, 'Setpoint F', aliases)!.value, 108.5)
  assert.equal(metricOf(data.payload, 'Hot', aliases)!.value, true)
})

test('derived - a derived tag over node metrics is born in DBIRTH with their values', async () => {
  const birth = await observer.waitFor((m) => m.type === 'DBIRTH', T)
  const software = metricOf(birth.payload, 'Gateway Software', aliases)!
  assert.equal(software.datatype, 'String')
  assert.equal(software.value, 'sparkplug-gateway')
  assert.equal(metricOf(birth.payload, 'Buffer Known', aliases)!.value, true)
})

test('derived - a DCMD to a derived tag is refused and audited like a write to a read-only tag', async () => {
  await host.command(DCMD, [{ name: 'Setpoint F', datatype: 'Double', value: 1 }])
  const line = await gateway.waitForLine(/command refused.*metric="?Setpoint F/, T)
  assert.match(line, /not writable/)
})
