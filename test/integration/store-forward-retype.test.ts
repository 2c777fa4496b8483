import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { scrapeMetrics } from '../helpers/gateway-http.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice, WALK } from '../helpers/sim-device.js'
import { aliasesOf, metricOf } from '../helpers/sparkplug-observer.js'
import { liveData, startRig, waitForBuffered } from '../helpers/store-forward-rig.js'

const T = 20_000
const DROPPED = 'Gateway/Buffer/Dropped'

test('store-and-forward - a reload that retypes tags during an outage: the backlog replays as history with the types it was recorded with; what cannot be sent is counted as dropped', async (t) => {
  const other = ['device: Other', 'driver: simulator', 'poll: 100ms', 'tags:', '  - { name: Count, signal: counter, period: 100ms }'].join('\n')
  const rig = await startRig(t, { groupId: 'Retype', devices: { sim1: simDevice('Sim1', { poll: '50ms', walk: true }), other } }, T)
  await rig.observer.waitForCount(liveData('Sim1'), 4, T)
  await rig.observer.waitForCount(liveData('Other'), 4, T)

  await rig.broker.stop()
  await rig.gateway.waitForLine(/connection lost/, T)
  const from = Date.now()
  await waitForBuffered(rig, 30, T)
  // Counter Int32 -> Int8 (its values do not fit), Walk Double -> Float (its values are not exact
  // in 32 bits); Other's only tag is renamed, so its backlog has nothing a birth declares.
  const sim1 = simDevice('Sim1', { poll: '50ms', walk: true })
    .replace('signal: counter, period: 200ms }', 'signal: counter, type: Int8, period: 200ms }')
    .replace(`signal: random-walk, type: ${WALK.type}`, 'signal: random-walk, type: Float')
  assert.notEqual(sim1, simDevice('Sim1', { poll: '50ms', walk: true }))
  writeFileSync(join(rig.dir, 'devices', 'sim1.yaml'), sim1)
  writeFileSync(join(rig.dir, 'devices', 'other.yaml'), other.replace('name: Count,', 'name: Renamed,'))
  rig.gateway.reload()
  await rig.gateway.waitForLine(/reloaded.*changed=2/, T)
  const reloadedAt = Date.now()
  const otherBacklog = (await scrapeMetrics(rig.http)).get('sparkplug_gateway_buffer_records')!

  await rig.broker.start()
  const birth = await rig.observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Sim1' && m.receivedAt > reloadedAt, T)
  assert.equal(metricOf(birth.payload, 'Walk')?.datatype, 'Float')
  assert.equal(metricOf(birth.payload, 'Counter')?.datatype, 'Int8')
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > birth.receivedAt, 8, T)
  // A device's rows go out in the order they were recorded: after live data, its backlog has been sent.
  await rig.observer.waitForCount((m) => liveData('Other')(m) && m.receivedAt > birth.receivedAt, 4, T)
  const metrics = await scrapeMetrics(rig.http)

  // Every Walk value read before the reload arrives exactly, with its recorded type, by name.
  // (Walk values read after the reload are Float: not in the Double sequence readingsOf knows.)
  const recordedBefore = rig.observer.messages
    .filter((m) => !(m.type === 'DBIRTH' && m.receivedAt > reloadedAt))
    .map((m) => ({ ...m, payload: { ...m.payload, metrics: m.payload.metrics.filter((x) => Number(x.timestamp) < reloadedAt) } }))
  const before = readingsOf(recordedBefore, 'Sim1')
  assert.deepEqual(countReadings(before).missing, [], 'Walk readings taken before the reload were lost')
  assert.ok(before.filter((r) => r.at > from).length >= 10, 'the outage\'s readings arrived')
  const history = rig.observer.messages.filter((m) => m.type === 'DDATA' && m.deviceId === 'Sim1' && m.receivedAt > birth.receivedAt)
    .flatMap((m) => m.payload.metrics).filter((x) => x.isHistorical === true && Number(x.timestamp) < reloadedAt)
  const walks = history.filter((x) => x.name === 'Walk')
  const counters = history.filter((x) => x.name === 'Counter')
  assert.ok(walks.length >= 10 && counters.length >= 1, `history: ${walks.length} Walk, ${counters.length} Counter`)
  for (const x of [...walks, ...counters]) {
    assert.equal(x.alias, undefined, 'a value of the old type goes by name, not under the new alias')
    assert.equal(x.datatype, x.name === 'Walk' ? 'Double' : 'Int32')
  }
  assert.deepEqual(rig.gateway.output.filter((l) => /cannot encode/.test(l)), [])

  // Other's records: nothing its new birth declares, so they are dropped, and counted.
  const dropped = metrics.get('sparkplug_gateway_buffer_dropped_total')!
  assert.ok(dropped >= 5 && dropped <= otherBacklog, `buffer_dropped_total ${dropped}`)
  const nbirth = rig.observer.messages.findLast((m) => m.type === 'NBIRTH')!
  const aliases = aliasesOf(nbirth.payload)
  await rig.observer.waitFor((m) => (m.type === 'NDATA' || m === nbirth) && Number(metricOf(m.payload, DROPPED, aliases)?.value ?? -1) === dropped, T)
})
