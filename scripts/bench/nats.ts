/**
 * The NATS upstream against MQTT, in one run with the same simulator load (10,000 tags every
 * 100 ms, every tag changing at every scan, SQLite buffer): gateway -> mosquitto, -> core NATS,
 * -> JetStream (R1, file storage), each counted by a subscriber on its broker (for JetStream a
 * core subscription on the same subjects, which sees every message the stream stored). Then
 * the backlog replay into JetStream: rows/s and metrics/s from the server's start until the
 * stream holds every buffered row, and that it holds each exactly once.
 *
 * Run: `npm run bench -- nats [backlog rows]` (default 20,000 rows of 100 metrics; about 3.5 minutes).
 */
import { cpus, loadavg } from 'node:os'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { startNatsServer } from '../../test/helpers/nats-server.js'
import { GROUP_ID, type Load } from './e2e/gateway-under-test.js'
import { measureJetStreamReplay } from './e2e/jetstream-replay.js'
import { fmt, header, mb, row } from './e2e/report.js'
import { measureSteady } from './e2e/steady-run.js'
import { countTraffic } from './e2e/traffic-counter.js'

const ROWS = Number(process.argv[2] ?? 20_000)
const load: Load = { tags: 10_000, pollMs: 100, buffer: 'sqlite' }
const window = { warmupMs: 5_000, windowMs: 20_000 }
const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ')

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average before: ${loadAverage()}`)
console.log('gateway -> mosquitto / nats-server (loopback) -> counting subscriber; 10,000 tags every 100 ms, SQLite buffer')
const mosquitto = await startMosquitto()
const nats = await startNatsServer({ jetstream: true })
const mqttCounter = await countTraffic(mosquitto.url, GROUP_ID)
const natsCounter = await countTraffic(nats.url, GROUP_ID)
try {
  const mqtt = { ...window, brokerUrl: mosquitto.url, brokerPid: mosquitto.pid, counter: mqttCounter }
  const core = { ...window, brokerUrl: nats.url, brokerPid: nats.pid, counter: natsCounter }
  const runs = [
    ['MQTT (mosquitto)', () => measureSteady(load, mqtt)],
    ['core NATS', () => measureSteady(load, core)],
    ['JetStream R1 file', () => measureSteady({ ...load, natsMode: 'jetstream' }, core)],
  ] as const
  // Two rounds, the second in reverse order, so that a neighbour's burst of work or the order
  // itself does not decide the comparison on a shared machine.
  const results: string[] = []
  for (const [round, order] of [[1, runs], [2, [...runs].reverse()]] as const) {
    for (const [label, run] of order) results.push(row(`${label}, round ${round}`, await run()))
  }
  console.log(`\nsteady state (${window.windowMs / 1000} s window after ${window.warmupMs / 1000} s warm-up; "broker" is mosquitto or nats-server):\n`)
  console.log([...header, ...results].join('\n'))

  // The replay stops and starts the server: the counter's connection does not survive that.
  await natsCounter.close()
  const r = await measureJetStreamReplay(nats, ROWS)
  console.log(`\nJetStream backlog replay: ${fmt(r.rows)} rows of 100 metrics buffered while nats-server was down, then the server started:\n`)
  console.log('| rows | metrics | server start to last row s | rows/s | metrics/s | gateway CPU % of a core | RSS max MB | rows in stream | metrics in stream | duplicates by Nats-Msg-Id |')
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
  console.log(`| ${fmt(r.rows)} | ${fmt(r.metrics)} | ${r.seconds.toFixed(1)} | ${fmt(r.rows / r.seconds)} | ${fmt(r.metrics / r.seconds)} | ${(r.cpu * 100).toFixed(0)} | ${mb(r.rssMax)} | ${fmt(r.storedRows)} | ${fmt(r.storedMetrics)} | ${r.duplicates} |`)
  if (r.storedRows !== r.rows || r.storedMetrics !== r.metrics || r.duplicates !== 0) {
    console.error(`the stream does not hold every backlog row exactly once`)
    process.exitCode = 1
  }
  console.log(`\nload average after: ${loadAverage()}`)
} finally {
  await Promise.all([mqttCounter.close(), natsCounter.close()]) // closing twice is a no-op
  await Promise.all([mosquitto.stop(), nats.stop()])
}
