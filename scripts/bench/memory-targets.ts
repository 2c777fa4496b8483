/**
 * Every absolute memory target under the Debian unit's environment (read from
 * deploy/sparkplug-gateway.service: NODE_OPTIONS become the gateway's node flags, the other
 * Environment= lines its environment), one load after the other:
 * idle 10 x 100 Modbus tags at 1 s; 10,000 Modbus points at 1 s; 100,000 updates/s (10 simulator
 * devices x 1,000 tags at 100 ms, SQLite buffer); one OPC UA device of 1,000 monitored items
 * changing each second; the saturation point (updates/s per core and RSS there). For each: RSS mean
 * and max over the window after warm-up, the probe's last process.memoryUsage(), the live heap of
 * a heap snapshot taken after the window and its largest constructors, and met / not met.
 *   npm run bench -- memory-targets [--node-flags "..."] [--only idle,points,100k,opcua,saturation] [--replay]
 * --node-flags: added after the unit's (a flag to try); --only: those loads; --replay: then the
 * 20,000,000-metric replay benchmark under the unit's NODE_OPTIONS (several minutes more).
 * About 5 minutes without it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { startOpcuaServer } from '../../test/helpers/opcua-server.js'
import { startGateway, writeConfig, type Load as SimLoad } from './e2e/gateway-under-test.js'
import { opcuaDeviceYaml } from './e2e/opcua-device.js'
import { cpuSeconds, memory } from './e2e/proc-stats.js'
import { countTraffic, type TrafficCounter } from './e2e/traffic-counter.js'
import { startFieldServer } from './peers/field-server.js'
import { summariseHeap, type HeapGroup } from './peers/heap-summary.js'
import { LOADS } from './peers/load.js'
import { GROUP_ID, startSystem } from './peers/systems.js'

const MiB = 1024 * 1024
const unitFile = fileURLToPath(new URL('../../../deploy/sparkplug-gateway.service', import.meta.url))
const replayBench = fileURLToPath(new URL('./replay.js', import.meta.url))
const PROBE = pathToFileURL(fileURLToPath(new URL('./peers/memory-probe.js', import.meta.url))).href
const { values } = parseArgs({ options: { 'node-flags': { type: 'string', default: '' }, only: { type: 'string' }, replay: { type: 'boolean', default: false } } })
const LOAD_NAMES = ['idle', 'points', '100k', 'opcua', 'saturation'] as const
const only = values.only?.split(',') ?? [...LOAD_NAMES]
const unknown = only.filter((name) => !(LOAD_NAMES as readonly string[]).includes(name))
if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: expected some of ${LOAD_NAMES.join(',')}`)
const wanted = (name: typeof LOAD_NAMES[number]) => only.includes(name)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number) => (bytes / MiB).toFixed(1)
const split = (flags: string) => flags.split(' ').filter((f) => f !== '')

/** The unit's Environment= lines as a map (the last of a name wins, as in systemd). */
function unitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of readFileSync(unitFile, 'utf8').split('\n')) {
    // Environment=NAME=value or Environment="NAME=value with spaces" (one assignment a line here).
    const match = /^Environment=(?:"([A-Za-z_][A-Za-z0-9_]*)=([^"]*)"|([A-Za-z_][A-Za-z0-9_]*)=(.*))$/.exec(line.trim())
    if (match) env[(match[1] ?? match[3])!] = (match[2] ?? match[4])!
  }
  return env
}
const { NODE_OPTIONS: unitNodeOptions = '', ...unitEnv } = unitEnvironment()
const gatewayFlags = [...split(unitNodeOptions), ...split(values['node-flags'])]
// Every child inherits these (NODE_ENV=production); NODE_OPTIONS would also reach the test servers, so
// it goes to the gateway's command line only.
Object.assign(process.env, unitEnv)

interface Started {
  readonly pid: number
  readonly output: readonly string[]
  stop(): Promise<unknown>
}

interface Row {
  readonly label: string
  readonly targetMiB: number | null
  readonly rssMean: number
  readonly rssMax: number
  readonly usage: NodeJS.MemoryUsage
  readonly cpu: number
  readonly metricsPerS: number
  readonly live: number
  readonly groups: readonly HeapGroup[]
}

/**
 * Starts one load under the probe, waits for its NBIRTH and `devices` DBIRTHs, warms up, samples RSS every 500 ms over the
 * window, then has the probe write a heap snapshot (after the window: writing it inflates RSS).
 */
async function measure(label: string, targetMiB: number | null, counter: TrafficCounter, timing: { warmupMs: number; windowMs: number; devices: number }, start: (flags: string[]) => Promise<Started>): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-memory-targets-'))
  const file = join(dir, 'probe.jsonl')
  process.env.MEMORY_PROBE_FILE = file
  process.env.MEMORY_PROBE_SNAPSHOT_SIGNAL = '1'
  let running: Started | undefined
  try {
    const births = counter.nextBirth(120_000)
    running = await start(['--import', PROBE, ...gatewayFlags])
    delete process.env.MEMORY_PROBE_FILE
    delete process.env.MEMORY_PROBE_SNAPSHOT_SIGNAL
    const output = running.output
    await births.then(() => counter.deviceBirths(timing.devices, 120_000)).catch((err: Error) => {
      throw new Error(`${label}: ${err.message}; gateway output:\n${output.join('\n')}`)
    })
    await sleep(timing.warmupMs)
    const [cpu0, metrics0, at0] = [cpuSeconds(running.pid), counter.totals().metrics, performance.now()]
    const samples: number[] = []
    for (const end = at0 + timing.windowMs; performance.now() < end; await sleep(500)) samples.push(memory(running.pid).rss)
    const seconds = (performance.now() - at0) / 1000
    const cpu = (cpuSeconds(running.pid) - cpu0) / seconds
    const metricsPerS = (counter.totals().metrics - metrics0) / seconds
    const usage = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as NodeJS.MemoryUsage
    process.kill(running.pid, 'SIGUSR2')
    for (const deadline = Date.now() + 60_000; !existsSync(`${file}.done`); await sleep(250)) {
      if (Date.now() > deadline) throw new Error(`no heap snapshot from ${label} within 60 s`)
    }
    const heap = summariseHeap(`${file}.heapsnapshot`, 6)
    const rssMean = samples.reduce((a, b) => a + b, 0) / samples.length
    console.log(`${label}: RSS mean ${mib(rssMean)} / max ${mib(Math.max(...samples))} MiB, live heap ${mib(heap.total)} MiB, ${(cpu * 100).toFixed(0)} % of a core, ${Math.round(metricsPerS)} updates/s`)
    return { label, targetMiB, rssMean, rssMax: Math.max(...samples), usage, cpu, metricsPerS, live: heap.total, groups: heap.groups }
  } finally {
    delete process.env.MEMORY_PROBE_FILE
    delete process.env.MEMORY_PROBE_SNAPSHOT_SIGNAL
    await running?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A simulator load through startGateway (gateway-e2e's devices), with `extra` device files. */
function simulator(load: SimLoad, brokerUrl: string, extra?: (dir: string) => void) {
  return async (flags: string[]): Promise<Started> => {
    const { dir, file } = writeConfig(load, brokerUrl)
    extra?.(dir)
    const gateway = startGateway(file, flags)
    return { pid: gateway.pid, output: gateway.output, stop: async () => { await gateway.stop(); rmSync(dir, { recursive: true, force: true }) } }
  }
}

/** One OPC UA device of 1,000 monitored items, each changed by the test server every second. */
async function opcuaRow(brokerUrl: string, counter: TrafficCounter): Promise<Row> {
  const opcua = await startOpcuaServer({ bulk: { count: 1_000, periodMs: 1_000 } })
  try {
    const withOpcua = (dir: string) => writeFileSync(join(dir, 'devices', 'opcua.yaml'), opcuaDeviceYaml(opcua.endpoint, join(dir, 'state', 'opcua-pki'), 1_000, 1_000))
    return await measure('one OPC UA device, 1,000 monitored items changing each second', 110, counter, { warmupMs: 15_000, windowMs: 20_000, devices: 1 },
      simulator({ tags: 0, pollMs: 1_000, buffer: 'sqlite' }, brokerUrl, withOpcua))
  } finally {
    await opcua.stop()
  }
}

// Delivery below this share of the offered rate, or a core this busy, is past the saturation point.
const KEEPING_UP = 0.95
const SATURATED_CPU = 0.95
const SATURATION_TAGS = [15_000, 20_000, 30_000, 40_000]

interface Saturation {
  /** The largest step that kept up, and the first that did not (absent when every step kept up). */
  readonly kept?: { readonly tags: number; readonly row: Row }
  readonly beyond?: { readonly tags: number; readonly row: Row | null }
}

const keepsUp = (tags: number, row: Row): boolean => row.cpu < SATURATED_CPU && row.metricsPerS >= tags * 10 * KEEPING_UP

/** More simulator tags at 100 ms until a core is busy or delivery falls behind; adds each step to `rows`. */
async function saturationSteps(brokerUrl: string, counter: TrafficCounter, rows: Row[]): Promise<Saturation> {
  let kept: Saturation['kept']
  for (const tags of SATURATION_TAGS) {
    // Under the unit's heap limit a step may end the gateway (out of heap).
    const row = await measure(`saturation step: ${tags / 1000},000 simulator tags @ 100 ms, SQLite buffer`, null, counter, { warmupMs: 5_000, windowMs: 15_000, devices: tags / 1000 },
      simulator({ tags, pollMs: 100, buffer: 'sqlite' }, brokerUrl)).catch((err: Error) => {
      console.log(`saturation step of ${tags} tags failed: ${err.message.slice(0, 300)}`)
      return null
    })
    if (row !== null) rows.push(row)
    if (row === null || !keepsUp(tags, row)) return { ...(kept === undefined ? {} : { kept }), beyond: { tags, row } }
    kept = { tags, row }
  }
  return kept === undefined ? {} : { kept }
}

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`memory targets under ${unitFile}: node flags ${gatewayFlags.join(' ') || '(none)'}, environment ${JSON.stringify(unitEnv)}`)
console.log(`machine: ${machine}; load average at start ${loadAtStart}\n`)

const broker = await startMosquitto()
const field = await startFieldServer()
const counter = await countTraffic(broker.url, GROUP_ID)
const rows: Row[] = []
let saturation: Saturation | undefined
try {
  const ctx = { brokerUrl: broker.url, brokerPort: broker.port, modbusPort: field.port, peersDir: '' }
  const modbus = (load: typeof LOADS[number]) => (flags: string[]) => startSystem('ours', load, { ...ctx, nodeFlags: flags })
  const steady = { warmupMs: 10_000, windowMs: 20_000, devices: 10 }
  field.setChanging(false)
  if (wanted('idle')) rows.push(await measure('idle: 10 Modbus devices × 100 tags @ 1 s, values unchanged', 65, counter, steady, modbus(LOADS[0]!)))
  field.setChanging(true)
  if (wanted('points')) rows.push(await measure('10,000 Modbus points @ 1 s, every value changing', 100, counter, steady, modbus(LOADS[2]!)))
  if (wanted('100k')) rows.push(await measure('100,000 updates/s: 10 simulator devices × 1,000 tags @ 100 ms, SQLite buffer', 150, counter, steady,
    simulator({ tags: 10_000, pollMs: 100, buffer: 'sqlite' }, broker.url)))
  if (wanted('opcua')) rows.push(await opcuaRow(broker.url, counter))
  if (wanted('saturation')) saturation = await saturationSteps(broker.url, counter, rows)
} finally {
  await counter.close()
  await field.stop()
  await broker.stop()
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim()
console.log(`\n${new Date().toISOString().slice(0, 10)}, ${machine}, commit ${commit}, load average ${loadAtStart} at start, ${loadavg().map((l) => l.toFixed(2)).join(' ')} at end; gateway node flags \`${gatewayFlags.join(' ')}\`\n`)
console.log('| load | RSS mean MiB | RSS max MiB | target MiB | met | live heap after GC MiB | V8 heap used / total | external (arrayBuffers) | RSS − heap total − external | CPU % of a core | delivered updates/s |')
console.log('|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|')
for (const r of rows) {
  const u = r.usage
  const met = r.targetMiB === null ? '–' : r.rssMax <= r.targetMiB * MiB ? 'met' : r.rssMean <= r.targetMiB * MiB ? 'mean only' : '**not met**'
  console.log(`| ${r.label} | ${mib(r.rssMean)} | ${mib(r.rssMax)} | ${r.targetMiB ?? '–'} | ${met} | ${mib(r.live)} | ${mib(u.heapUsed)} / ${mib(u.heapTotal)} | ${mib(u.external)} (${mib(u.arrayBuffers)}) | ${mib(r.rssMean - u.heapTotal - u.external)} | ${(r.cpu * 100).toFixed(0)} | ${Math.round(r.metricsPerS).toLocaleString('en-US')} |`)
}
const perCore = (row: Row) => Math.round(row.metricsPerS / Math.max(row.cpu, 0.01))
const rate = (tags: number, row: Row) => `${(tags * 10).toLocaleString('en-US')}/s offered, ${Math.round(row.metricsPerS).toLocaleString('en-US')} delivered at ${(row.cpu * 100).toFixed(0)} % of a core, RSS mean ${mib(row.rssMean)} / max ${mib(row.rssMax)} MiB, live heap ${mib(row.live)} MiB`
if (saturation?.kept !== undefined) {
  const { tags, row } = saturation.kept
  const ok = perCore(row) >= 200_000 ? 'met' : 'not met'
  console.log(`\nsaturation point, the largest step that kept up: **${perCore(row).toLocaleString('en-US')} updates/s per core** (target ≥ 200,000: ${ok}); ${rate(tags, row)}`)
}
if (saturation?.beyond !== undefined) {
  const { tags, row } = saturation.beyond
  console.log(`next step, fell behind: ${row === null ? `${tags} tags: the gateway failed` : rate(tags, row)}`)
}
for (const r of rows) {
  console.log(`\n*${r.label}*: ${mib(r.live)} MiB live; largest: ${r.groups.map((g) => `${g.name} ${mib(g.bytes)} (${g.count.toLocaleString('en-US')})`).join(', ')}`)
}

if (values.replay) {
  console.log(`\n20,000,000-metric replay (replay benchmark) with NODE_OPTIONS=${unitNodeOptions}\n`)
  const run = spawnSync(process.execPath, [replayBench, tmpdir(), '20000000'], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: unitNodeOptions } })
  if (run.status !== 0) process.exitCode = 1
}
