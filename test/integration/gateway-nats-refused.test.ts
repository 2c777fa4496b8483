import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { nanos, StorageType, type NatsConnection } from 'nats'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { parseTopic } from '../../gateway/base/topics.js'
import { publishedSubjects } from '../../gateway/upstream/nats-stream.js'
import { topicOf } from '../../gateway/base/nats-subjects.js'
import { Collection } from '../helpers/collection.js'
import type { ReceivedMessage } from '../helpers/durable-observer.js'
import { httpUrlOf, waitForMetric } from '../helpers/gateway-http.js'
import type { NatsServerOptions } from '../helpers/nats-server.js'
import { startRig } from '../helpers/rig.js'
import { readStream } from '../helpers/nats-stream-reader.js'
import { client } from '../helpers/nats-upstream-kit.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice } from '../helpers/sim-device.js'
import { bdSeqOf } from '../helpers/fake-upstream.js'

const T = 30_000
const dropped = 'sparkplug_gateway_buffer_dropped_total'
const dropLine = /WARN .*server refuses this message for good/

/** A device whose Label is short for half a second, then `long` characters for half a second: its DBIRTH (after the first scan) carries the short value. */
function bigDevice(long: number): string {
  return ['device: Big', 'driver: simulator', 'poll: 50ms', 'tags:', `  - { name: Label, signal: string, values: [short, ${'x'.repeat(long)}], period: 500ms }`].join('\n')
}

const devices = (long: number) => ({ sim1: simDevice('Sim1', { poll: '50ms', walk: true }), big: bigDevice(long) })

type Seen = ReceivedMessage

/** A host's core subscription to everything the node publishes. */
async function watch(nc: NatsConnection): Promise<Collection<Seen>> {
  const seen = new Collection<Seen>((all) => `seen: ${all.slice(-20).map((m) => `${m.type} ${m.deviceId ?? ''}`).join(', ') || 'nothing'}`)
  nc.subscribe('spBv1//0.Plant1.>', {
    callback: (err, msg) => {
      const address = err === null ? parseTopic(topicOf(msg.subject)) : null
      if (address === null || address.type === 'STATE' || address.type === 'NCMD' || address.type === 'DCMD') return
      seen.push({ topic: topicOf(msg.subject), type: address.type, deviceId: address.deviceId, payload: decodePayload(msg.data), qos: 0, retain: false, receivedAt: Date.now() })
    },
  })
  await nc.flush()
  return seen
}

async function rig(t: TestContext, server: NatsServerOptions, mode: 'core' | 'jetstream', long: number, beforeGateway?: (nc: NatsConnection) => Promise<void>) {
  const nats = await startRig(t, { nats: server })
  const nc = await client(nats.url)
  nats.defer(() => nc.close())
  await beforeGateway?.(nc)
  const seen = await watch(nc)
  const upstream = ['  nats:', `    servers: [${nats.url}]`, `    mode: ${mode}`, '    heartbeat: 1s', '    reconnect: { min: 100ms, max: 500ms }'].join('\n')
  const gateway = nats.startGateway({ devices: devices(long), upstream })
  const http = await httpUrlOf(gateway, T)
  return { nc, seen, gateway, http }
}

const labels = (seen: Collection<Seen>) => seen.items.filter((m) => m.type === 'DDATA' && m.deviceId === 'Big').flatMap((m) => m.payload.metrics.map((x) => x.value))

/** The node's Gateway/Buffer/Dropped as its NDATA last reported it (the alias from NBIRTH). */
function reportedDropped(seen: Collection<Seen>): bigint {
  const alias = seen.items.find((m) => m.type === 'NBIRTH')?.payload.metrics.find((m) => m.name === 'Gateway/Buffer/Dropped')?.alias
  const values = seen.items.filter((m) => m.type === 'NDATA').flatMap((m) => m.payload.metrics.filter((x) => x.alias === alias).map((x) => x.value as bigint))
  return values.at(-1) ?? 0n
}

for (const mode of ['core', 'jetstream'] as const) {
  test(`gateway over ${mode} NATS - a reading larger than the server's max_payload (the client refuses it before sending) is dropped and counted, logged once; every other reading arrives in the same session`, async (t) => {
    const { seen, gateway, http } = await rig(t, { jetstream: mode === 'jetstream', maxPayload: 4096 }, mode, 6000)
    await seen.waitForCount((m) => m.type === 'DBIRTH', 2, T)
    const [line] = await gateway.waitForLines(dropLine, 1, T)
    assert.match(line!, /DDATA\/Line3-GW\/Big/)
    assert.match(line!, /max_payload/)
    await waitForMetric(http, dropped, (n) => n >= 3, T)
    // The short label after a drop arrives: the rows behind the refused one flow.
    const shortBefore = labels(seen).filter((v) => v === 'short').length
    await seen.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Big' && m.payload.metrics.some((x) => x.value === 'short'), shortBefore + 1, T)
    await seen.waitFor((m) => m.type === 'NDATA' && reportedDropped(seen) > 0n, T)
    await gateway.kill('SIGTERM')

    assert.equal(gateway.output.filter((l) => dropLine.test(l)).length, 1, 'one line for the reason, not one per row')
    assert.equal(gateway.output.filter((l) => /NATS session up/.test(l)).length, 1, 'no new session for a refused message')
    assert.equal(new Set(seen.items.filter((m) => m.type === 'NBIRTH').map((m) => bdSeqOf(m.payload))).size, 1, 'one bdSeq')
    const read = countReadings(readingsOf(seen.items.filter((m) => m.type === 'DBIRTH' || m.type === 'DDATA'), 'Sim1'))
    t.diagnostic(`Sim1 readings ${read.first}-${read.last}; dropped reported ${reportedDropped(seen)}; ${line!.replace(/^.*WARN\s+/, '')}`)
    assert.deepEqual(read.missing, [], 'Sim1 readings lost')
  })
}

test('gateway over JetStream - a reading over the stream\'s max_msg_size (err_code 10054) is dropped and counted, logged once; every other reading is stored, one bdSeq, the buffer drains', async (t) => {
  const stream = { name: 'SPARKPLUG', subjects: publishedSubjects({ groupId: 'Plant1', edgeNodeId: 'Line3-GW' }), storage: StorageType.File, duplicate_window: nanos(3_600_000) }
  let nc: NatsConnection | null = null
  const r = await rig(t, { jetstream: true }, 'jetstream', 2000, async (c) => {
    nc = c
    await (await c.jetstreamManager()).streams.add(stream)
  })
  // The births are stored first; the limit comes after, so only the long label's DDATA is over it.
  await r.seen.waitForCount((m) => m.type === 'DBIRTH', 2, T)
  await (await nc!.jetstreamManager()).streams.update('SPARKPLUG', { ...stream, max_msg_size: 1024 })
  const [line] = await r.gateway.waitForLines(dropLine, 1, T)
  assert.match(line!, /DDATA\/Line3-GW\/Big/)
  assert.match(line!, /max_msg_size/)
  assert.match(line!, /10054/)
  await waitForMetric(r.http, dropped, (n) => n >= 3, T)
  await waitForMetric(r.http, 'sparkplug_gateway_buffer_records', (n) => n <= 2, T)
  await r.gateway.kill('SIGTERM')

  assert.equal(r.gateway.output.filter((l) => dropLine.test(l)).length, 1, 'one line for the reason, not one per row')
  assert.equal(r.gateway.output.filter((l) => /NATS session up/.test(l)).length, 1, 'no new session for a refused message')
  const stored = await readStream(nc!, 'SPARKPLUG')
  const read = countReadings(readingsOf(stored.filter((m) => m.type === 'DBIRTH' || m.type === 'DDATA'), 'Sim1'))
  t.diagnostic(`stream: ${stored.length} messages; Sim1 readings ${read.first}-${read.last}; ${line!.replace(/^.*WARN\s+/, '')}`)
  assert.deepEqual(read.missing, [], 'Sim1 readings lost')
  assert.equal(new Set(stored.filter((m) => m.type === 'NBIRTH').map((m) => bdSeqOf(m.payload))).size, 1, 'one bdSeq')
  const big = stored.filter((m) => m.type === 'DDATA' && m.deviceId === 'Big').flatMap((m) => m.payload.metrics.map((x) => x.value))
  assert.ok(big.filter((v) => v === 'short').length >= 2, 'the short label keeps being stored after the drops')
})
