import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { startRig } from '../helpers/rig.js'
import type { SparkplugMessage } from '../helpers/sparkplug-observer.js'

const T = 20_000

test('push driver - a device that pushes (simulator push: 100ms) is born on its first push, publishes without being polled, dies when its connection is lost and is born again', async (t) => {
  const pushed = (darkFile: string) => [
    'device: Pushed',
    'driver: simulator',
    `connection: { push: 100ms, darkFile: ${darkFile} }`,
    'poll: 1h',
    'offlineAfter: 1',
    'tags:',
    '  - { name: Counter, signal: counter, period: 100ms }',
  ].join('\n')
  const rig = await startRig(t, { gateway: (dir) => ({ devices: { push: pushed(join(dir, 'push.dark')) } }) })
  const { observer, dir } = rig
  const darkFile = join(dir, 'push.dark')
  const http = await rig.http(T)
  const isPushed = (type: string) => (m: SparkplugMessage) => m.type === type && m.deviceId === 'Pushed'
  await observer.waitForCount(isPushed('DBIRTH'), 1, T)
  // With `poll: 1h` a polled device would publish once an hour: these come from the pushes.
  await observer.waitForCount(isPushed('DDATA'), 5, T)
  const status = await (await fetch(`${http}/status`)).json() as { devices: Record<string, { online: boolean; scans: number }> }
  assert.deepEqual([status.devices.Pushed?.online, status.devices.Pushed?.scans], [true, 0], 'online, and never scanned')

  writeFileSync(darkFile, '')
  await observer.waitForCount(isPushed('DDEATH'), 1, T)
  rmSync(darkFile)
  await observer.waitForCount(isPushed('DBIRTH'), 2, T)
  await observer.waitForCount(isPushed('DDATA'), 6, T)
})
