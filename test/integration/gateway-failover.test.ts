import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { TestHost } from '../helpers/host.js'
import type { Broker } from '../helpers/mosquitto.js'
import { startRig } from '../helpers/rig.js'
import { metricOf, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
let a: Broker, onA: SparkplugObserver, hostA: TestHost
let b: Broker, onB: SparkplugObserver, hostB: TestHost
const bdSeq = (m: { payload: Parameters<typeof metricOf>[0] }) => metricOf(m.payload, 'bdSeq')!.value

before(async (t) => {
  const rigA = await startRig(t, { host: true })
  const rigB = await startRig(t, { host: true })
  a = rigA.broker
  b = rigB.broker
  onA = rigA.observer
  onB = rigB.observer
  hostA = rigA.host
  hostB = rigB.host
  await hostA.state(true, Date.now())
  await hostB.state(true, Date.now())
  rigA.startGateway({ servers: [a.url, b.url], primaryHostId: 'SCADA-1', devices: { sim1: simDevice('Sim1') } })
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
