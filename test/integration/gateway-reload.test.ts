import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { startRig } from '../helpers/rig.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { aliasesOf, type SparkplugMessage } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 20_000
const isData = (deviceId: string) => (m: SparkplugMessage) => m.type === 'DDATA' && m.deviceId === deviceId

test('reload - SIGHUP: a changed device is reborn, a removed one dies, an added one is born; the untouched device publishes on with its aliases and loses no reading; a broken file changes nothing', async (t) => {
  const devices = {
    keep: simDevice('Keep', { poll: '50ms', walk: true }),
    change: simDevice('Change', { poll: '100ms' }),
    drop: simDevice('Drop', { poll: '100ms' }),
  }
  const { observer, gateway, dir } = await startRig(t, { gateway: { devices } })
  for (const id of ['Keep', 'Change', 'Drop']) await observer.waitForCount(isData(id), 3, T)
  const [keepBirth] = observer.messages.filter((m) => m.type === 'DBIRTH' && m.deviceId === 'Keep')
  const keepAliases = aliasesOf(keepBirth!.payload)

  // Change gets a new tag, Drop's file goes, Add's file comes.
  writeFileSync(join(dir, 'devices', 'change.yaml'), `${simDevice('Change', { poll: '100ms' })}\n  - { name: Extra, signal: counter, period: 100ms }`)
  rmSync(join(dir, 'devices', 'drop.yaml'))
  writeFileSync(join(dir, 'devices', 'add.yaml'), simDevice('Add', { poll: '100ms' }))
  const mark = observer.messages.length
  gateway.reload()
  await gateway.waitForLine(/reloaded.*added=1.*removed=1.*changed=1.*unchanged=1/, T)
  const [reborn] = await observer.waitForCount((m) => m.type === 'DBIRTH' && m.deviceId === 'Change' && observer.messages.indexOf(m) >= mark, 1, T)
  await observer.waitForCount((m) => m.type === 'DBIRTH' && m.deviceId === 'Add', 1, T)
  await observer.waitForCount((m) => isData('Keep')(m) && observer.messages.indexOf(m) >= mark, 10, T)
  await observer.flush()

  const since = observer.messages.slice(mark)
  const events = since.filter((m) => m.type === 'DBIRTH' || m.type === 'DDEATH' || m.type === 'NBIRTH' || m.type === 'NDEATH').map((m) => `${m.type} ${m.deviceId}`)
  assert.deepEqual(events.filter((e) => e !== 'DBIRTH Add').sort(), ['DBIRTH Change', 'DDEATH Change', 'DDEATH Drop'])
  assert.ok(events.indexOf('DDEATH Change') < events.indexOf('DBIRTH Change'), 'Change dies before it is born again')
  assert.ok(reborn!.payload.metrics.some((m) => m.name === 'Extra'), 'the new DBIRTH carries the new tag')
  // The devices poll on while the files are loaded: Drop may publish until its death, nothing after.
  const dropDeath = since.findIndex((m) => m.type === 'DDEATH' && m.deviceId === 'Drop')
  assert.equal(since.slice(dropDeath).filter((m) => m.deviceId === 'Drop' && m.type === 'DDATA').length, 0, 'nothing of the removed device after its death')
  const keepData = since.filter(isData('Keep'))
  assert.ok(keepData.every((m) => m.payload.metrics.every((x) => x.alias === undefined || [...keepAliases.values()].includes(x.alias))), 'Keep publishes with its first aliases')
  assert.deepEqual(countReadings(readingsOf(observer.messages.map((m) => ({ ...m, receivedAt: 0 })), 'Keep')).missing, [], 'readings of the untouched device were lost')

  // A broken file: reported with file:line, nothing applied.
  writeFileSync(join(dir, 'devices', 'add.yaml'), `${simDevice('Add', { poll: '100ms' })}\n  - { name: Bad, signal: counter, period: -5ms }`)
  rmSync(join(dir, 'devices', 'change.yaml'))
  const before = observer.messages.length
  gateway.reload()
  const refused = await gateway.waitForLine(/reload refused/, T)
  assert.match(refused, /problems=\d/)
  assert.ok(gateway.output.some((l) => /add\.yaml:\d+/.test(l)), `the error names the file and line:\n${gateway.output.slice(-10).join('\n')}`)
  await observer.waitForCount((m) => isData('Change')(m) && observer.messages.indexOf(m) >= before, 3, T)
  await observer.flush()
  assert.deepEqual(observer.messages.slice(before).filter((m) => m.type !== 'DDATA' && m.type !== 'NDATA').map((m) => `${m.type} ${m.deviceId}`), [], 'no birth or death after a refused reload')
})
