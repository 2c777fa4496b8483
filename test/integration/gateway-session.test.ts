import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { encodePayload } from '../../gateway/sparkplug/codec.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { startRig, type Rig } from '../helpers/rig.js'
import { aliasesOf, metricOf, observeSparkplug, type SparkplugObserver, type SparkplugMessage } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'
import mqtt from 'mqtt'

const T = 15_000
let rig: Rig
let observer: SparkplugObserver
let gateway: GatewayProcess
let darkFile: string

const bdSeqOf = (m: SparkplugMessage) => metricOf(m.payload, 'bdSeq')!.value
const after_ = (m: SparkplugMessage) => (x: SparkplugMessage) => observer.messages.indexOf(x) > observer.messages.indexOf(m)

before(async (t) => {
  rig = await startRig(t, {
    gateway: (dir) => {
      darkFile = join(dir, 'sim2.dark')
      return { devices: { sim1: simDevice('Sim1'), sim2: simDevice('Sim2', { darkFile }) } }
    },
  })
  ;({ observer, gateway } = rig)
})

test('gateway - NBIRTH then a DBIRTH per device, seq 0.., bdSeq 0 on a fresh state dir, QoS 0, not retained', async () => {
  const [nbirth] = await observer.waitForCount((m) => m.type === 'NBIRTH', 1, T)
  await observer.waitForCount((m) => m.type === 'DBIRTH', 2, T)
  const session = observer.messages.slice(observer.messages.indexOf(nbirth!))
  // A device that comes online after the connection is born then, possibly after another's data:
  // what holds is NBIRTH first and each DBIRTH before that device's data (tck payloads-dbirth-order).
  assert.equal(session[0]!.type, 'NBIRTH')
  const births = [nbirth!, ...['Sim1', 'Sim2'].map((device) => session.find((m) => m.type === 'DBIRTH' && m.deviceId === device)!)]
  for (const birth of births.slice(1)) {
    const data = session.findIndex((m) => m.type === 'DDATA' && m.deviceId === birth.deviceId)
    assert.ok(data === -1 || session.indexOf(birth) < data, `DBIRTH of ${birth.deviceId} before its DDATA`)
  }
  const upToLastBirth = session.slice(0, Math.max(...births.map((b) => session.indexOf(b))) + 1)
  assert.deepEqual(upToLastBirth.map((m) => m.payload.seq), upToLastBirth.map((_, i) => i)) // tck topics-nbirth-seq-num, payloads-dbirth-seq-inc
  assert.equal(nbirth!.payload.metrics[0]!.name, 'bdSeq')
  assert.equal(bdSeqOf(nbirth!), 0n) // tck topics-nbirth-bdseq-increment: starts at 0
  for (const m of births) {
    assert.equal(m.qos, 0) // tck topics-nbirth-mqtt, topics-dbirth-mqtt
    assert.equal(m.retain, false)
    assert.ok(m.payload.timestamp! <= Date.now())
    for (const metric of m.payload.metrics) {
      assert.ok(metric.name !== undefined && metric.datatype !== undefined && metric.timestamp !== undefined) // tck payloads-name-birth-data-requirement
      assert.ok(metric.isNull === true || metric.value !== undefined) // tck operational-behavior-data-publish-nbirth-values
    }
  }
  const rebirth = metricOf(nbirth!.payload, 'Node Control/Rebirth')!
  assert.equal(rebirth.value, false) // tck topics-nbirth-rebirth-metric
  assert.equal(rebirth.datatype, 'Boolean')
  assert.equal(rebirth.alias, undefined) // tck operational-behavior-data-commands-rebirth-name-aliases
  for (const name of ['Node Control/Reboot', 'Node Control/Next Server', 'Node Control/Scan Rate', 'Properties/Software Version']) {
    assert.ok(metricOf(nbirth!.payload, name), `NBIRTH lacks ${name}`)
  }
  const aliases = births.flatMap((m) => m.payload.metrics.map((x) => x.alias).filter((a) => a !== undefined))
  assert.equal(new Set(aliases).size, aliases.length) // tck payloads-alias-uniqueness
  const setpoint = metricOf(births[1]!.payload, 'Setpoint')!
  assert.equal(setpoint.properties?.engUnit?.value, 'degC')
  assert.equal(setpoint.properties?.Quality?.value, 192)
})

test('gateway - DDATA carries aliases only and only what changed', async () => {
  const dbirth = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Sim1', T)
  const aliases = aliasesOf(dbirth.payload)
  // Readings taken before the session existed come first, flagged historical; live data follows.
  const live = (m: SparkplugMessage) => m.payload.metrics.every((x) => x.isHistorical !== true)
  const data = await observer.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Sim1' && after_(dbirth)(m) && live(m), 3, T)
  for (const m of data) {
    for (const metric of m.payload.metrics) {
      assert.equal(metric.name, undefined) // tck payloads-alias-data-cmd-requirement
      assert.ok(metric.timestamp !== undefined)
    }
    // Counter changes every 200 ms, the setpoints never: they are not resent. The boolean toggles
    // once an hour, so a run that crosses the toggle sees it once.
    const sent = m.payload.metrics.map((x) => x.alias)
    assert.ok(sent.every((a) => a === aliases.get('Counter') || a === aliases.get('Flag')), `unchanged metrics resent: ${sent.join(', ')}`)
    assert.equal(new Set(sent).size, sent.length)
  }
  const withCounter = data.filter((m) => m.payload.metrics.some((x) => x.alias === aliases.get('Counter')))
  assert.ok(withCounter.length >= data.length - 1, 'only one DDATA may be the boolean toggling alone')
  const seqs = observer.messages.filter((m) => m.type !== 'NDEATH').slice(-5).map((m) => m.payload.seq!)
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], (seqs[i - 1]! + 1) % 256) // tck payloads-sequence-num-incrementing
})

test('gateway - a Rebirth NCMD re-sends NBIRTH (same bdSeq, seq 0) and every DBIRTH before more data', async () => {
  const first = observer.messages.find((m) => m.type === 'NBIRTH')!
  const client = await mqtt.connectAsync(rig.url)
  // QoS 1 and no timestamps, as the TCK sends it (ReceiveCommandTest).
  const payload = encodePayload({ metrics: [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }] }, { uint32Field: 'long_value' })
  await client.publishAsync('spBv1.0/Plant1/NCMD/Line3-GW', Buffer.from(payload), { qos: 1 })
  await client.endAsync()
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH' && m !== first, T)
  assert.equal(nbirth.payload.seq, 0)
  assert.equal(bdSeqOf(nbirth), bdSeqOf(first)) // tck payloads-nbirth-bdseq-repeat, rebirth-action-3
  const next = await observer.waitForCount(after_(nbirth), 2, T)
  assert.deepEqual(next.map((m) => m.type), ['DBIRTH', 'DBIRTH']) // tck rebirth-action-1, -2
})

test('gateway - a device that stops answering goes bad, then DDEATH; it is reborn when it answers', async () => {
  writeFileSync(darkFile, '')
  const ddeath = await observer.waitFor((m) => m.type === 'DDEATH' && m.deviceId === 'Sim2', T) // tck operational-behavior-device-ddeath
  assert.ok(ddeath.payload.seq !== undefined) // tck payloads-ddeath-seq
  const bad = observer.messages.find((m) => m.type === 'DDATA' && m.deviceId === 'Sim2' && m.payload.metrics.some((x) => x.isNull))
  assert.ok(bad, 'values went bad (is_null) before the DDEATH')
  assert.equal(bad.payload.metrics.find((x) => x.isNull)!.properties?.Quality?.value, 0)
  rmSync(darkFile)
  const reborn = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Sim2' && after_(ddeath)(m), T)
  assert.ok(metricOf(reborn.payload, 'Counter')!.value !== undefined)
  const between = observer.messages.slice(observer.messages.indexOf(ddeath) + 1, observer.messages.indexOf(reborn))
  assert.ok(!between.some((m) => m.deviceId === 'Sim2'), 'nothing of a dead device between its DDEATH and DBIRTH')
})

test('gateway - kill -9: the broker publishes NDEATH with the bdSeq of the last NBIRTH; restart uses bdSeq + 1', async () => {
  const nbirth = observer.messages.filter((m) => m.type === 'NBIRTH').at(-1)!
  await gateway.kill('SIGKILL')
  const ndeath = await observer.waitFor((m) => m.type === 'NDEATH', T)
  assert.equal(ndeath.qos, 1) // tck message-flow-edge-node-birth-publish-will-message-qos
  assert.equal(ndeath.retain, false)
  assert.equal(ndeath.payload.seq, undefined) // tck payloads-ndeath-seq
  assert.deepEqual(ndeath.payload.metrics.map((m) => m.name), ['bdSeq']) // tck topics-ndeath-payload
  assert.equal(bdSeqOf(ndeath), bdSeqOf(nbirth)) // tck payloads-ndeath-bdseq
  gateway = rig.launchGateway()
  const again = await observer.waitFor((m) => m.type === 'NBIRTH' && after_(ndeath)(m), T)
  assert.equal(bdSeqOf(again), (bdSeqOf(nbirth) as bigint) + 1n) // tck topics-nbirth-bdseq-increment across restarts
  assert.ok(existsSync(join(rig.dir, 'state', 'bdseq')))
})

test('gateway - broker restart: a new session with bdSeq + 1 and full births', async () => {
  const before_ = observer.messages.filter((m) => m.type === 'NBIRTH').at(-1)!
  await observer.close()
  await rig.broker.restart()
  observer = await observeSparkplug(rig.url)
  rig.defer(() => observer.close())
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  assert.equal(bdSeqOf(nbirth), (bdSeqOf(before_) as bigint) + 1n) // will rebuilt for the reconnect
  await observer.waitForCount((m) => m.type === 'DBIRTH', 2, T)
})

test('gateway - orderly stop: DDEATH for each device, then NDEATH with the current bdSeq, then exit 0', async () => {
  const nbirth = observer.messages.filter((m) => m.type === 'NBIRTH').at(-1)!
  const code = await gateway.kill('SIGTERM')
  assert.equal(code, 0)
  const ndeath = await observer.waitFor((m) => m.type === 'NDEATH' && after_(nbirth)(m), T) // tck operational-behavior-edge-node-intentional-disconnect-ndeath
  assert.equal(bdSeqOf(ndeath), bdSeqOf(nbirth))
  const tail = observer.messages.slice(observer.messages.indexOf(nbirth))
  const deaths = tail.filter((m) => m.type === 'DDEATH').map((m) => m.deviceId).sort()
  assert.deepEqual(deaths, ['Sim1', 'Sim2'])
  assert.ok(tail.indexOf(ndeath) > Math.max(...tail.filter((m) => m.type === 'DDEATH').map((m) => tail.indexOf(m))))
  assert.equal(readFileSync(join(rig.dir, 'state', 'bdseq'), 'utf8').trim(), String(Number(bdSeqOf(nbirth)) + 1))
})
