import assert from 'node:assert/strict'
import { test } from 'node:test'
import { simDevice } from '../helpers/sim-device.js'
import { deliveryOf, liveData, startRig, waitForBuffered } from '../helpers/store-forward-rig.js'

// The counter moves every 250 ms and is read every 25 ms: even a reading delayed by a busy machine sees every value.
const PERIOD = 250
const device = { sim1: simDevice('Sim1', { poll: '25ms', counterPeriod: `${PERIOD}ms` }) }
// durability: process (no fsync per commit): on this shared VM an fsync now and then takes 200+ ms, and
// better-sqlite3 commits on the event loop, so a reading could be skipped, which would read as a loss here.
const extra = 'buffer: { durability: process }'
const T = 20_000

test('store-and-forward - broker stopped for 20 s: every counter value arrives; the outage\'s flagged historical with their reading times, in order (issue 4: buffer while unreachable, replay as history)', async (t) => {
  const rig = await startRig({ devices: device, extra }, T)
  t.after(() => rig.close())
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  await rig.broker.stop()
  const from = Date.now()
  await rig.gateway.waitForLine(/connection lost/, T)
  // 20 s of readings at 4 a second on top of what the outage started with (the rolling window).
  await waitForBuffered(rig, 80, 2 * T)
  const to = Date.now()
  await rig.broker.start()
  // Two seconds of live values after the return: the backlog (one history batch) went out long before.
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { counts, during: duringOutage } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  assert.deepEqual(counts.missing, [])
  assert.ok(duringOutage.length >= 76, `only ${duringOutage.length} values were read during the outage`)
  assert.ok(duringOutage.every((s) => s.historical))
})

test('store-and-forward - dataQos 1, broker SIGKILLed mid-stream and restarted: nothing lost (issue 4: rows leave the buffer only on PUBACK)', async (t) => {
  const rig = await startRig({ devices: device, dataQos: 1, extra }, T)
  t.after(() => rig.close())
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  await rig.broker.stop('SIGKILL')
  const from = Date.now()
  await rig.gateway.waitForLine(/connection lost/, T)
  await waitForBuffered(rig, 12, T)
  const to = Date.now()
  await rig.broker.start()
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const { counts, during } = deliveryOf(rig, 'Sim1', PERIOD, { from, to }, (text) => t.diagnostic(text))
  assert.deepEqual(counts.missing, [])
  assert.ok(during.length >= 10)
  // QoS 1 acknowledges each row: nothing sent before the kill is replayed beyond the one in flight.
  assert.ok(counts.replayedAgain <= 1, `${counts.replayedAgain} values were replayed although the broker had acknowledged them`)
})
