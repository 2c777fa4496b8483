import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ranges } from '../helpers/counter-samples.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice } from '../helpers/sim-device.js'
import { deliveryOf, liveData, startRig, waitForBuffered, brokerOutage } from '../helpers/store-forward-rig.js'

// Read every 50 ms. The counter (every 250 ms) checks timestamps and order; the Walk, a new value at
// every read, checks that every reading arrived: a busy machine may read less often, never lose one.
const PERIOD = 250
const POLL = 50
const device = { sim1: simDevice('Sim1', { poll: `${POLL}ms`, counterPeriod: `${PERIOD}ms`, walk: true }) }
// durability: process (no fsync per commit): on this shared VM an fsync now and then takes 200+ ms, and
// better-sqlite3 commits on the event loop, so a reading could be skipped, which would read as a loss here.
const extra = 'buffer: { durability: process }'
const T = 20_000

test('store-and-forward - broker stopped for 20 s: every counter value arrives; the outage\'s flagged historical with their reading times, in order (buffer while unreachable, replay as history)', async (t) => {
  const rig = await startRig(t, { devices: device, extra }, T)
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  const from = await brokerOutage(rig, T)
  // 20 s of readings (one record per read) on top of what the outage started with (the rolling window).
  await waitForBuffered(rig, 20_000 / POLL, 3 * T)
  const to = Date.now()
  await rig.broker.start()
  // Two seconds of live values after the return: the backlog (one history batch) went out long before.
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { during: duringOutage } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  const readings = readingsOf(rig.observer.messages, 'Sim1')
  const read = countReadings(readings)
  t.diagnostic(`reads ${read.first}-${read.last}, lost: ${ranges(read.missing)}`)
  assert.deepEqual(read.missing, [], 'readings taken by the gateway never arrived')
  const readDuring = readings.filter((r) => r.at > from && r.at < to)
  // The buffered records include the node's buffer metrics, one every 10 s: up to 3 in 20 s.
  assert.ok(readDuring.length >= 20_000 / POLL - 3, `${readDuring.length} readings from the outage arrived, ${20_000 / POLL} records were buffered`)
  assert.ok(readDuring.every((r) => r.historical) && duringOutage.every((s) => s.historical))
})

test('store-and-forward - dataQos 1, broker SIGKILLed mid-stream and restarted: nothing lost (rows leave the buffer only on PUBACK)', async (t) => {
  const rig = await startRig(t, { devices: device, dataQos: 1, extra }, T)
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  const from = await brokerOutage(rig, T, 'SIGKILL')
  await waitForBuffered(rig, 60, T)
  const to = Date.now()
  await rig.broker.start()
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { counts } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  const readings = readingsOf(rig.observer.messages, 'Sim1')
  assert.deepEqual(countReadings(readings).missing, [], 'readings taken by the gateway never arrived')
  assert.ok(readings.filter((r) => r.at > from && r.at < to).length >= 60 - 1) // less a node buffer-metrics record
  // QoS 1 acknowledges each row: nothing sent before the kill is replayed beyond the one in flight.
  assert.ok(counts.replayedAgain <= 1, `${counts.replayedAgain} values were replayed although the broker had acknowledged them`)
})
