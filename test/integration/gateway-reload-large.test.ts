import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from 'node:test'
import { counterSamples } from '../helpers/counter-samples.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { startRig } from '../helpers/rig.js'
import type { SparkplugMessage } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 30_000
const run = promisify(execFile)
const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))
const isData = (deviceId: string) => (m: SparkplugMessage) => m.type === 'DDATA' && m.deviceId === deviceId

/** A simulator device of `tags` setpoints, one line each as a tag export writes them; polled once an hour. */
function bigDevice(deviceId: string, tags: number, last = '  - { name: Last, signal: setpoint, type: Double, initial: 0 }'): string {
  const lines = [`device: ${deviceId}`, 'driver: simulator', 'poll: 1h', 'tags:']
  for (let i = 0; i < tags - 1; i++) lines.push(`  - { name: Tag${String(i).padStart(5, '0')}, signal: setpoint, type: Double, initial: 0 }`)
  lines.push(last)
  return `${lines.join('\n')}\n`
}

test('reload - device files of 20,000 tags (the default limit) are loaded and compared while the untouched device keeps every reading', { timeout: 120_000 }, async (t) => {
  // Keep reads every 50 ms and its Counter steps every second: a second without a read of Keep
  // leaves a Counter value unpublished, a lost record leaves a gap in its Walk.
  const devices = { keep: simDevice('Keep', { poll: '50ms', walk: true, counterPeriod: '1s' }), big: bigDevice('Big', 20_000) }
  const { observer, gateway, dir } = await startRig(t, { gateway: { devices } })
  const [birth] = await observer.waitForCount((m) => m.type === 'DBIRTH' && m.deviceId === 'Big', 1, T)
  assert.equal(birth!.payload.metrics.length, 20_000)
  await observer.waitForCount((m) => isData('Keep')(m) && observer.messages.indexOf(m) > observer.messages.indexOf(birth!), 3, T)
  const mark = observer.messages.length

  // A second file as large, broken in its last line: all of it is read before the reload is refused.
  const big2 = join(dir, 'devices', 'big2.yaml')
  writeFileSync(big2, bigDevice('Big2', 20_000, '  - { name: Last, signal: setpoint, type: Double, initial: 0, poll: -5ms }'))
  gateway.reload()
  await gateway.waitForLine(/reload refused/, T)
  assert.ok(gateway.output.some((l) => l.includes(`${big2}:20004:`)), gateway.output.slice(-5).join('\n'))
  // Then Big rewritten as it was, and the broken file gone: both large files compared, nothing changes.
  rmSync(big2)
  writeFileSync(join(dir, 'devices', 'big.yaml'), devices.big)
  gateway.reload()
  await gateway.waitForLine(/reloaded.*unchanged=2/, T)
  await observer.waitForCount((m) => isData('Keep')(m) && observer.messages.indexOf(m) > mark, 40, T)
  await observer.flush()

  const messages = observer.messages.map((m) => ({ ...m, receivedAt: 0 }))
  assert.deepEqual(countReadings(readingsOf(messages, 'Keep')).missing, [], 'records of the untouched device were lost')
  const counter = counterSamples(messages, 'Keep').filter((s) => s.message >= mark - 1).map((s) => s.value)
  const gaps = counter.slice(1).filter((v, i) => v !== counter[i]! + 1).map((v) => `before ${v}`)
  assert.deepEqual(gaps, [], `Counter values never read: Keep went a whole second without a read (${counter[0]}..${counter.at(-1)})`)
  assert.equal(gateway.output.filter((l) => /connection lost/.test(l)).length, 0, 'the broker connection held')
  assert.equal(observer.messages.slice(mark).filter((m) => m.type === 'DBIRTH' || m.type === 'DDEATH').length, 0, 'no device reborn')
})

test('limits - a device file over limits.tagsPerDevice is refused with file:line by validate and at reload; the running devices stay', { timeout: 60_000 }, async (t) => {
  const { observer, gateway, dir, file } = await startRig(t, { gateway: { extra: 'limits: { tagsPerDevice: 100 }', devices: { keep: simDevice('Keep') } } })
  await observer.waitForCount(isData('Keep'), 3, T)
  writeFileSync(join(dir, 'devices', 'big.yaml'), bigDevice('Big', 101))
  // tags[100] is on line 105: four lines of device settings, then one tag a line.
  const expected = `${join(dir, 'devices', 'big.yaml')}:105:5: tags[100]: 101 tags, over the limit of 100 per device (limits.tagsPerDevice in gateway.yaml)`

  const validate = await run(process.execPath, [cli, 'validate', '--config', file], { timeout: T }).catch((e: { code: number; stdout: string; stderr: string }) => e)
  assert.equal((validate as { code: number }).code, 78)
  assert.ok(`${validate.stdout}${validate.stderr}`.includes(expected), `${validate.stdout}${validate.stderr}`)

  const before = observer.messages.length
  gateway.reload()
  await gateway.waitForLine(/reload refused/, T)
  assert.ok(gateway.output.some((l) => l.includes(expected)), gateway.output.slice(-5).join('\n'))
  await observer.waitForCount((m) => isData('Keep')(m) && observer.messages.indexOf(m) >= before, 3, T)
  await observer.flush()
  assert.deepEqual(observer.messages.slice(before).filter((m) => m.type !== 'DDATA' && m.type !== 'NDATA').map((m) => `${m.type} ${m.deviceId}`), [])
})
