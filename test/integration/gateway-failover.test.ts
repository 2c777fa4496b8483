import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { removeDir, startGatewayProcess, writeGatewayConfig, type GatewayProcess } from '../helpers/gateway-process.js'
import { connectHost, type TestHost } from '../helpers/host.js'
import { startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { metricOf, observeSparkplug, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
let a: Broker
let b: Broker
let onA: SparkplugObserver
let onB: SparkplugObserver
let hostA: TestHost
let hostB: TestHost
let gateway: GatewayProcess
let dir: string
const bdSeq = (m: { payload: Parameters<typeof metricOf>[0] }) => metricOf(m.payload, 'bdSeq')!.value

before(async () => {
  a = await startMosquitto()
  b = await startMosquitto()
  onA = await observeSparkplug(a.url)
  onB = await observeSparkplug(b.url)
  hostA = await connectHost(a.url)
  hostB = await connectHost(b.url)
  await hostA.state(true, Date.now())
  await hostB.state(true, Date.now())
  const setup = writeGatewayConfig({ servers: [a.url, b.url], primaryHostId: 'SCADA-1', devices: { sim1: simDevice('Sim1') } })
  dir = setup.dir
  gateway = startGatewayProcess(setup.file)
})

after(async () => {
  await gateway?.kill('SIGKILL')
  for (const c of [hostA, hostB, onA, onB]) await c?.close()
  await a?.stop()
  await b?.stop()
  removeDir(dir)
})

test('failover - births on the first server only (tck multiple-servers-single-server)', async () => {
  await onA.waitFor((m) => m.type === 'DBIRTH', T)
  await onB.flush() // anything the gateway sent to B before its DBIRTH on A has arrived by now
  assert.equal(onB.messages.length, 0)
})

test('failover - Next Server: NDEATH on the first, births on the second with bdSeq + 1', async () => {
  const first = onA.messages.find((m) => m.type === 'NBIRTH')!
  await hostA.command('spBv1.0/Plant1/NCMD/Line3-GW', [{ name: 'Node Control/Next Server', datatype: 'Boolean', value: true }])
  const ndeath = await onA.waitFor((m) => m.type === 'NDEATH', T)
  assert.equal(bdSeq(ndeath), bdSeq(first))
  const nbirth = await onB.waitFor((m) => m.type === 'NBIRTH', T)
  assert.equal(bdSeq(nbirth), (bdSeq(first) as bigint) + 1n)
  await onB.waitFor((m) => m.type === 'DBIRTH', T)
})

test('failover - primary host offline on the current server: walk to the next one (tck multiple-servers-walk)', async () => {
  const birthsOnA = onA.messages.filter((m) => m.type === 'NBIRTH').length
  await hostB.state(false, Date.now())
  await onB.waitFor((m) => m.type === 'NDEATH', T)
  await onA.waitForCount((m) => m.type === 'NBIRTH', birthsOnA + 1, T)
  await onA.waitFor((m) => m.type === 'DBIRTH' && onA.messages.indexOf(m) > onA.messages.findLastIndex((x) => x.type === 'NBIRTH'), T)
})

test('failover - the current server dies: the gateway moves to the other one', async () => {
  const birthsOnB = onB.messages.filter((m) => m.type === 'NBIRTH').length
  await hostB.state(true, Date.now())
  await onA.close()
  await a.stop('SIGKILL')
  await onB.waitForCount((m) => m.type === 'NBIRTH', birthsOnB + 1, T)
})
