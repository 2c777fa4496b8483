/**
 * OPC UA: a node-opcua server (test/helpers/opcua-server-main.ts) with 5,000 Double
 * variables, each set every second to the time of the change; a gateway with one OPC UA device
 * monitoring all of them (publishing interval 1 s, sampling 1 s) -> mosquitto -> a counter.
 * Reports delivered updates/s against the 5,000 offered, gateway CPU (share of one core), RSS
 * mean and max, and change-to-arrival latency (arrival minus the value, which is the server's
 * change time; same machine clock) with its median and p99, also less the publishing interval.
 * Then resident memory of an idle gateway with simulator devices only, and with the same
 * simulator devices plus a small OPC UA device.
 *   npm run bench -- opcua [--seconds 60]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { startOpcuaServer, type OpcuaTestServer } from '../../test/helpers/opcua-server.js'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { GROUP_ID, startGateway, writeConfig, type Load } from './e2e/gateway-under-test.js'
import { opcuaDeviceYaml } from './e2e/opcua-device.js'
import { cpuSeconds, machineSeconds, memory } from './e2e/proc-stats.js'
import { fmt, mb } from './e2e/report.js'
import { countTraffic } from './e2e/traffic-counter.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } })
const SECONDS = Number(values.seconds)
const ITEMS = 5_000
const PUBLISHING_MS = 1_000
const WARMUP_MS = 15_000
const IDLE_MS = 30_000
/** The simulator devices both memory runs share: 1,000 tags at 1 s. */
const SIM_LOAD: Load = { tags: 1_000, pollMs: 1_000, buffer: 'sqlite' }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN

/** Arrival minus value (the server's change time) of every metric of the OPC UA device's DDATA. */
async function latencyRecorder(url: string): Promise<{ take(): number[]; close(): Promise<void> }> {
  let lags: number[] = []
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true })
  client.on('message', (_topic, payload) => {
    const now = Date.now()
    for (const m of decodePayload(payload).metrics) if (typeof m.value === 'number') lags.push(now - m.value)
  })
  await client.subscribeAsync(`spBv1.0/${GROUP_ID}/DDATA/+/Opcua`, { qos: 0 })
  return {
    take() {
      const taken = lags
      lags = []
      return taken
    },
    close: () => client.endAsync(true),
  }
}

/** Mean and max RSS of `pid`, sampled every second for `ms`. */
async function sampleRss(pid: number, ms: number): Promise<{ mean: number; max: number }> {
  const samples: number[] = []
  for (const end = Date.now() + ms; Date.now() < end; await sleep(1_000)) samples.push(memory(pid).rss)
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples) }
}

async function bulkRun(brokerUrl: string, server: OpcuaTestServer): Promise<void> {
  const { dir, file } = writeConfig({ tags: 0, pollMs: 1_000, buffer: 'sqlite' }, brokerUrl)
  writeFileSync(join(dir, 'devices', 'opcua.yaml'), opcuaDeviceYaml(server.endpoint, join(dir, 'state', 'opcua-pki'), ITEMS, PUBLISHING_MS))
  const counter = await countTraffic(brokerUrl, GROUP_ID)
  const latency = await latencyRecorder(brokerUrl)
  const gateway = startGateway(file)
  try {
    const bornIn = (await counter.deviceBirths(1, 120_000)) - gateway.startedAt
    await sleep(WARMUP_MS)
    latency.take()
    const [t0, c0, s0, m0, w0] = [counter.totals(), cpuSeconds(gateway.pid), cpuSeconds(server.pid), machineSeconds(), performance.now()]
    const load0 = loadavg()[0]!
    const rss = await sampleRss(gateway.pid, SECONDS * 1_000)
    const [t1, c1, s1, m1, w1] = [counter.totals(), cpuSeconds(gateway.pid), cpuSeconds(server.pid), machineSeconds(), performance.now()]
    const wall = (w1 - w0) / 1_000
    counter.check()
    const lags = latency.take().sort((a, b) => a - b)
    const [p50, p99] = [percentile(lags, 0.5), percentile(lags, 0.99)]
    console.log(`\n5,000 monitored items changing every second, ${SECONDS} s after ${WARMUP_MS / 1_000} s warm-up (DBIRTH ${fmt(bornIn)} ms after start)`)
    console.log('| offered updates/s | delivered updates/s | DDATA msgs/s | gateway CPU % of a core | server CPU % | RSS mean / max MB | latency p50 / p99 ms | beyond the publishing interval p50 / p99 ms | machine busy % | load avg 1 min (start) |')
    console.log('|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|')
    console.log(`| ${fmt(ITEMS)} | ${fmt((t1.metrics - t0.metrics) / wall)} | ${((t1.dataMessages - t0.dataMessages) / wall).toFixed(1)} | ${(((c1 - c0) / wall) * 100).toFixed(0)} | ${(((s1 - s0) / wall) * 100).toFixed(0)} | ${mb(rss.mean)} / ${mb(rss.max)} | ${fmt(p50)} / ${fmt(p99)} | ${fmt(p50 - PUBLISHING_MS)} / ${fmt(p99 - PUBLISHING_MS)} | ${(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100).toFixed(0)} | ${load0.toFixed(2)} |`)
    console.log(`latency samples: ${fmt(lags.length)}`)
  } finally {
    await gateway.stop()
    await latency.close()
    await counter.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** RSS of a gateway with the simulator devices of SIM_LOAD, plus `extra` device files. */
async function idleRss(brokerUrl: string, extra: Readonly<Record<string, (dir: string) => string>>, births: number): Promise<{ mean: number; max: number }> {
  const { dir, file } = writeConfig(SIM_LOAD, brokerUrl)
  mkdirSync(join(dir, 'state'), { recursive: true })
  for (const [name, yaml] of Object.entries(extra)) writeFileSync(join(dir, 'devices', `${name}.yaml`), yaml(dir))
  const counter = await countTraffic(brokerUrl, GROUP_ID)
  const gateway = startGateway(file)
  try {
    await counter.deviceBirths(births, 120_000)
    await sleep(WARMUP_MS)
    return await sampleRss(gateway.pid, IDLE_MS)
  } finally {
    await gateway.stop()
    await counter.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const broker = await startMosquitto()
const server = await startOpcuaServer({ bulk: { count: ITEMS, periodMs: 1_000 } })
try {
  console.log(`machine: ${(await import('node:os')).cpus().length} cores, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  await bulkRun(broker.url, server)
  const simDevices = Math.ceil(SIM_LOAD.tags / 1_000)
  const without = await idleRss(broker.url, {}, simDevices)
  const small = (dir: string) => opcuaDeviceYaml(server.endpoint, join(dir, 'state', 'opcua-pki'), 10, PUBLISHING_MS)
  const withOpcua = await idleRss(broker.url, { opcua: small }, simDevices + 1)
  console.log(`\nresident memory, ${fmt(SIM_LOAD.tags)} simulator tags at 1 s, ${IDLE_MS / 1_000} s after ${WARMUP_MS / 1_000} s warm-up`)
  console.log('| gateway | RSS mean MB | RSS max MB |')
  console.log('|---|--:|--:|')
  console.log(`| simulator devices only | ${mb(without.mean)} | ${mb(without.max)} |`)
  console.log(`| same + one OPC UA device (10 monitored items) | ${mb(withOpcua.mean)} | ${mb(withOpcua.max)} |`)
  console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
} finally {
  await server.stop()
  await broker.stop()
}
