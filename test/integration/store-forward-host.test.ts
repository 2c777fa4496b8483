import assert from 'node:assert/strict'
import { test } from 'node:test'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice } from '../helpers/sim-device.js'
import { deliveryOf, liveData, startRig, waitForBuffered } from '../helpers/store-forward-rig.js'

// The counter (every 250 ms) checks timestamps and order; the Walk, a new value at every read (50 ms),
// checks that every reading arrived: a busy machine may read less often, never lose one.
const PERIOD = 250
const POLL = 50
// durability: process (no fsync per commit): on this shared VM an fsync now and then takes 200+ ms, and
// better-sqlite3 commits on the event loop, so a reading could be skipped, which would read as a loss here.
const extra = 'buffer: { durability: process }'
const T = 20_000

test('store-and-forward - primary host STATE offline for 5 s, then online: every counter value arrives; the offline period\'s flagged historical, in order (buffer while the primary host is offline)', async (t) => {
  const rig = await startRig(t, { host: true, primaryHostId: 'SCADA-1', extra, devices: { sim1: simDevice('Sim1', { poll: `${POLL}ms`, counterPeriod: `${PERIOD}ms`, walk: true }) } }, T)
  const { host } = rig
  await host.state(true, Date.now())
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  await host.state(false, Date.now())
  await rig.gateway.waitForLine(/primary host offline/, T)
  const from = Date.now()
  await rig.observer.waitFor((m) => m.type === 'NDEATH', T)
  await waitForBuffered(rig, 5_000 / POLL, 2 * T)
  const to = Date.now()
  await host.state(true, Date.now())
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { during: offline } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  const readings = readingsOf(rig.observer.messages, 'Sim1')
  assert.deepEqual(countReadings(readings).missing, [], 'readings taken by the gateway never arrived')
  const readOffline = readings.filter((r) => r.at > from && r.at < to)
  // The buffered records include the node's buffer metrics, one every 10 s.
  assert.ok(readOffline.length >= 5_000 / POLL - 1, `${readOffline.length} readings from the offline period arrived, ${5_000 / POLL} records were buffered`)
  // All of them as history, but for the latest, which the new DBIRTH carries as its current value.
  const asData = (r: { birth?: true }) => r.birth !== true
  assert.ok(readOffline.filter(asData).every((r) => r.historical) && offline.filter(asData).every((s) => s.historical))
})
