import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { DiscardPolicy, nanos, StorageType, type NatsConnection } from 'nats'
import { decodePayload, encodePayload } from '../../gateway/sparkplug/codec.js'
import type { Payload } from '../../gateway/sparkplug/payload.js'
import { parseTopic } from '../../gateway/base/topics.js'
import { publishedSubjects } from '../../gateway/upstream/nats-stream.js'
import { topicOf } from '../../gateway/base/nats-subjects.js'
import { Collection } from '../helpers/collection.js'
import { httpUrlOf, scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import { startRig } from '../helpers/rig.js'
import { readStream } from '../helpers/nats-stream-reader.js'
import { client } from '../helpers/nats-upstream-kit.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice } from '../helpers/sim-device.js'
import { bdSeqOf } from '../helpers/fake-upstream.js'

const T = 30_000
const device = { sim1: simDevice('Sim1', { poll: '50ms', walk: true }) }
const records = 'sparkplug_gateway_buffer_records'

function natsUpstream(urls: readonly string[], mode: 'core' | 'jetstream', extra = ''): string {
  return [
    '  nats:',
    `    servers: [${urls.join(', ')}]`,
    `    mode: ${mode}`,
    '    heartbeat: 1s',
    '    reconnect: { min: 100ms, max: 500ms }',
    extra,
  ].join('\n')
}

interface Seen {
  readonly subject: string
  readonly type: string
  readonly deviceId: string | null
  readonly payload: Payload
}

/** A host's core subscription to everything the node publishes. */
async function watch(nc: NatsConnection): Promise<Collection<Seen>> {
  const seen = new Collection<Seen>((all) => `seen: ${all.slice(-20).map((m) => m.subject).join(', ') || 'nothing'}`)
  nc.subscribe('spBv1//0.Plant1.>', {
    callback: (err, msg) => {
      const address = err === null ? parseTopic(topicOf(msg.subject)) : null
      if (address === null || address.type === 'STATE' || address.type === 'NCMD' || address.type === 'DCMD') return
      seen.push({ subject: msg.subject, type: address.type, deviceId: address.deviceId, payload: decodePayload(msg.data) })
    },
  })
  await nc.flush()
  return seen
}

/** A nats-server (JetStream when asked), a host's subscription and a gateway process on it; all stopped after the test. */
async function natsRig(t: TestContext, devices: Record<string, string>, mode: 'core' | 'jetstream', extra = '') {
  const rig = await startRig(t, { nats: { jetstream: mode === 'jetstream' } })
  const nc = await client(rig.url)
  rig.defer(() => nc.close())
  const seen = await watch(nc)
  const gateway = rig.startGateway({ devices, upstream: natsUpstream([rig.url], mode), extra })
  return { server: rig.nats, nc, seen, gateway }
}

test('gateway over core NATS - births and data on the mapped subjects, heartbeat declared and sent, DCMD requests answered per metric, garbage answered with an error, DDEATH and NDEATH on stop', async (t) => {
  const { nc, seen, gateway } = await natsRig(t, device, 'core')
  const [nbirth] = await seen.waitForCount((m) => m.type === 'NBIRTH', 1, T)
  await seen.waitForCount((m) => m.subject === 'spBv1//0.Plant1.DDATA.Line3-GW.Sim1', 3, T)
  assert.equal(nbirth!.subject, 'spBv1//0.Plant1.NBIRTH.Line3-GW')
  const heartbeat = nbirth!.payload.metrics.find((m) => m.name === 'Properties/Heartbeat Interval')
  assert.equal(heartbeat?.value, 1000n, 'NBIRTH declares the heartbeat interval in ms')
  assert.ok(seen.items.some((m) => m.subject === 'spBv1//0.Plant1.DBIRTH.Line3-GW.Sim1'))

  const dcmd = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }, { name: 'Counter', datatype: 'Int64', value: 1n }] }, { uint32Field: 'int_value' })
  const answer = await nc.request('spBv1//0.Plant1.DCMD.Line3-GW.Sim1', dcmd, { timeout: T })
  assert.deepEqual(JSON.parse(answer.string()), { results: [
    { metric: 'Counter', applied: false, reason: 'tag is not writable' },
    { metric: 'Setpoint', applied: true, value: 42.5 },
  ] })
  const garbage = await nc.request('spBv1//0.Plant1.NCMD.Line3-GW', new TextEncoder().encode('{"rebirth": true}'), { timeout: T })
  assert.match(JSON.parse(garbage.string()).error, /not a Sparkplug B payload/)
  // The gateway keeps publishing after the garbage: three more DDATA.
  await seen.waitForCount((m) => m.type === 'DDATA', seen.items.filter((m) => m.type === 'DDATA').length + 3, T)

  assert.equal(await gateway.kill('SIGTERM'), 0)
  await nc.flush()
  const [ddeath] = await seen.waitForCount((m) => m.type === 'DDEATH', 1, T)
  const [ndeath] = await seen.waitForCount((m) => m.type === 'NDEATH', 1, T)
  assert.equal(ddeath!.subject, 'spBv1//0.Plant1.DDEATH.Line3-GW.Sim1')
  assert.equal(bdSeqOf(ndeath!.payload), bdSeqOf(nbirth!.payload), 'NDEATH carries the bdSeq of the session\'s NBIRTH')
})

test('gateway over core NATS - a DCMD subject that is only an alias of a device\'s subject (Sim1/, /Sim1, /Sim1/) is refused and audited; the device is not written', async (t) => {
  const { nc, seen, gateway } = await natsRig(t, device, 'core')
  await seen.waitForCount((m) => m.type === 'DBIRTH', 1, T)
  const dcmd = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Setpoint', datatype: 'Double', value: 55.5 }] }, { uint32Field: 'int_value' })
  const base = 'spBv1//0.Plant1.DCMD.Line3-GW.'
  for (const token of ['Sim1/', '/Sim1', '/Sim1/']) {
    const answer = JSON.parse((await nc.request(base + token, dcmd, { timeout: T })).string())
    assert.deepEqual(answer.results, [], `${token}: ${JSON.stringify(answer)}`)
    assert.match(answer.error, /is not the subject of device/, token)
    await gateway.waitForLine(new RegExp(`command refused.*${(base + token).replace(/[./]/g, '\\$&')}`), T)
  }
  const answer = JSON.parse((await nc.request(base + 'Sim1', dcmd, { timeout: T })).string())
  assert.deepEqual(answer, { results: [{ metric: 'Setpoint', applied: true, value: 55.5 }] }, 'the exact subject still writes')
  const lines = gateway.output.filter((l) => /command accepted/.test(l))
  assert.equal(lines.length, 1, `only the exact subject wrote: ${lines.join('\n')}`)
})

test('gateway over core NATS - an idle node sends its heartbeat', async (t) => {
  const { seen } = await natsRig(t, {}, 'core')
  const [nbirth] = await seen.waitForCount((m) => m.type === 'NBIRTH', 1, T)
  const alias = nbirth!.payload.metrics.find((m) => m.name === 'Properties/Heartbeat Interval')?.alias
  const beats = await seen.waitForCount((m) => m.type === 'NDATA' && m.payload.metrics.some((x) => x.alias === alias), 2, T)
  assert.deepEqual(beats.map((b) => b.payload.metrics.find((x) => x.alias === alias)?.value), [1000n, 1000n])
})

test('gateway over core NATS - three server restarts while data flows: each reading arrives at most twice (once live, one historical copy), never replayed again at every reconnect', async (t) => {
  const rig = await startRig(t, { nats: {} })
  const server = rig.nats
  const clients: NatsConnection[] = []
  rig.defer(() => Promise.all(clients.map((c) => c.close())))
  const gateway = rig.startGateway({ primaryHostId: 'SCADA-1', devices: device, upstream: natsUpstream([server.url], 'core') })
  const all: Seen[] = []
  // The host comes back after each restart: births (and the replay after them) wait for its STATE, so none is missed.
  const hostSession = async (births: number) => {
    const nc = await client(server.url)
    clients.push(nc)
    const seen = await watch(nc)
    await gateway.waitForLines(/NATS session up/, births, T)
    nc.publish('spBv1//0.STATE.SCADA-1', new TextEncoder().encode(JSON.stringify({ online: true, timestamp: Date.now() })))
    await seen.waitForCount((m) => m.type === 'NBIRTH', 1, T)
    if (births > 1) await seen.waitFor((m) => m.type === 'DDATA' && m.payload.metrics.some((x) => x.isHistorical === true), T)
    await seen.waitForCount((m) => m.type === 'DDATA' && !m.payload.metrics.some((x) => x.isHistorical === true), 10, T)
    return seen
  }
  let seen = await hostSession(1)
  for (let restart = 1; restart <= 3; restart++) {
    await server.restart()
    all.push(...seen.items)
    seen = await hostSession(restart + 1)
  }
  all.push(...seen.items)
  const readings = readingsOf(all.map((m) => ({ ...m, topic: m.subject, qos: 0, retain: false, receivedAt: 0 })), 'Sim1').filter((r) => r.birth !== true)
  const copies = new Map<number, { live: number; historical: number }>()
  for (const r of readings) {
    const c = copies.get(r.index) ?? { live: 0, historical: 0 }
    if (r.historical) c.historical++
    else c.live++
    copies.set(r.index, c)
  }
  const most = Math.max(...[...copies.values()].map((c) => c.live + c.historical))
  t.diagnostic(`readings ${copies.size}, most copies of one reading ${most}`)
  assert.ok([...copies.values()].some((c) => c.historical > 0), 'the replay window was replayed after a restart')
  assert.deepEqual([...copies].filter(([, c]) => c.live > 1).map(([i]) => i), [], 'readings that arrived live twice')
  assert.deepEqual([...copies].filter(([, c]) => c.live + c.historical > 2).map(([i, c]) => `${i}: ${c.live} live, ${c.historical} historical`), [], 'readings that arrived more than twice')
})

/** Waits until the gateway's buffer holds no more than `most` records (its backlog has gone upstream). */
const drained = (http: string, most = 2) => waitForMetric(http, records, (n) => n <= most, 60_000)

/** Every Walk reading in a stream's births and data, and (time, value) pairs stored more than once. */
function audit(messages: Awaited<ReturnType<typeof readStream>>, splitAt: number) {
  const firstRun = readingsOf(messages.filter((m) => m.type === 'DBIRTH' || m.type === 'DDATA'), 'Sim1').filter((r) => r.at < splitAt)
  const data = readingsOf(messages.filter((m) => m.type === 'DDATA'), 'Sim1')
  const pairs = new Map<string, number>()
  for (const r of data) pairs.set(`${r.at}:${r.index}`, (pairs.get(`${r.at}:${r.index}`) ?? 0) + 1)
  const twice = [...pairs].filter(([, n]) => n > 1).map(([k]) => k)
  const ids = messages.filter((m) => m.type === 'DDATA').map((m) => m.msgId)
  return { firstRun, twice, ids }
}

test('gateway over JetStream - kill -9 in the middle of a backlog replay, restart: the stream holds every reading exactly once', async (t) => {
  const rig = await startRig(t, { nats: { jetstream: true } })
  const server = rig.nats
  const nc = await client(server.url)
  let host = nc
  rig.defer(() => host.close())
  const seen = await watch(nc)
  let gateway = rig.startGateway({ devices: device, upstream: natsUpstream([server.url], 'jetstream'), extra: 'buffer: { durability: process }' })
  let http = await httpUrlOf(gateway, T)
  await seen.waitForCount((m) => m.type === 'DDATA', 5, T)
  await nc.close()
  await server.stop()
  await gateway.waitForLine(/NATS session down|connection lost/, T)
  const base = (await scrapeMetrics(http)).get(records)!
  await waitForMetric(http, records, (n) => n >= base + 150, 60_000)
  await server.start()
  host = await client(server.url)
  const replaying = await watch(host)
  await replaying.waitForCount((m) => m.type === 'DDATA' && m.payload.metrics.some((x) => x.isHistorical === true), 20, T)
  const killedAt = Date.now()
  await gateway.kill('SIGKILL')
  gateway = rig.launchGateway()
  http = await httpUrlOf(gateway, T)
  await drained(http)
  await replaying.waitForCount((m) => m.type === 'DDATA' && !m.payload.metrics.some((x) => x.isHistorical === true) && m.payload.metrics.length > 0, 3, T)
  await gateway.kill('SIGTERM')

  const stored = await readStream(host, 'SPARKPLUG')
  const { firstRun, twice, ids } = audit(stored, killedAt)
  const read = countReadings(firstRun)
  t.diagnostic(`stream: ${stored.length} messages; first run readings ${read.first}-${read.last}`)
  assert.deepEqual(read.missing, [], 'readings of the killed gateway are missing from the stream')
  assert.deepEqual(twice, [], 'readings stored twice')
  assert.ok(ids.every((id) => id !== null), 'every DDATA carries a Nats-Msg-Id')
  assert.equal(new Set(ids).size, ids.length, 'no message id stored twice')
})

test('gateway over JetStream - a full stream (discard: new, at max_msgs) is reported as full, retried with backoff in the same session (one bdSeq), and every buffered reading is stored once room is made', async (t) => {
  const rig = await startRig(t, { nats: { jetstream: true } })
  const nc = await client(rig.url)
  rig.defer(() => nc.close())
  const jsm = await nc.jetstreamManager()
  const stream = { name: 'SPARKPLUG', subjects: publishedSubjects({ groupId: 'Plant1', edgeNodeId: 'Line3-GW' }), storage: StorageType.File, duplicate_window: nanos(3_600_000), max_msgs: 20, discard: DiscardPolicy.New }
  await jsm.streams.add(stream)
  const seen = await watch(nc)
  const gateway = rig.startGateway({ devices: device, upstream: natsUpstream([rig.url], 'jetstream') })
  const http = await httpUrlOf(gateway, T)
  const [full] = await gateway.waitForLines(/WARN .*server refused a message.*stream full/, 1, T)
  assert.match(full!, /SPARKPLUG/)
  assert.match(full!, /maximum messages exceeded/)
  assert.match(full!, /max_msgs/)
  await gateway.waitForLines(/retrying refused messages/, 4, T)
  assert.doesNotMatch(gateway.output.join('\n'), /no PubAck/, 'a refusal is not a missing PubAck')
  assert.equal(gateway.output.filter((l) => /NATS session up/.test(l)).length, 1, 'no new session for a full stream')
  assert.equal(new Set(seen.items.filter((m) => m.type === 'NBIRTH').map((m) => bdSeqOf(m.payload))).size, 1, 'one bdSeq')

  await jsm.streams.update('SPARKPLUG', { ...stream, max_msgs: -1 })
  await gateway.waitForLine(/the server accepts messages again/, T)
  await drained(http)
  await gateway.kill('SIGTERM')
  const stored = await readStream(nc, 'SPARKPLUG')
  const { firstRun, twice } = audit(stored, Number.POSITIVE_INFINITY)
  const read = countReadings(firstRun)
  t.diagnostic(`stream: ${stored.length} messages; readings ${read.first}-${read.last}`)
  assert.deepEqual(read.missing, [], 'readings lost while the stream was full')
  assert.deepEqual(twice, [], 'readings stored twice')
  assert.equal(new Set(stored.filter((m) => m.type === 'NBIRTH').map((m) => bdSeqOf(m.payload))).size, 1, 'the stream holds one session')
  t.diagnostic(full!.replace(/^.*WARN\s+/, ''))
})

test('gateway over a three-server JetStream cluster - the server it is connected to stops while data flows: nothing lost, births on the new connection', async (t) => {
  const rig = await startRig(t, { natsCluster: true })
  const { cluster } = rig
  const nc = await client(cluster.urls[2]!)
  rig.defer(() => nc.close())
  const seen = await watch(nc)
  const gateway = rig.startGateway({ devices: device, upstream: natsUpstream(cluster.urls, 'jetstream', '    jetstream: { replicas: 3 }') })
  const http = await httpUrlOf(gateway, T)
  await seen.waitForCount((m) => m.type === 'DDATA', 10, T)
  const status = await (await fetch(`${http}/status`)).json() as { upstream: { server: string } }
  const first = cluster.servers.find((s) => s.url === status.upstream.server)
  assert.ok(first, `connected to one of the cluster's servers: ${status.upstream.server}`)
  assert.notEqual(first, cluster.servers[2], 'the gateway takes servers in order, so not the host\'s server')
  await first.stop()
  await seen.waitForCount((m) => m.type === 'NBIRTH', 2, T)
  await drained(http)
  await seen.waitForCount((m) => m.type === 'DDATA' && !m.payload.metrics.some((x) => x.isHistorical === true), seen.items.filter((m) => m.type === 'DDATA').length + 5, T)
  await gateway.kill('SIGTERM')

  const stored = await readStream(nc, 'SPARKPLUG')
  const { firstRun, twice } = audit(stored, Number.POSITIVE_INFINITY)
  const read = countReadings(firstRun)
  t.diagnostic(`stream: ${stored.length} messages, R3; readings ${read.first}-${read.last}`)
  assert.deepEqual(read.missing, [], 'readings lost in the failover')
  assert.deepEqual(twice, [], 'readings stored twice')
  assert.equal(stored.filter((m) => m.type === 'NBIRTH').length, 2, 'one NBIRTH per connection, both stored')
})
