import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Driver, Reading } from '../../../drivers/driver.js'
import type { DeviceConfig, TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { startPollLoop } from '../../../gateway/runtime/poll.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { Recorder } from '../../../gateway/node/recorder.js'

/**
 * A driver whose next read can be made to hang until released. It records every call and how
 * many ran at once: the Driver contract promises the poll loop never calls it concurrently.
 */
function hangingDriver() {
  const calls: string[] = []
  let active = 0
  let mostAtOnce = 0
  let hangNext = false
  let release = () => {}
  const listeners: (() => void)[] = []
  const track = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    calls.push(name)
    active++
    mostAtOnce = Math.max(mostAtOnce, active)
    for (const listener of listeners.splice(0)) listener()
    try {
      return await action()
    } finally {
      active--
    }
  }
  const driver: Driver = {
    points: [{ name: 'Level', type: 'Int32' }],
    open: () => track('open', async () => {}),
    close: () => track('close', async () => {}),
    write: () => track('write', async () => {}),
    read: (names) =>
      track('read', async (): Promise<Reading[]> => {
        if (hangNext) {
          hangNext = false
          await new Promise<void>((resolve) => (release = resolve))
        }
        return names.map((point) => ({ point, at: Date.now(), value: 7 }))
      }),
  }
  return {
    driver,
    calls,
    mostAtOnce: () => mostAtOnce,
    hangNextRead: () => (hangNext = true),
    release: () => release(),
    /** Resolves at the next call the driver receives. */
    nextCall: () => new Promise<void>((resolve) => listeners.push(resolve)),
  }
}

const tag: TagConfig = { name: 'Level', pollMs: 20, deadband: 0, writable: false, writeIntervalMs: 0 }
const device: DeviceConfig = { file: 'd.yaml', deviceId: 'Tank', driver: 'fake', pollMs: 20, offlineAfter: 2, tags: [tag], driverConfig: {} }

test('poll - a timed-out driver call is waited for before the driver is closed and opened again', async () => {
  const fake = hangingDriver()
  const tags = tagDefs(device.tags, fake.driver.points)
  const session = new NodeState([], [{ deviceId: 'Tank', tags }])
  const changes: boolean[] = []
  const changed: (() => void)[] = []
  const sink = new Recorder(session, createMemoryOutbox(), {
    notify: () => {},
    deviceChanged: (_id: string, online: boolean) => {
      changes.push(online)
      for (const listener of changed.splice(0)) listener()
      return false
    },
    definitionsChanged: () => {},
  })
  const nextChange = () => new Promise<void>((resolve) => changed.push(resolve))
  let online = nextChange()
  const loop = startPollLoop(device, fake.driver, tags, sink, silentLog, { callLimitMs: 50 })
  try {
    await online
    fake.hangNextRead()
    const hung = fake.nextCall()
    await hung
    const hungAt = fake.calls.length
    // The loop gives up on the call (timeout), keeps failing scans while it runs, and the device
    // dies, all without calling the driver again.
    const first = await Promise.race([fake.nextCall().then(() => 'a driver call'), nextChange().then(() => 'device offline')])
    assert.equal(first, 'device offline', `driver called while the timed-out read still runs: ${fake.calls.slice(hungAt).join(', ')}`)
    assert.deepEqual(changes, [true, false])
    online = nextChange()
    fake.release()
    await online
    assert.deepEqual(fake.calls.slice(hungAt), ['close', 'open', 'read'])
    assert.equal(fake.mostAtOnce(), 1)
    assert.ok(loop.stats().timeouts >= 2, 'the timeout and the wait for the call count as timed-out scans')
  } finally {
    await loop.stop()
  }
})

test('poll - stopping while a driver call hangs returns at once and closes the driver when the call returns', async () => {
  const fake = hangingDriver()
  const tags = tagDefs(device.tags, fake.driver.points)
  const session = new NodeState([], [{ deviceId: 'Tank', tags }])
  let born = () => {}
  const online = new Promise<void>((resolve) => (born = resolve))
  let reported = () => {}
  const sink = new Recorder(session, createMemoryOutbox(), { notify: () => reported(), deviceChanged: () => (born(), false), definitionsChanged: () => {} })
  const loop = startPollLoop(device, fake.driver, tags, sink, silentLog, { callLimitMs: 50 })
  await online
  fake.hangNextRead()
  await fake.nextCall()
  const hungAt = fake.calls.length
  // After the timeout the loop reports the value as bad: that is the moment to stop.
  await new Promise<void>((resolve) => (reported = resolve))
  assert.equal(loop.stats().timeouts, 1)
  await loop.stop()
  assert.deepEqual(fake.calls.slice(hungAt), [])
  const closed = fake.nextCall()
  fake.release()
  await closed
  assert.deepEqual(fake.calls.slice(hungAt), ['close'])
  assert.equal(fake.mostAtOnce(), 1)
})
