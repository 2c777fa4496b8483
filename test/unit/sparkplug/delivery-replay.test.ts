/** Delivery without confirmation (MQTT QoS 0, core NATS): the replay window and "at most twice". */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../../helpers/manual-clock.js'
import { goRound, onceBorn, pumpRig as rig } from '../../helpers/pump-rig.js'

test('delivery - without confirmation, rows stay for the replay window of the upstream, then go', async () => {
  const clock = new ManualClock()
  const { upstream, pump, add, outbox } = rig({ clock, capabilities: { confirmsData: false, replayWindowMs: 10_000 } })
  await onceBorn(pump, upstream, async () => {
    add(1, clock.now())
    await upstream.waitForPublish('DDATA', 1)
    await goRound(clock, 0, pump)
    await goRound(clock, 9_999, pump)
    assert.equal(outbox.stats().records, 1, 'still inside the window')
    await goRound(clock, 1, pump)
    assert.equal(outbox.stats().records, 0)
  })
})

test('delivery - without confirmation, a row replayed after a lost connection is not replayed again after the next loss: at most twice', async () => {
  const { upstream, pump, add, outbox } = rig({ capabilities: { confirmsData: false, replayWindowMs: 3_600_000 } })
  await onceBorn(pump, upstream, async () => {
    add(1, 1000)
    await upstream.waitForPublish('DDATA', 1)
    add(2, 2000)
    await upstream.waitForPublish('DDATA', 2)
    // The DBIRTH carries Count = 2, so only the row of 1 is history the host lacks.
    upstream.drop()
    await upstream.waitForPublish('DDATA', 3)
    for (let loss = 3; loss <= 6; loss++) {
      upstream.drop()
      await upstream.waitForPublish('DBIRTH', loss)
    }
    add(3, 3000)
    await upstream.waitForPublish('DDATA', 4)
    assert.equal(outbox.stats().records, 1, 'only the new row waits for its window')
  })
  const data = upstream.published().filter((p) => p.type === 'DDATA').map((p) => [p.session, p.payload.metrics[0]?.value, p.payload.metrics[0]?.isHistorical ?? false])
  assert.deepEqual(data, [[1, 1, false], [1, 2, false], [2, 1, true], [6, 3, false]])
})
