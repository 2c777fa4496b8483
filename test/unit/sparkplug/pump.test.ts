import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodePayload, encodePayload } from '../../../gateway/sparkplug/codec.js'
import { bdSeqOf } from '../../helpers/fake-upstream.js'
import { codec, node, onceBorn, pumpRig as rig, whileRunning } from '../../helpers/pump-rig.js'
import { delay } from '../../../gateway/base/backoff.js'

test('pump - every reconnect carries the next bdSeq in its will and its NBIRTH (tck-id topics-nbirth-bdseq-increment)', async () => {
  const { upstream, bdSeq, pump } = rig({ bdSeqStart: 7 })
  await onceBorn(pump, upstream, async () => {
    upstream.drop()
    await upstream.waitForPublish('DBIRTH', 2)
    upstream.drop()
    await upstream.waitForPublish('NBIRTH', 3)
  })
  const wills = upstream.connects().map((c) => Number(bdSeqOf(decodePayload(c.will.payload))))
  const births = upstream.published().filter((p) => p.type === 'NBIRTH').map((p) => Number(bdSeqOf(p.payload)))
  assert.deepEqual(wills, [7, 8, 9])
  assert.deepEqual(births, [7, 8, 9])
  assert.equal(bdSeq.peek(), 10, 'the next CONNECT after stop uses the value after the last one sent')
})

test('pump - a connect that fails before CONNECT is written keeps the bdSeq for the next attempt', async () => {
  const { upstream, bdSeq, pump } = rig({ servers: ['mqtt://a:1883', 'mqtt://b:1883'], bdSeqStart: 3 })
  upstream.unreachable.add(0)
  await whileRunning(pump, async () => {
    await upstream.waitForPublish('NBIRTH', 1)
  })
  const [connect] = upstream.connects()
  assert.equal(connect?.server, 1, 'walks on to the next server after a failed connect')
  assert.equal(Number(bdSeqOf(decodePayload(connect!.will.payload))), 3)
  assert.equal(bdSeq.peek(), 4)
})

test('pump - seq starts at 0 with each NBIRTH and counts every message after it', async () => {
  const { upstream, pump, add } = rig()
  await onceBorn(pump, upstream, async () => {
    add(1)
    await upstream.waitForPublish('DDATA', 1)
    add(2)
    await upstream.waitForPublish('DDATA', 2)
    upstream.drop()
    await upstream.waitForPublish('DBIRTH', 2)
    add(3)
    await upstream.waitForPublish('DDATA', 3)
  })
  const seqs = upstream.published().map((p) => `${p.session}:${p.type}:${p.payload.seq}`)
  assert.deepEqual(seqs.slice(0, 4), ['1:NBIRTH:0', '1:DBIRTH:1', '1:DDATA:2', '1:DDATA:3'])
  assert.deepEqual(seqs.slice(4, 7), ['2:NBIRTH:0', '2:DBIRTH:1', '2:DDATA:2'])
})

test('pump - orderly stop sends DDEATH for the born device, then NDEATH with the session bdSeq before DISCONNECT', async () => {
  const { upstream, pump } = rig({ bdSeqStart: 42 })
  pump.start()
  await upstream.waitForPublish('DBIRTH', 1)
  await pump.stop()
  const last = upstream.calls.items.slice(-2)
  assert.equal(last[0]?.kind === 'publish' && last[0].message.topic, 'spBv1.0/Plant/DDEATH/Edge1/Boiler1')
  assert.ok(last[1]?.kind === 'disconnect' && last[1].final !== null, 'disconnect carries an explicit NDEATH')
  assert.equal(last[1].final.topic, 'spBv1.0/Plant/NDEATH/Edge1')
  assert.equal(Number(bdSeqOf(decodePayload(last[1].final.payload))), 42)
})

test('pump - Node Control/Rebirth republishes NBIRTH and DBIRTH with the same bdSeq and seq restarting at 0', async () => {
  const { upstream, pump, commands } = rig({ bdSeqStart: 5 })
  await onceBorn(pump, upstream, async () => {
    const ncmd = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }] }, codec)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', ncmd)
    await upstream.waitForPublish('DBIRTH', 2)
  })
  const births = upstream.published().filter((p) => p.type === 'NBIRTH')
  assert.deepEqual(births.map((b) => [b.session, Number(bdSeqOf(b.payload)), b.payload.seq]), [[1, 5, 0], [1, 5, 0]])
  assert.equal(upstream.connects().length, 1, 'a rebirth does not reconnect')
  assert.deepEqual(commands, ['applied Node Control/Rebirth'])
})

test('pump - Node Control/Next Server ends the session with NDEATH and connects to the next server', async () => {
  const { upstream, pump, bdSeq } = rig({ servers: ['mqtt://a:1883', 'mqtt://b:1883'] })
  await whileRunning(pump, async () => {
    await upstream.waitForPublish('NBIRTH', 1)
    const ncmd = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Next Server', datatype: 'Boolean', value: true }] }, codec)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', ncmd)
    await upstream.waitForPublish('NBIRTH', 2)
  })
  assert.deepEqual(upstream.connects().map((c) => c.server), [0, 1])
  const firstEnd = upstream.calls.items.find((c) => c.kind === 'disconnect')
  assert.ok(firstEnd?.kind === 'disconnect' && firstEnd.session === 1 && firstEnd.final !== null, 'session 1 ends with an explicit NDEATH')
  assert.equal(bdSeq.peek(), 2)
})

test('pump - listens for its own commands, and for the primary host STATE when one is configured', async () => {
  const { upstream, pump } = rig({ primaryHostId: 'Scada' })
  await whileRunning(pump, async () => {
    await upstream.calls.waitFor((c) => c.kind === 'connect', 5000)
  })
  const connect = upstream.connects()[0]
  assert.deepEqual([connect?.node, connect?.primaryHostId], [node, 'Scada'])
  assert.equal(upstream.published().length, 0, 'no birth before the primary host is online')
})

test('pump - with a primary host, births wait for its STATE online and the session ends when it goes offline', async () => {
  const { upstream, pump } = rig({ primaryHostId: 'Scada' })
  const state = (online: boolean) => new TextEncoder().encode(JSON.stringify({ online, timestamp: Date.now() }))
  await whileRunning(pump, async () => {
    await upstream.calls.waitFor((c) => c.kind === 'connect', 5000)
    upstream.deliver('spBv1.0/STATE/Scada', state(true), true)
    await upstream.waitForPublish('DBIRTH', 1)
    upstream.deliver('spBv1.0/STATE/Scada', state(false))
    await upstream.calls.waitFor((c) => c.kind === 'disconnect', 5000)
  })
  const disconnect = upstream.calls.items.find((c) => c.kind === 'disconnect')
  assert.ok(disconnect?.kind === 'disconnect' && disconnect.final?.topic === 'spBv1.0/Plant/NDEATH/Edge1')
})

test('pump - a record in the outbox is published once as DDATA and acknowledged when the upstream confirms it (QoS 1)', async () => {
  const { upstream, pump, add, outbox } = rig()
  await onceBorn(pump, upstream, async () => {
    add(11)
    await upstream.waitForPublish('DDATA', 1)
  })
  const data = upstream.published().filter((p) => p.type === 'DDATA')
  assert.equal(data.length, 1)
  assert.equal(data[0]?.kind, 'data')
  assert.equal(data[0]?.topic, 'spBv1.0/Plant/DDATA/Edge1/Boiler1')
  assert.equal(outbox.stats().records, 0)
  assert.equal(pump.status().published, upstream.published().length)
})

test('pump - a device changing state is announced only in a born session: DDEATH, then DBIRTH, in order with its data', async () => {
  const { upstream, pump, session, add } = rig()
  assert.equal(pump.deviceChanged('Boiler1', false), false, 'no session yet: the births will carry the state')
  await onceBorn(pump, upstream, async () => {
    const status = pump.status()
    assert.deepEqual([status.connected, status.born, status.server, status.reconnects], [true, true, 'mqtt://first:1883', 1])
    add(1)
    session.setOnline('Boiler1', false)
    assert.equal(pump.deviceChanged('Boiler1', false), true)
    await upstream.waitForPublish('DDEATH', 1)
    session.setOnline('Boiler1', true)
    assert.equal(pump.deviceChanged('Boiler1', true), true)
    await upstream.waitForPublish('DBIRTH', 2)
  })
  const types = upstream.published().map((p) => p.type)
  assert.deepEqual(types.slice(0, 5), ['NBIRTH', 'DBIRTH', 'DDATA', 'DDEATH', 'DBIRTH'])
  assert.equal(pump.status().connected, false)
})

test('pump - QoS 0 data stays in the outbox for the replay window and is replayed as history after a lost connection', async () => {
  const { upstream, pump, add, outbox } = rig({ capabilities: { confirmsData: false, replayWindowMs: 60_000 } })
  await onceBorn(pump, upstream, async () => {
    add(5)
    await upstream.waitForPublish('DDATA', 1)
    add(6)
    await upstream.waitForPublish('DDATA', 2)
    assert.equal(outbox.stats().records, 2, 'written to the socket is not yet delivered')
    upstream.drop()
    await upstream.waitForPublish('DDATA', 3)
  })
  // The new DBIRTH carries 6 (the current value), so only 5 comes again, as history.
  const [live, , replayed, more] = upstream.published().filter((p) => p.type === 'DDATA')
  assert.deepEqual([live!.kind, live!.payload.metrics[0]!.isHistorical], ['data', undefined])
  assert.deepEqual([replayed!.session, replayed!.payload.metrics.map((m) => [m.value, m.isHistorical])], [2, [[5, true]]])
  assert.equal(more, undefined)
  assert.equal(pump.status().replayedMetrics, 1)
  assert.equal(outbox.stats().records, 0, 'an orderly stop acknowledges what was written')
})

test('pump - other node commands go to onCommand; commands for another edge node are ignored', async () => {
  const { upstream, pump, commands } = rig()
  await onceBorn(pump, upstream, async () => {
    const scanRate = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Scan Rate', datatype: 'Int64', value: 500n }] }, codec)
    upstream.deliver('spBv1.0/Plant/NCMD/OtherEdge', scanRate)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', scanRate)
  })
  assert.deepEqual(commands, ['scan-rate'])
})

test('pump - commands for the same edge node id in another group are ignored', async () => {
  const { upstream, pump, commands } = rig()
  await onceBorn(pump, upstream, async () => {
    const rebirth = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }] }, codec)
    upstream.deliver('spBv1.0/OtherPlant/NCMD/Edge1', rebirth)
  })
  assert.deepEqual(commands, [])
})

test('pump - only the configured primary host STATE counts', async () => {
  const { upstream, pump } = rig({ primaryHostId: 'Scada' })
  const online = new TextEncoder().encode(JSON.stringify({ online: true, timestamp: Date.now() }))
  await whileRunning(pump, async () => {
    await upstream.calls.waitFor((c) => c.kind === 'connect', 5000)
    upstream.deliver('spBv1.0/STATE/OtherHost', online, true)
    assert.equal(pump.status().primaryHostOnline, false)
    upstream.deliver('spBv1.0/STATE/Scada', online, true)
    assert.equal(pump.status().primaryHostOnline, true)
  })
})

test('pump - status says since when the upstream is connected or not: the start, each connect, each end of a session', async () => {
  let now = 1000
  const clock = { now: () => now, sleep: (ms: number, signal?: AbortSignal) => delay(ms, signal) }
  const { upstream, pump } = rig({ clock })
  assert.deepEqual([pump.status().connected, pump.status().since], [false, 1000])
  now = 2000
  await onceBorn(pump, upstream, async () => {
    assert.deepEqual([pump.status().connected, pump.status().since], [true, 2000])
    now = 3000
  })
  assert.deepEqual([pump.status().connected, pump.status().since], [false, 3000])
})
