/**
 * Where the gateway's memory goes (measuring only):
 * 1. import cost: a fresh `node --expose-gc` imports one package (as the gateway imports it) and
 *    reports the growth of RSS and V8 heap after a full GC, median of several processes;
 * 2. the breakdown of RSS into V8 heap used/total, external and arrayBuffers (process.memoryUsage()
 *    from a preloaded probe) for the idle 10 x 100 Modbus gateway and the 100,000 updates/s run;
 * 3. a heap snapshot of each, summarised by constructor.
 *   npm run bench -- footprint [--quick] [--node-flags="..."]
 * --quick: 3 processes per import instead of 5; --node-flags go to the gateway's node (heap limits);
 * --skip-imports: only the running gateway; --imports-only: only the import costs.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { startGateway, writeConfig } from './e2e/gateway-under-test.js'
import { cpuSeconds, memory } from './e2e/proc-stats.js'
import { countTraffic } from './e2e/traffic-counter.js'
import { startFieldServer } from './peers/field-server.js'
import { summariseHeap } from './peers/heap-summary.js'
import { LOADS } from './peers/load.js'
import { firstData } from './peers/measure.js'
import { GROUP_ID, startSystem } from './peers/systems.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const PROBE = pathToFileURL(fileURLToPath(new URL('./peers/memory-probe.js', import.meta.url))).href
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'node-flags': { type: 'string' }, 'skip-imports': { type: 'boolean', default: false }, 'imports-only': { type: 'boolean', default: false } } })
const quick = values.quick
const flags = ['--import', PROBE, ...(values['node-flags']?.split(' ').filter((f) => f !== '') ?? [])]
const MiB = 1024 * 1024
const mib = (bytes: number) => (bytes / MiB).toFixed(1)
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// What the gateway imports, each alone; a statement after the import makes a package do the work
// it defers to first use (better-sqlite3 loads its addon at the first Database).
const IMPORTS: readonly { readonly label: string; readonly code: string }[] = [
  { label: '(nothing: bare node)', code: '' },
  { label: 'mqtt', code: "await import('mqtt')" },
  // mqtt.connect builds its table of every transport (ws, socks, ip-address) at the first connect.
  { label: 'mqtt + first mqtt.connect (every transport)', code: "const { default: m } = await import('mqtt'); m.connect('mqtt://127.0.0.1:1', { manualConnect: true })" },
  { label: 'dist/gateway/upstream/mqtt-connect.js + first connect (as the gateway connects mqtt://)', code: `const { connectMqtt } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/upstream/mqtt-connect.js')).href)}); connectMqtt('mqtt://127.0.0.1:1', { manualConnect: true })` },
  { label: 'dist/gateway/upstream/mqtt-upstream.js (the MQTT upstream)', code: `await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/upstream/mqtt-upstream.js')).href)})` },
  { label: 'nats', code: "await import('nats')" },
  // mqtt-packet's 65,536 two-byte Buffers for packet ids, built at the client's first write unless
  // the client is given `writeCache: false`.
  { label: 'mqtt-packet number cache (mqtt default writeCache: true)', code: "const { default: n } = await import('mqtt-packet/numbers.js'); n.generateCache()" },
  { label: 'modbus-serial', code: "await import('modbus-serial')" },
  { label: 'serialport (modbus-serial RTU bindings)', code: "await import('serialport')" },
  { label: 'yaml', code: "await import('yaml')" },
  { label: 'better-sqlite3 + one :memory: database', code: "const { default: D } = await import('better-sqlite3'); new D(':memory:')" },
  { label: 'aedes', code: "await import('aedes')" },
  { label: 'sparkplug-payload proto (protobufjs)', code: "await import('sparkplug-payload/lib/sparkplugPayloadProto.js')" },
  { label: 'dist/drivers/registry.js (every driver)', code: `await import(${JSON.stringify(pathToFileURL(join(root, 'dist/drivers/registry.js')).href)})` },
  { label: 'node-opcua-client + certificate manager (the OPC UA session, only with an OPC UA device)', code: "await import('node-opcua-client'); await import('node-opcua-certificate-manager')" },
  { label: 'dist/gateway/cli/run.js (the run verb, before the upstream and drivers load)', code: `await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/cli/run.js')).href)})` },
  { label: 'dist/gateway/main.js (the run path before the upstream and drivers connect)', code: `await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/main.js')).href)})` },
  { label: 'the run path of a Modbus gateway to mqtt:// (main.js, the MQTT upstream at its first connect, modbus-serial)', code: `await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/main.js')).href)}); await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/upstream/mqtt-upstream.js')).href)}); const { connectMqtt } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/gateway/upstream/mqtt-connect.js')).href)}); connectMqtt('mqtt://127.0.0.1:1', { manualConnect: true }); await import('modbus-serial')` },
]

/** Growth of RSS and heap used across the import, and RSS before it, in bytes. */
function importCost(code: string): { rss: number; heap: number; base: number } {
  const script = `gc(); const a = process.memoryUsage(); ${code}; gc(); await new Promise((r) => setTimeout(r, 50)); gc(); const b = process.memoryUsage(); console.log(JSON.stringify({ rss: b.rss - a.rss, heap: b.heapUsed - a.heapUsed, base: a.rss }))`
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
  // A package may print on stdout as it loads (node-opcua's warnings): the figures are the JSON line.
  return JSON.parse(out.split('\n').findLast((line) => line.startsWith('{"rss"'))!) as { rss: number; heap: number; base: number }
}


interface Breakdown {
  readonly label: string
  readonly rss: number
  readonly usage: NodeJS.MemoryUsage
  /** Share of one core over the 10 s before the reading. */
  readonly cpu: number
  readonly heap: ReturnType<typeof summariseHeap>
}

/**
 * Runs a process under the probe: reads its memory `seconds` - 4 after the spawn, then has it write
 * a heap snapshot (which itself inflates RSS, hence after the reading).
 */
async function breakdown(label: string, seconds: number, start: (env: Record<string, string>) => Promise<{ pid: number; stop(): Promise<unknown> }>): Promise<Breakdown> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-footprint-'))
  const file = join(dir, 'probe.jsonl')
  const spawnedAt = performance.now()
  const running = await start({ MEMORY_PROBE_FILE: file, MEMORY_PROBE_SNAPSHOT_MS: String((seconds - 3) * 1000) })
  try {
    await sleep(spawnedAt + (seconds - 14) * 1000 - performance.now())
    const cpuBefore = cpuSeconds(running.pid)
    await sleep(spawnedAt + (seconds - 4) * 1000 - performance.now())
    const cpu = (cpuSeconds(running.pid) - cpuBefore) / 10
    const rss = memory(running.pid).rss
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    const usage = JSON.parse(lines.at(-1)!) as NodeJS.MemoryUsage
    const deadline = Date.now() + 60_000
    while (!existsSync(`${file}.done`)) {
      if (Date.now() > deadline) throw new Error(`no heap snapshot from ${label} within 60 s`)
      await sleep(500)
    }
    return { label, rss, usage, cpu, heap: summariseHeap(`${file}.heapsnapshot`, 12) }
  } finally {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (flags.length > 2) console.log(`gateway node flags: ${flags.slice(2).join(' ')}`)
console.log(`import cost: median of ${quick ? 3 : 5} fresh processes (node ${process.version})\n`)
console.log('| import | RSS growth MiB | V8 heap used growth MiB |')
console.log('|---|--:|--:|')
for (const { label, code } of values['skip-imports'] ? [] : IMPORTS) {
  const runs = Array.from({ length: quick ? 3 : 5 }, () => importCost(code))
  const rss = label.startsWith('(nothing') ? median(runs.map((r) => r.base)) : median(runs.map((r) => r.rss))
  console.log(`| ${label} | ${label.startsWith('(nothing') ? `${mib(rss)} (RSS at start)` : mib(rss)} | ${mib(median(runs.map((r) => r.heap)))} |`)
}

if (values['imports-only']) process.exit(0)
const broker = await startMosquitto()
const server = await startFieldServer()
const counter = await countTraffic(broker.url, GROUP_ID)
const results: Breakdown[] = []
try {
  const ctx = { brokerUrl: broker.url, brokerPort: broker.port, modbusPort: server.port, peersDir: '', nodeFlags: flags }
  server.setChanging(false)
  results.push(await breakdown('idle: 10 Modbus devices x 100 tags, values unchanged, poll 1 s', 30, (env) => startSystem('ours', LOADS[0]!, { ...ctx, env })))
  server.setChanging(true)
  // The QoS 0 replay window keeps what was sent in the last 45 s (by default) in the pump's
  // in-flight list; the second run (without node flags only) shows how much of the memory that is.
  for (const replayWindow of flags.length > 2 ? [undefined] : [undefined, '1s']) {
    const label = `10,000 Modbus points at 1 s, every value changing${replayWindow === undefined ? '' : `, replayWindow ${replayWindow}`}`
    results.push(await breakdown(label, 40, async (env) => {
      const running = await startSystem('ours', LOADS[2]!, { ...ctx, env, ...(replayWindow === undefined ? {} : { replayWindow }) })
      await firstData(counter, running, 10_000, 30_000)
      return running
    }))
  }
  results.push(await breakdown('100,000 updates/s: 10 simulator devices x 1,000 tags, poll 100 ms, SQLite buffer', 30, async (env) => {
    const { dir, file } = writeConfig({ tags: 10_000, pollMs: 100, buffer: 'sqlite' }, broker.url)
    Object.assign(process.env, env)
    const gateway = startGateway(file, flags)
    for (const key of Object.keys(env)) delete process.env[key]
    await firstData(counter, { pid: gateway.pid, output: gateway.output, stop: async () => undefined }, 10_000, 30_000)
    return { pid: gateway.pid, stop: async () => { await gateway.stop(); rmSync(dir, { recursive: true, force: true }) } }
  }))
} finally {
  await counter.close()
  await server.stop()
  await broker.stop()
}

console.log('\n| scenario | CPU % of a core | RSS MiB | V8 heap used | V8 heap total | external | of which arrayBuffers | RSS − heap total − external |')
console.log('|---|--:|--:|--:|--:|--:|--:|--:|')
for (const r of results) {
  const u = r.usage
  console.log(`| ${r.label} | ${(r.cpu * 100).toFixed(1)} | ${mib(r.rss)} | ${mib(u.heapUsed)} | ${mib(u.heapTotal)} | ${mib(u.external)} | ${mib(u.arrayBuffers)} | ${mib(r.rss - u.heapTotal - u.external)} |`)
}
for (const r of results) {
  console.log(`\nheap snapshot, ${r.label}: ${mib(r.heap.total)} MiB live, top by self size\n`)
  console.log('| constructor or kind | count | MiB |')
  console.log('|---|--:|--:|')
  for (const g of r.heap.groups) console.log(`| ${g.name.replace(/\|/g, '\\|')} | ${g.count.toLocaleString('en-US')} | ${mib(g.bytes)} |`)
}
