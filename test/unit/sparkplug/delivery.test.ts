import assert from 'node:assert/strict'
import { test } from 'node:test'
import { encodePayload } from '../../../gateway/sparkplug/codec.js'
import { replyBody } from '../../../gateway/pump/inbound.js'
import { HEARTBEAT_INTERVAL } from '../../../gateway/node/node-metrics.js'
import { ManualClock } from '../../helpers/manual-clock.js'
import { codec, goRound, onceBorn, pumpRig as rig, waitUntil, whileRunning } from '../../helpers/pump-rig.js'

const ncmd = (metrics: { name: string; datatype: 'Boolean' | 'Int64'; value: boolean | bigint }[]) => encodePayload({ timestamp: 1, metrics }, codec)

test('delivery - at most maxInFlight publishes are outstanding; each row leaves the outbox only when its publish is confirmed', async () => {
  // One row per message (as for JetStream), so that six rows are six publishes.
  const { upstream, pump, add, outbox } = rig({ capabilities: { maxInFlight: 3, deduplicates: true } })
  pump.start()
  try {
    await upstream.waitForPublish('DBIRTH', 1)
    upstream.hold()
    for (let i = 1; i <= 6; i++) add(i, 1000 + i)
    await upstream.waitForPublish('DDATA', 3)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(upstream.published().filter((p) => p.type === 'DDATA').length, 3, 'the window is full: no fourth publish')
    assert.equal(outbox.stats().records, 6, 'nothing confirmed yet')
    upstream.release(1)
    await upstream.waitForPublish('DDATA', 4)
    assert.equal(outbox.stats().records, 5, 'the confirmed row is gone')
    upstream.release(2)
    await upstream.waitForPublish('DDATA', 6)
    upstream.release()
    await waitUntil(() => outbox.stats().records === 0)
  } finally {
    upstream.release()
    await pump.stop()
  }
  assert.equal(upstream.maxHeld, 3, 'never more than the window outstanding')
})

test('delivery - an orderly stop waits for the publishes in flight before DDEATH, NDEATH and disconnect', async () => {
  const { upstream, pump, add, outbox } = rig()
  pump.start()
  await upstream.waitForPublish('DBIRTH', 1)
  upstream.hold()
  add(1, 1001)
  await upstream.waitForPublish('DDATA', 1)
  const stopping = pump.stop()
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(upstream.calls.items.filter((c) => c.kind === 'disconnect' || (c.kind === 'publish' && c.message.address.type === 'DDEATH')).length, 0, 'nothing ends while a publish is unconfirmed')
  upstream.release()
  await stopping
  const tail = upstream.calls.items.slice(-2).map((c) => (c.kind === 'publish' ? `${c.message.address.type} ${c.message.topic}` : c.kind))
  assert.deepEqual(tail, ['DDEATH spBv1.0/Plant/DDEATH/Edge1/Boiler1', 'disconnect'])
  assert.equal(upstream.published().filter((p) => p.type === 'DDEATH').length, 1, 'one DDEATH per born device, none for the node')
  assert.equal(outbox.stats().records, 0, 'the confirmed row is gone')
})

test('delivery - births and deaths go as session messages, data as data messages without an id where the upstream does not deduplicate', async () => {
  const { upstream, pump, add } = rig()
  await onceBorn(pump, upstream, async () => {
    add(1)
    await upstream.waitForPublish('DDATA', 1)
  })
  assert.deepEqual(upstream.published().map((p) => [p.type, p.kind, p.id]), [
    ['NBIRTH', 'session', undefined], ['DBIRTH', 'session', undefined], ['DDATA', 'data', undefined], ['DDEATH', 'session', undefined],
  ])
})

test('delivery - Next Server: rows written to the closed connection count as delivered and are not replayed; no DDEATH', async () => {
  const { upstream, pump, add, outbox } = rig({ servers: ['mqtt://a:1883', 'mqtt://b:1883'], capabilities: { confirmsData: false } })
  await onceBorn(pump, upstream, async () => {
    add(1, 1001)
    await upstream.waitForPublish('DDATA', 1)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', ncmd([{ name: 'Node Control/Next Server', datatype: 'Boolean', value: true }]))
    await upstream.waitForPublish('DBIRTH', 2)
    await waitUntil(() => outbox.stats().records === 0)
  })
  const first = upstream.published().filter((p) => p.session === 1).map((p) => p.type)
  assert.deepEqual(first, ['NBIRTH', 'DBIRTH', 'DDATA'], 'no DDEATH before Next Server: the NDEATH says it all')
  assert.equal(upstream.published().filter((p) => p.type === 'DDATA').length, 1, 'nothing replayed')
})

test('delivery - a lost connection reconnects to the same server; only Next Server walks the list', async () => {
  const { upstream, pump } = rig({ servers: ['mqtt://a:1883', 'mqtt://b:1883'] })
  await onceBorn(pump, upstream, async () => {
    upstream.drop()
    await upstream.waitForPublish('DBIRTH', 2)
  })
  assert.deepEqual(upstream.connects().map((c) => c.server), [0, 0])
})

test('delivery - a DATA message arriving on a command listener is not taken for a command', async () => {
  const { upstream, pump, commands } = rig()
  await onceBorn(pump, upstream, async () => {
    upstream.deliver('spBv1.0/Plant/NDATA/Edge1', ncmd([{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }]))
    upstream.deliver('spBv1.0/Plant/DDATA/Edge1/Boiler1', encodePayload({ timestamp: 1, metrics: [{ name: 'Setpoint', datatype: 'Int32', value: 3 }] }, codec))
  })
  assert.deepEqual(commands, [])
  assert.equal(upstream.published().filter((p) => p.type === 'NBIRTH').length, 1)
})

test('delivery - a command reply carries values JSON cannot hold as text: 64-bit, NaN, Infinity, and bytes as numbers', () => {
  const body = JSON.parse(Buffer.from(replyBody([
    { metric: 'Big', applied: true, value: 2n ** 63n - 1n },
    { metric: 'Small', applied: true, value: 5n },
    { metric: 'NaN', applied: true, value: Number.NaN },
    { metric: 'Inf', applied: true, value: Number.NEGATIVE_INFINITY },
    { metric: 'Raw', applied: true, value: Uint8Array.from([1, 2]) },
    { metric: '*', applied: false, reason: 'not this one alone' },
  ])).toString())
  assert.deepEqual(body.results.map((r: { value?: unknown }) => r.value), ['9223372036854775807', 5, 'NaN', '-Infinity', [1, 2], undefined])
  assert.deepEqual(JSON.parse(Buffer.from(replyBody([{ metric: '*', applied: false, reason: 'garbage' }])).toString()), { error: 'garbage', results: [] })
})

test('delivery - without a will, NBIRTH declares the heartbeat and an idle node repeats it as NDATA each interval', async () => {
  const clock = new ManualClock()
  const { upstream, pump, add } = rig({ clock, capabilities: { will: false, heartbeatMs: 10_000 } })
  await whileRunning(pump, async () => {
    const [nbirth] = await upstream.waitForPublish('NBIRTH', 1)
    await upstream.waitForPublish('DBIRTH', 1)
    clock.advance(5_000)
    add(1, clock.now())
    await upstream.waitForPublish('DDATA', 1)
    await goRound(clock, 0, pump)
    await goRound(clock, 9_999, pump)
    assert.equal(upstream.published().filter((p) => p.type === 'NDATA').length, 0, 'the DDATA 9,999 ms ago still counts')
    clock.advance(1)
    await upstream.waitForPublish('NDATA', 1)
    await goRound(clock, 0, pump)
    clock.advance(10_000)
    await upstream.waitForPublish('NDATA', 2)
    assert.ok(nbirth)
  })
  const birth = upstream.published().find((p) => p.type === 'NBIRTH')!
  const declared = birth.payload.metrics.find((m) => m.name === HEARTBEAT_INTERVAL)
  assert.equal(declared?.value, 10_000n)
  const beats = upstream.published().filter((p) => p.type === 'NDATA')
  assert.deepEqual(beats.map((b) => [b.payload.metrics.length, b.payload.metrics[0]?.alias, b.payload.metrics[0]?.value]), [
    [1, declared?.alias, 10_000n],
    [1, declared?.alias, 10_000n],
  ])
})

test('delivery - an upstream with a will gets no heartbeat and no heartbeat metric', async () => {
  const clock = new ManualClock()
  const { upstream, pump } = rig({ clock })
  await onceBorn(pump, upstream, async () => {
    await goRound(clock, 3_600_000, pump)
  })
  assert.equal(upstream.published().filter((p) => p.type === 'NDATA').length, 0)
  assert.equal(upstream.published()[0]!.payload.metrics.some((m) => m.name === HEARTBEAT_INTERVAL), false)
})

test('delivery - a deduplicating upstream gets one row per message, with an id that is the same when the row is replayed', async () => {
  const { upstream, pump, add, outbox } = rig({ capabilities: { deduplicates: true } })
  pump.start()
  try {
    await upstream.waitForPublish('DBIRTH', 1)
    upstream.hold()
    add(1, 5001)
    add(2, 5002)
    await upstream.waitForPublish('DDATA', 2)
    upstream.drop()
    upstream.release()
    await upstream.waitForPublish('DDATA', 3)
    await waitUntil(() => outbox.stats().records === 0)
  } finally {
    upstream.release()
    await pump.stop()
  }
  const data = upstream.published().filter((p) => p.type === 'DDATA')
  assert.deepEqual(data.slice(0, 2).map((d) => [d.id, d.payload.metrics.length]), [['Plant.Edge1.1.5001', 1], ['Plant.Edge1.2.5002', 1]])
  const replayed = data.slice(2)
  assert.ok(replayed.every((d) => d.session === 2 && d.payload.metrics.every((m) => m.isHistorical === true)))
  assert.deepEqual(replayed.map((d) => d.id), ['Plant.Edge1.1.5001'], 'row 2 is carried by the new DBIRTH; row 1 comes again with its id')
})

test('delivery - a command sent as a request gets one result per metric', async () => {
  const { upstream, pump } = rig({ capabilities: { requestReply: true } })
  pump.start()
  const replies: unknown[] = []
  const reply = (body: Uint8Array) => replies.push(JSON.parse(Buffer.from(body).toString()))
  try {
    await upstream.waitForPublish('DBIRTH', 1)
    const dcmd = encodePayload({ timestamp: 1, metrics: [
      { name: 'Setpoint', datatype: 'Int32', value: 7 },
      { name: 'Count', datatype: 'Int32', value: 1 },
      { name: 'Nope', datatype: 'Int32', value: 1 },
    ] }, codec)
    upstream.deliver('spBv1.0/Plant/DCMD/Edge1/Boiler1', dcmd, false, reply)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', ncmd([{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }]), false, reply)
    upstream.deliver('spBv1.0/Plant/NCMD/Edge1', Uint8Array.from([0xff, 0xff, 0xff]), false, reply)
    await waitUntil(() => replies.length === 3)
  } finally {
    await pump.stop()
  }
  assert.deepEqual(replies[0], { results: [
    { metric: 'Count', applied: false, reason: 'tag is not writable' },
    { metric: 'Nope', applied: false, reason: 'unknown metric of device Boiler1' },
    { metric: 'Setpoint', applied: true, value: 7 },
  ] })
  assert.deepEqual(replies[1], { results: [{ metric: 'Node Control/Rebirth', applied: true }] })
  const garbage = replies[2] as { error: string; results: unknown[] }
  assert.match(garbage.error, /not a Sparkplug B payload \(3 bytes\)/)
  assert.deepEqual(garbage.results, [])
})

test('delivery - reconnect delays grow from reconnect.min to reconnect.max with the jitter given', async () => {
  const clock = new ManualClock()
  const { upstream, pump } = rig({ clock, servers: ['mqtt://a:1883'], reconnect: { minMs: 1000, maxMs: 4000 }, random: () => 0.5 })
  upstream.unreachable.add(0)
  await whileRunning(pump, async () => {
    for (const [i, due] of [1000, 2000, 4000, 4000].entries()) {
      await waitUntil(() => clock.asked.length === i + 1)
      if (i < 3) upstream.unreachable.add(0)
      clock.advance(due)
    }
    await upstream.waitForPublish('NBIRTH', 1)
  })
  assert.deepEqual(clock.asked.slice(0, 4), [1000, 2000, 4000, 4000])
})
