/**
 * Store-and-forward replay benchmark: a buffer holding 1,000,000 metrics (10,000 records of 100
 * metrics of one device, as an outage of about three hours at one poll a second would leave) is
 * replayed by the real gateway process to a real mosquitto and a subscriber. Reports metrics/s
 * from NBIRTH to the last historical metric, the gateway's resident memory sampled every second,
 * database bytes per buffered metric, and how late live values arrive during the replay.
 * Run: `npx tsc -p tsconfig.json && node dist/scripts/bench/replay.js [directory] [metrics]`
 * (defaults: the OS temp directory, 1000000). The gateway runs with the default keepalive (30 s),
 * so QoS 0 rows stay in its 45 s replay window: memory must level off once that window is full.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { startGatewayProcess, writeGatewayConfig } from '../../test/helpers/gateway-process.js'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { fillBacklog } from './e2e/backlog.js'
import { memory } from './e2e/proc-stats.js'

const TAGS = 100
const RECORDS = Math.ceil(Number(process.argv[3] ?? 1_000_000) / TAGS)
const TOTAL = RECORDS * TAGS
const TIMEOUT_MS = 300_000

const tagName = (t: number) => `Tag${String(t).padStart(3, '0')}`

/** The backlog device: counters with a one-hour period, so its live readings stay out of the way. */
const backlogDevice = ['device: Backlog', 'driver: simulator', 'connection: {}', 'poll: 1s', 'tags:',
  ...Array.from({ length: TAGS }, (_, t) => `  - { name: ${tagName(t)}, signal: counter, period: 1h }`)].join('\n')
/** A live device whose values must keep flowing while the backlog replays. */
const liveDevice = ['device: Live', 'driver: simulator', 'connection: {}', 'poll: 100ms', 'tags:',
  '  - { name: Counter, signal: counter, period: 100ms }'].join('\n')

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

const setup = { devices: { backlog: backlogDevice, live: liveDevice }, keepalive: '30s' }
const { dir, file } = writeGatewayConfig({ ...setup, servers: ['mqtt://127.0.0.1:1'] }) // servers rewritten once the broker runs
const work = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'replay-bench-'))
const buffer = join(work, 'buffer.db')
try {
  // 1. The backlog, written through the outbox the gateway itself uses.
  const fillStart = performance.now()
  const filledBytes = await fillBacklog(buffer, { deviceId: 'Backlog', tags: Array.from({ length: TAGS }, (_, t) => tagName(t)), records: RECORDS })
  const fillMs = performance.now() - fillStart
  const fileBytes = statSync(buffer).size

  // 2. Broker and subscriber first, so that the subscriber sees the whole replay.
  const broker = await startMosquitto()
  writeGatewayConfig({ ...setup, servers: [broker.url], extra: `buffer: { path: ${buffer}, maxSize: 1GiB, durability: process }` }, dir)
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })
  let historical = 0
  let spawnedAt = Infinity
  let birthAt = 0
  let doneAt = 0
  const liveLags: number[] = []
  let finished: () => void = () => {}
  const done = new Promise<void>((resolve) => (finished = resolve))
  client.on('message', (topic, payload) => {
    const now = Date.now()
    if (topic.includes('/NBIRTH/')) birthAt = now
    if (!topic.includes('/DDATA/')) return
    const decoded = decodePayload(payload)
    for (const m of decoded.metrics) {
      // The backlog's metrics carry times before the gateway started; its own first readings come after.
      if (m.isHistorical === true && Number(m.timestamp) < spawnedAt) historical++
      else if (m.isHistorical !== true && topic.endsWith('/Live') && birthAt > 0 && doneAt === 0) liveLags.push(now - Number(m.timestamp))
    }
    if (historical >= TOTAL && doneAt === 0) {
      doneAt = now
      finished()
    }
  })
  await client.subscribeAsync('spBv1.0/Plant1/#', { qos: 0 })

  // 3. The gateway replays; its memory is sampled every second until the backlog has arrived.
  spawnedAt = Date.now()
  const gateway = startGatewayProcess(file)
  const rss: number[] = []
  const sampler = setInterval(() => rss.push(memory(gateway.pid).rss), 1000)
  const timeout = setTimeout(() => finished(), TIMEOUT_MS)
  await done
  clearInterval(sampler)
  clearTimeout(timeout)
  const replayMs = doneAt - birthAt
  await gateway.kill('SIGTERM')
  await client.endAsync()
  await broker.stop()
  if (historical < TOTAL) throw new Error(`only ${historical} of ${TOTAL} historical metrics arrived within ${TIMEOUT_MS} ms`)

  liveLags.sort((a, b) => a - b)
  const q = (f: number) => liveLags[Math.min(liveLags.length - 1, Math.floor(f * liveLags.length))] ?? NaN
  console.log(`backlog: ${TOTAL.toLocaleString('en-US')} metrics in ${RECORDS.toLocaleString('en-US')} records, written in ${(fillMs / 1000).toFixed(1)} s`)
  console.log(`database: ${(filledBytes / TOTAL).toFixed(2)} bytes per buffered metric (stats.bytes ${mib(filledBytes)} MiB incl. WAL; file ${mib(fileBytes)} MiB after close)`)
  console.log(`replay: ${historical.toLocaleString('en-US')} historical metrics in ${(replayMs / 1000).toFixed(1)} s from NBIRTH = ${Math.round((TOTAL * 1000) / replayMs).toLocaleString('en-US')} metrics/s`)
  console.log(`gateway RSS MiB, every second: ${rss.map(mib).join(' ')}`)
  console.log(`gateway RSS MiB: min ${mib(Math.min(...rss))}, max ${mib(Math.max(...rss))}`)
  console.log(`live values during the replay: ${liveLags.length}, read-to-arrival ms p50 ${q(0.5)}, p99 ${q(0.99)}, max ${q(1)}`)
} finally {
  rmSync(work, { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
}
