import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startRig } from '../helpers/rig.js'
import { metricOf } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000

test('gateway over MQTT 5 - births, then an orderly stop: NDEATH published and, by DISCONNECT reason 0x04, the will too (tck disconnect-mqtt50)', async (t) => {
  const { observer, gateway } = await startRig(t, { gateway: { version: '5', devices: { sim1: simDevice('Sim1') } } })
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  await observer.waitFor((m) => m.type === 'DBIRTH', T)
  assert.equal(await gateway.kill('SIGTERM'), 0)
  const deaths = await observer.waitForCount((m) => m.type === 'NDEATH', 2, T)
  for (const ndeath of deaths) assert.equal(metricOf(ndeath.payload, 'bdSeq')!.value, metricOf(nbirth.payload, 'bdSeq')!.value)
})
