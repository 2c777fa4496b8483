import assert from 'node:assert/strict'
import { test } from 'node:test'
import { connectHost } from '../helpers/host.js'
import { simDevice } from '../helpers/sim-device.js'
import { deliveryOf, liveData, startRig, waitForBuffered } from '../helpers/store-forward-rig.js'

// A period well above the poll interval: a reading delayed by a busy machine still sees every value.
const PERIOD = 250
// durability: process (no fsync per commit): on this shared VM an fsync now and then takes 200+ ms, and
// better-sqlite3 commits on the event loop, so a reading could be skipped, which would read as a loss here.
const extra = 'buffer: { durability: process }'
const T = 20_000

test('store-and-forward - primary host STATE offline for 5 s, then online: every counter value arrives; the offline period\'s flagged historical, in order (issue 4: buffer while the primary host is offline)', async (t) => {
  const rig = await startRig({ primaryHostId: 'SCADA-1', extra, devices: { sim1: simDevice('Sim1', { poll: '25ms', counterPeriod: `${PERIOD}ms` }) } }, T)
  const host = await connectHost(rig.broker.url)
  t.after(async () => {
    await host.close()
    await rig.close()
  })
  await host.state(true, Date.now())
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  await host.state(false, Date.now())
  await rig.gateway.waitForLine(/primary host offline/, T)
  const from = Date.now()
  await rig.observer.waitFor((m) => m.type === 'NDEATH', T)
  await waitForBuffered(rig, 20, T)
  const to = Date.now()
  await host.state(true, Date.now())
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { counts, during: offline } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  assert.deepEqual(counts.missing, [])
  assert.ok(offline.length >= 18, `only ${offline.length} values were read while the host was offline`)
})
