/**
 * Does a slow disk delay scans and commands? Our gateway polls 10 Modbus TCP
 * devices x 100 tags (the peers load, every value changing at every scan) with its state
 * directory (bdseq, SQLite buffer) on a small ext4 file system throttled to a few write IOPS
 * (see slow-disk.ts), and publishes to a local mosquitto, which is up (the outbox commits every
 * 200 ms as data flows) or stopped after the births (the outbox grows). Measured at the Modbus
 * server, independent of the gateway's clocks: the start of every scan of every unit, and the
 * arrival of the register write each DCMD sent every 2 s asks for.
 *   npm run bench -- disk-jitter [--iops 10] [--seconds 60] [--period 100,1000] [--runs 1]
 *        [--durability power|process] [--broker up|down|up,down] [--broker-down] [--reference]
 * --reference adds the same runs on the unthrottled disk. Needs root (loop device, mount, blkio).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startMosquitto, type Broker } from '../../test/helpers/mosquitto.js'
import { freePort } from '../../test/helpers/ports.js'
import { connectBenchHost, type CommandSent } from './disk-jitter/host.js'
import { commandLatency, LATE_MS, scanJitter, type Jitter, type Latency } from './disk-jitter/jitter.js'
import { OTHER_WAYS, openSlowDisk, unavailableReason, type SlowDisk } from '../../test/helpers/slow-disk.js'
import { cpuSeconds } from './e2e/proc-stats.js'
import { startFieldServer, type FieldServer } from './peers/field-server.js'
import type { Load } from './peers/load.js'
import type { WriteArrival } from './peers/modbus-server.js'
import { GROUP_ID, startSystem } from './peers/systems.js'

const { values } = parseArgs({
  options: {
    iops: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    period: { type: 'string', default: '100,1000' },
    runs: { type: 'string', default: '1' },
    durability: { type: 'string', default: 'power' },
    broker: { type: 'string', default: 'up' },
    'broker-down': { type: 'boolean', default: false },
    reference: { type: 'boolean', default: false },
  },
})

function count(name: string, text: string, min: number, max: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name}: a whole number from ${min} to ${max}, got "${text}"`)
    process.exit(2)
  }
  return n
}
const iops = count('iops', values.iops, 1, 100_000)
const windowMs = count('seconds', values.seconds, 5, 3600) * 1000
const periods = values.period.split(',').map((p) => count('period', p, 10, 60_000))
const runs = count('runs', values.runs, 1, 100)
if (values.durability !== 'power' && values.durability !== 'process') {
  console.error(`--durability: power or process, got "${values.durability}"`)
  process.exit(2)
}
const durability: 'power' | 'process' = values.durability
const brokerStates = (values['broker-down'] ? 'down' : values.broker).split(',')
for (const b of brokerStates) {
  if (b !== 'up' && b !== 'down') {
    console.error(`--broker: up, down or up,down, got "${b}"`)
    process.exit(2)
  }
}

const DEVICES = 10
const NODE_ID = 'GW'
// HR39: not HR0, so the read-back after a write is not taken for a scan start.
const WRITE_TAG = 'U16/T39'
const COMMAND_EVERY_MS = 2000
const WARMUP_MS = 10_000
const DISK_MiB = 512
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const root = fileURLToPath(new URL('../../../', import.meta.url))

interface Variant {
  readonly iops: number
  readonly periodMs: number
  readonly broker: 'up' | 'down'
}
interface Result extends Variant {
  readonly durability: string
  readonly probeFsyncMs: number
  readonly jitter: Jitter
  /** Scan intervals a punctual gateway would have made in the window (all units). */
  readonly expectedIntervals: number
  readonly commands: Latency | null
  readonly cpuPercent: number
  /** Size of buffer.db and its WAL at the end of the window. */
  readonly bufferMiB: number
  /** Scans the gateway gave up on as "no reply within the timeout" during the window. */
  readonly timeouts: number
  readonly loadBefore: number
  readonly loadAfter: number
}

/** Scans of all devices that timed out so far, from the gateway's /metrics. */
async function deviceTimeouts(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
  return [...text.matchAll(/^sparkplug_gateway_device_timeouts_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

/** Bytes of the buffer's files (database, WAL, shared memory) in `stateDir`. */
function bufferBytes(stateDir: string): number {
  return readdirSync(stateDir).filter((f) => f.startsWith('buffer.db')).reduce((sum, f) => sum + statSync(join(stateDir, f)).size, 0)
}

async function measure(v: Variant, disk: SlowDisk, server: FieldServer, broker: Broker, run: number): Promise<Result> {
  const load: Load = { label: `10 x 100 @ ${v.periodMs} ms`, devices: DEVICES, tagsPerDevice: 100, pollMs: v.periodMs }
  const runDir = join(disk.dir, `run-${run}`)
  const stateDir = join(runDir, 'state')
  mkdirSync(stateDir, { recursive: true })
  execFileSync('sync')
  if (v.iops > 0) disk.throttle(v.iops)
  const probeFsyncMs = disk.probeFsyncMs()
  const loadBefore = loadavg()[0]!
  const host = await connectBenchHost(broker.url, GROUP_ID, NODE_ID)
  const httpPort = await freePort()
  const gateway = await startSystem('ours', load, {
    brokerUrl: broker.url, brokerPort: broker.port, modbusPort: server.port, peersDir: '', stateDir, durability, httpPort, writableTags: [WRITE_TAG],
  })
  try {
    await host.births(DEVICES, 90_000).catch((error: Error) => {
      throw new Error(`${error.message}; gateway output:\n${gateway.output.join('\n')}`)
    })
    if (v.broker === 'down') await broker.stop()
    await sleep(WARMUP_MS)
    await server.times()
    const timeoutsBefore = await deviceTimeouts(httpPort)
    const cpuBefore = cpuSeconds(gateway.pid)
    const started = performance.now()
    const startedAt = Number(process.hrtime.bigint()) / 1e6
    const sent: CommandSent[] = []
    for (let i = 0; performance.now() - started < windowMs; i++) {
      if (v.broker === 'up') sent.push(await host.write((i % DEVICES) + 1, WRITE_TAG, i + 1))
      await sleep(Math.max(0, Math.min(started + (i + 1) * COMMAND_EVERY_MS, started + windowMs) - performance.now()))
    }
    const times = await server.times()
    const seconds = (performance.now() - started) / 1000
    const cpuPercent = ((cpuSeconds(gateway.pid) - cpuBefore) / seconds) * 100
    const bufferMiB = bufferBytes(stateDir) / 1024 / 1024
    const timeouts = (await deviceTimeouts(httpPort)) - timeoutsBefore
    const writes: WriteArrival[] = [...times.writes]
    // Commands sent near the end of the window may reach the device after it.
    for (let waited = 0; waited < 10_000 && writes.length < sent.length; waited += 500) {
      await sleep(500)
      writes.push(...(await server.times()).writes)
    }
    const missing = sent.filter((c) => !writes.some((w) => w.unit === c.unit && w.value === c.value))
    if (missing.length > 0) {
      const when = missing.map((c) => `Dev${c.unit}=${c.value} at ${((c.at - startedAt) / 1000).toFixed(1)} s`).join(', ')
      console.error(`\n${missing.length} command(s) never reached the device: ${when}; gateway's last lines:\n${gateway.output.join('\n')}`)
    }
    if (times.dropped > 0) console.error(`warning: the Modbus server dropped ${times.dropped} times (more than it holds)`)
    return {
      ...v,
      durability,
      probeFsyncMs,
      jitter: scanJitter(times.scanStarts, v.periodMs),
      expectedIntervals: Math.round((DEVICES * seconds * 1000) / v.periodMs),
      commands: v.broker === 'up' ? commandLatency(sent, writes) : null,
      cpuPercent,
      bufferMiB,
      timeouts,
      loadBefore,
      loadAfter: loadavg()[0]!,
    }
  } finally {
    await gateway.stop()
    await host.close()
    if (v.broker === 'down') await broker.start()
    disk.throttle(0)
    rmSync(runDir, { recursive: true, force: true })
  }
}

const fmt = (x: number, digits = 0) => (Number.isNaN(x) ? '–' : x.toFixed(digits))
const diskLabel = (r: Result) => (r.iops === 0 ? 'unthrottled' : `${r.iops} write IOPS`)

function row(r: Result): string {
  const j = r.jitter
  const c = r.commands
  const commands = c === null ? '– (broker down)' : `${fmt(c.p50)} / ${fmt(c.max)} (${c.arrived}/${c.sent})`
  return `| ${diskLabel(r)} | ${fmt(r.probeFsyncMs)} | ${r.periodMs} ms | ${r.durability} | ${r.broker} | ${j.intervals} / ${r.expectedIntervals} | ${fmt(j.p50, 1)} / ${fmt(j.p99, 1)} / ${fmt(j.max, 1)} | ${j.late} | ${r.timeouts} | ${commands} | ${fmt(r.cpuPercent, 1)} | ${fmt(r.bufferMiB, 1)} | ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)} |`
}

function commit(): string {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

const why = unavailableReason()
if (why !== null) {
  console.error(`disk-jitter: cannot slow a disk here: ${why}.\n${OTHER_WAYS}`)
  process.exit(1)
}
const disk = openSlowDisk(DISK_MiB)
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(`slowed disk: ${DISK_MiB} MiB ext4 on ${disk.device} (${disk.majMin}), blkio write_iops_device ${iops}; commit ${commit()}`)
const broker = await startMosquitto()
const server = await startFieldServer()
const variants: Variant[] = []
for (let run = 1; run <= runs; run++) {
  for (const periodMs of periods) {
    for (const b of brokerStates as ('up' | 'down')[]) {
      variants.push({ iops, periodMs, broker: b })
      if (values.reference) variants.push({ iops: 0, periodMs, broker: b })
    }
  }
}
const results: Result[] = []
try {
  for (const [i, v] of variants.entries()) {
    process.stdout.write(`run ${i + 1}/${variants.length}: ${v.iops === 0 ? 'unthrottled' : `${v.iops} IOPS`}, ${v.periodMs} ms, broker ${v.broker}, ${durability} (load average ${loadavg()[0]!.toFixed(2)}) ... `)
    const r = await measure(v, disk, server, broker, i + 1)
    console.log(`fsync ${fmt(r.probeFsyncMs)} ms, jitter p99 ${fmt(r.jitter.p99, 1)} max ${fmt(r.jitter.max, 1)} ms, ${r.jitter.late} late of ${r.jitter.scans}`)
    results.push(r)
  }
} finally {
  await server.stop()
  await broker.stop()
  disk.close()
}
console.log([
  '',
  `${windowMs / 1000} s windows after ${WARMUP_MS / 1000} s warm-up; jitter = |interval between scan starts of a unit − period| at the Modbus server; late = more than ${LATE_MS} ms late; commands: DCMD every ${COMMAND_EVERY_MS / 1000} s, publish → write at the server`,
  '',
  '| disk | 4 KiB write+fsync ms | period | durability | broker | scan intervals seen / expected | jitter p50 / p99 / max ms | late scans | scan timeouts (gateway) | command ms p50 / max (arrived/sent) | gateway CPU % | buffer files MiB at end | load avg before → after |',
  '|---|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ...results.map(row),
].join('\n'))
console.log(JSON.stringify({ benchmark: 'disk-jitter', commit: commit(), date: new Date().toISOString(), windowMs, results }))
