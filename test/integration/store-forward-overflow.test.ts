import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkDelivery, counterSamples, ranges } from '../helpers/counter-samples.js'
import { scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import type { ReceivedMessage } from '../helpers/durable-observer.js'
import { liveData, sessionStarts, startRig, brokerOutage } from '../helpers/store-forward-rig.js'

// A period well above the poll interval: a reading delayed by a busy machine (an fsync of the
// bdSeq file at reconnect, a 200 ms commit on this shared VM) still sees every value.
const PERIOD = 500
const T = 25_000
const TICK_MS = 10_000 // BUFFER_METRICS_INTERVAL_MS: the node's buffer metrics are sampled this often
const dropped = 'sparkplug_gateway_buffer_dropped_total'

// Each reading carries the counter and a 3,000-character string that changes with it: one record
// per counter value, about one database page each, so the 256 KiB buffer fills in a few seconds.
const padding = (c: string) => c.repeat(3000)
const device = [
  'device: Sim1',
  'driver: simulator',
  'connection: {}',
  'poll: 25ms',
  'tags:',
  `  - { name: Counter, signal: counter, period: ${PERIOD}ms }`,
  `  - { name: Padding, signal: string, values: [${padding('a')}, ${padding('b')}], period: ${PERIOD}ms }`,
].join('\n')

/** Timestamps of the node's buffer-metric records (NDATA), live or replayed. */
const nodeRecordTimes = (messages: readonly ReceivedMessage[]) =>
  messages.filter((m) => m.type === 'NDATA').map((m) => Number(m.payload.metrics[0]!.timestamp))

for (const policy of ['drop-oldest', 'drop-newest'] as const) {
  test(`store-and-forward - a 256 KiB buffer overflowing in an outage with ${policy}: the ${policy === 'drop-oldest' ? 'oldest' : 'newest'} values are missing and Dropped counts exactly them (bounded buffer, drops counted, never silent)`, async (t) => {
    // durability: process, as in the other store-and-forward tests: no fsync stalls that skip readings.
    const extra = `buffer: { path: buffer.db, maxSize: 256KiB, whenFull: ${policy}, durability: process }`
    const rig = await startRig(t, { devices: { sim1: device }, dataQos: 1, extra }, T)
    // Start the outage just after a buffer-metrics sample, so that it usually ends before the next.
    const tick = await rig.observer.waitFor((m) => m.type === 'NDATA', T)
    const tickAt = Number(tick.payload.metrics[0]!.timestamp)

    const from = await brokerOutage(rig, T)
    await waitForMetric(rig.http, dropped, (n) => n >= 8, T)
    const to = Date.now()
    await rig.broker.start()
    const born = await rig.observer.waitFor((m) => m.type === 'NBIRTH' && m.receivedAt > to, T)
    await waitForMetric(rig.http, 'sparkplug_gateway_buffer_records', (n) => n <= 1, T)
    await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 4, T)
    const total = (await scrapeMetrics(rig.http)).get(dropped)!
    // Gateway/Buffer/Dropped reaches the host in the next sample's NDATA.
    await rig.observer.waitFor((m) => m.type === 'NDATA' && counterSamples(rig.observer.messages.slice(0, rig.observer.messages.indexOf(m) + 1), null, 'Gateway/Buffer/Dropped').at(-1)?.value === total, T)

    const samples = counterSamples(rig.observer.messages, 'Sim1')
    const counts = checkDelivery(samples, PERIOD, { from, to }, sessionStarts(rig.observer.messages))
    // Node samples taken during the outage are buffered too, and may be dropped with the counter's.
    const ticks: number[] = []
    for (let at = tickAt + TICK_MS; at < born.receivedAt; at += TICK_MS) if (at > from) ticks.push(at)
    // The sampling timer fires late on a busy machine, so which sample went missing cannot be told
    // from its time; how many arrived can.
    const nodeArrived = nodeRecordTimes(rig.observer.messages).filter((at) => at > from && at < born.receivedAt).length
    // History leaves out what a birth carried, and a birth carries the latest values whether their
    // record was dropped or not: such a counter value may or may not be among the drops.
    const birthOnly = samples.filter((s) => s.birth === true && s.at > from && !samples.some((d) => d.birth !== true && d.value === s.value)).length
    t.diagnostic(`values ${counts.first}-${counts.last}: ${counts.values} distinct, ${counts.historical} historical; missing ${ranges(counts.missing)} ` +
      `(${counts.missing.length}); dropped ${total}; buffer samples during the outage: about ${ticks.length}, ${nodeArrived} arrived; ` +
      `counter values only in a birth ${birthOnly}`)

    // Only what follows the last value delivered before the outage: the other tests cover the rest, and
    // a reading skipped there by a stalled machine is no drop.
    const lastLive = Math.max(...samples.filter((s) => !s.historical && s.at < from).map((s) => s.value))
    const missing = counts.missing.filter((v) => v > lastLive)
    assert.ok(missing.length > 0)
    // Every missing counter value is a drop; the rest of the count are buffer samples (at most one
    // per 10 s of outage) and counter values whose record was dropped but which a birth carried.
    const beyondMissing = total - missing.length
    const most = ticks.length + 1 - nodeArrived + birthOnly
    assert.ok(beyondMissing >= 0 && beyondMissing <= most, `dropped ${total}, of them ${missing.length} counter values: ${beyondMissing} more is not possible with ${nodeArrived} of about ${ticks.length} buffer samples arrived and ${birthOnly} values only in a birth`)
    assert.equal(missing.at(-1)! - missing[0]! + 1, missing.length, 'one contiguous run of values is missing')
    const firstOutage = samples.filter((s) => s.at > from).map((s) => s.value)
    if (policy === 'drop-oldest') {
      assert.equal(missing[0], lastLive + 1, 'the oldest buffered values are the ones dropped')
    } else {
      assert.ok(missing[0]! > lastLive + 1, 'the oldest buffered values arrived')
      assert.ok(firstOutage.includes(lastLive + 1))
    }
  })
}
