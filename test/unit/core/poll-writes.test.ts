import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createSimulatorDriver, simulatorModule } from '../../../drivers/simulator/index.js'
import type { DeviceConfig, TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { startPollLoop, type PollOptions } from '../../../gateway/runtime/poll.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { Recorder } from '../../../gateway/node/recorder.js'

const PERIOD_MS = 100

/** A simulated device that takes 10 ms per read (a slow serial device), polled every 100 ms. */
async function slowDevice(options: Partial<PollOptions>) {
  const parsed = simulatorModule.parse(
    { driver: 'simulator', connection: { latency: '10ms' }, tags: [{ name: 'Counter', signal: 'counter' }, { name: 'Setpoint', signal: 'setpoint', writable: true }] },
    [],
  )
  if (!parsed.ok) assert.fail(JSON.stringify(parsed.error))
  const driver = createSimulatorDriver(parsed.value, silentLog)
  const tagConfigs: TagConfig[] = ['Counter', 'Setpoint'].map((name) => ({ name, pollMs: PERIOD_MS, deadband: 0, writable: name === 'Setpoint', writeIntervalMs: 0 }))
  const device: DeviceConfig = { file: 'sim.yaml', deviceId: 'Sim1', driver: 'simulator', pollMs: PERIOD_MS, offlineAfter: 3, tags: tagConfigs, driverConfig: parsed.value }
  const tags = tagDefs(tagConfigs, driver.points)
  let born = () => {}
  const online = new Promise<void>((resolve) => (born = resolve))
  const sink = new Recorder(new NodeState([], [{ deviceId: 'Sim1', tags }]), createMemoryOutbox(), { notify: () => {}, deviceChanged: () => (born(), false), definitionsChanged: () => {} })
  const loop = startPollLoop(device, driver, tags, sink, silentLog, options)
  await online
  return { loop, setpoint: tags.find((t) => t.name === 'Setpoint')! }
}

test('poll writes - under a flood of 300 writes the device is still scanned once per poll period', async () => {
  const { loop, setpoint } = await slowDevice({ maxQueuedWrites: 300 })
  try {
    const scansBefore = loop.stats().scans
    const started = performance.now()
    const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => loop.write(setpoint, i + 1)))
    const periods = Math.floor((performance.now() - started) / PERIOD_MS)
    const scans = loop.stats().scans - scansBefore
    assert.equal(outcomes.filter((o) => o.ok).length, 300)
    // Each write costs a 10 ms read-back, so the flood spans dozens of periods; one scan each.
    assert.ok(periods >= 20, `the flood lasted ${periods} periods`)
    // One period of slack at each end of the flood (a scan straddling it, a stalled shared machine).
    assert.ok(scans >= periods - 2, `${scans} scans in ${periods} poll periods`)
  } finally {
    await loop.stop()
  }
})

test('poll writes - writes beyond maxQueuedWrites are refused at once, naming the setting', async () => {
  const { loop, setpoint } = await slowDevice({ maxQueuedWrites: 5 })
  try {
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => loop.write(setpoint, i + 1)))
    assert.equal(outcomes.filter((o) => o.ok).length, 5)
    const refused = outcomes.filter((o) => !o.ok)
    assert.equal(refused.length, 15)
    for (const o of refused) assert.match(o.ok ? '' : o.reason, /^5 writes already wait for this device \(commands.maxQueuedWrites\)$/)
  } finally {
    await loop.stop()
  }
})
