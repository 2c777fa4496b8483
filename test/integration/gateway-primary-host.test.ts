import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { httpUrlOf, scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import { startRig } from '../helpers/rig.js'
import { metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
let observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess
const T1 = Date.now()

const count = (type: string) => observer.messages.filter((m) => m.type === type).length
const lines = (pattern: RegExp) => gateway.output.filter((l) => pattern.test(l)).length
const waitLines = (pattern: RegExp, n: number) => gateway.waitForLines(pattern, n, T)

before(async (t) => {
  ({ observer, host, gateway } = await startRig(t, { host: true, gateway: { primaryHostId: 'SCADA-1', devices: { sim1: simDevice('Sim1') } } }))
  await gateway.waitForLine(/connected/, T)
})

test('primary host - no births for another host id or an offline host (tck phid-wait, phid-wait-id, phid-wait-online)', async () => {
  await host.state(true, T1, 'SCADA-1_WRONG')
  await host.state(false, T1 - 1000)
  await waitLines(/primary host offline/, 1) // the gateway has seen both messages, in order
  await observer.flush() // a birth sent before that line has reached the observer by now
  assert.equal(count('NBIRTH'), 0)
})

test('primary host - STATE online lets the births out (tck phid-wait)', async () => {
  await host.state(true, T1)
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  await observer.waitFor((m) => m.type === 'DBIRTH', T)
  assert.equal(metricOf(nbirth.payload, 'bdSeq')!.value, 0n)
})

test('primary host - an offline STATE older than the last online is ignored (tck termination-host-offline-timestamp)', async () => {
  const seen = lines(/primary host online/)
  await host.state(false, 16671135)
  await host.state(true, T1) // equal timestamp: valid, and a marker that the old offline was processed
  await waitLines(/primary host online/, seen + 1)
  await observer.flush()
  assert.equal(count('NDEATH'), 0)
})

test('primary host - a valid offline STATE: NDEATH, disconnect, no data until online again, then births with bdSeq + 1 (tck phid-offline, termination-host-offline-reconnect)', async () => {
  await host.state(false, T1)
  const ndeath = await observer.waitFor((m) => m.type === 'NDEATH', T)
  assert.equal(metricOf(ndeath.payload, 'bdSeq')!.value, 0n)
  await waitLines(/connected.*bdSeq=1/, 1) // reconnected, waiting for the host
  // The new DBIRTH carries the latest value as current; two more records make one of them history.
  const http = await httpUrlOf(gateway, T)
  const buffered = (await scrapeMetrics(http)).get('sparkplug_gateway_buffer_records')!
  await waitForMetric(http, 'sparkplug_gateway_buffer_records', (n) => n >= buffered + 2, T)
  await host.state(true, 1000) // an ancient online (the retained kind) must not birth
  await host.state(true, T1 + 5000)
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH' && metricOf(m.payload, 'bdSeq')!.value === 1n, T)
  const between = observer.messages.slice(observer.messages.indexOf(ndeath) + 1, observer.messages.indexOf(nbirth))
  assert.deepEqual(between.map((m: SparkplugMessage) => m.type), [], 'nothing published while the primary host was offline')
  // What the device produced meanwhile was kept and now arrives as history after the births.
  const history = await observer.waitFor((m) => m.type === 'DDATA' && observer.messages.indexOf(m) > observer.messages.indexOf(nbirth) && m.payload.metrics.some((x) => x.isHistorical), T)
  assert.ok(history.payload.metrics.every((x) => x.timestamp! < nbirth.payload.timestamp!))
})
