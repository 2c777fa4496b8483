import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { ReceivedMessage } from '../helpers/durable-observer.js'
import { connectHost } from '../helpers/host.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { startRig } from '../helpers/rig.js'
import { simDevice } from '../helpers/sim-device.js'
import { liveData } from '../helpers/store-forward-rig.js'
import { metricOf } from '../helpers/sparkplug-observer.js'
import { fillDisk, stateOnTmpfs } from '../helpers/tmpfs.js'

const T = 20_000
const records = 'sparkplug_gateway_buffer_records'
const bdSeqOf = (m: ReceivedMessage) => Number(metricOf(m.payload, 'bdSeq')!.value)

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
}

test('state directory on a full disk - kill -9, Node Control/Reboot and restarts keep bdSeq increasing and lose no buffered record; once the disk has room both are back in the state directory', async (t) => {
  const rig = await startRig(t, { mosquitto: { persistence: true }, observer: 'durable', groupId: 'Dead' })
  const { broker, durable: observer } = rig
  rig.configure({ groupId: 'Dead', devices: { sim1: simDevice('Sim1', { poll: '50ms', walk: true }) }, extra: 'buffer: { durability: process }' })
  const { state, runtime } = stateOnTmpfs(rig, 'rw')
  let gateway: GatewayProcess
  let http = ''
  const start = async () => {
    gateway = rig.launchGateway({ RUNTIME_DIRECTORY: runtime })
    http = await rig.http(T)
    return Date.now()
  }
  /** Stops the broker and waits until the gateway holds `count` more records; returns the outage start. */
  const outage = async (count: number) => {
    await broker.stop()
    await gateway.waitForLine(/connection lost/, T)
    const from = Date.now()
    const base = (await scrapeMetrics(http)).get(records)!
    await waitForMetric(http, records, (n) => n >= base + count, T)
    return from
  }
  const births = () => observer.messages.filter((m) => m.type === 'NBIRTH')
  const nextBirth = (n: number) => observer.waitForCount((m) => m.type === 'NBIRTH', n, T).then((all) => all.at(-1)!)

  const firstStart = await start()
  await nextBirth(1)
  await observer.waitForCount(liveData('Sim1'), 8, T)
  fillDisk(state)

  // 1. A broker outage on the full disk, then kill -9: the records are not in the state directory.
  const from1 = await outage(12)
  await gateway!.kill('SIGKILL')
  const secondStart = await start()
  await broker.start()
  await nextBirth(2)
  await observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > secondStart, 8, T)

  // 2. kill -9 of a session whose bdSeq could not be written to the state directory.
  await gateway!.kill('SIGKILL')
  const thirdStart = await start()
  await nextBirth(3)
  assert.deepEqual(births().map(bdSeqOf), [0, 1, 2], 'NBIRTH bdSeq after each restart')
  await observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > thirdStart, 4, T)

  // 3. Node Control/Reboot: the gateway stops (exit 75) and the service manager starts it again.
  const host = await connectHost(rig.url)
  await host.command('spBv1.0/Dead/NCMD/Line3-GW', [{ name: 'Node Control/Reboot', datatype: 'Boolean', value: true }])
  assert.equal(await gateway!.exited, 75)
  await host.close()
  const rebootStart = await start()
  await nextBirth(4)
  assert.deepEqual(births().map(bdSeqOf), [0, 1, 2, 3], 'NBIRTH bdSeq after Node Control/Reboot')
  await observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > rebootStart, 4, T)

  // 4. Records buffered on the full disk, kill -9, room again: both go back to the state directory.
  const from3 = await outage(12)
  await gateway!.kill('SIGKILL')
  rmSync(join(state, 'filler'))
  const roomStart = await start()
  await broker.start()
  await nextBirth(5)
  await observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > roomStart, 8, T)
  assert.deepEqual(births().map(bdSeqOf), [0, 1, 2, 3, 4], 'NBIRTH bdSeq after each restart')
  assert.equal(readFileSync(join(state, 'bdseq'), 'utf8').trim(), '5')
  assert.deepEqual(filesUnder(runtime), [], 'the runtime directory is emptied once the state directory takes writes')
  // The deaths a host saw (wills, the Reboot's own): each names one session's birth, none twice.
  const deaths = observer.messages.filter((m) => m.type === 'NDEATH').map(bdSeqOf)
  assert.ok(deaths.includes(1) && deaths.includes(2), `NDEATH bdSeq ${deaths.join(', ')}`)
  assert.deepEqual(deaths, [...new Set(deaths)].filter((d) => d <= 3).sort((a, b) => a - b), `NDEATH bdSeq ${deaths.join(', ')}`)

  // Each process's readings: the Walk starts again with every process, so each run is counted alone.
  const runs: [string, number, number, number][] = [
    ['first', firstStart, secondStart, from1],
    ['rebooted', rebootStart, roomStart, from3],
  ]
  for (const [name, begin, end, from] of runs) {
    const run = readingsOf(observer.messages, 'Sim1').filter((r) => r.at >= begin && r.at < end)
    assert.deepEqual(countReadings(run).missing, [], `the ${name} gateway's readings that arrived have holes`)
    assert.ok(run.filter((r) => r.at > from).length >= 12 - 1, `the ${name} gateway's readings buffered before the kill arrived`)
  }
})
