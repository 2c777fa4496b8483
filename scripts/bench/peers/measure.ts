/**
 * One measured run of one system on one load: start it, wait until its data arrives, warm up, then
 * over a fixed window count what the subscriber receives and what the Modbus server answered, and
 * read the process's CPU time and resident memory from /proc.
 */
import { loadavg } from 'node:os'
import { cpuSeconds, machineSeconds, memory } from '../e2e/proc-stats.js'
import type { TrafficCounter } from '../e2e/traffic-counter.js'
import type { FieldServer } from './field-server.js'
import { ideal, type Load } from './load.js'
import { startSystem, type Context, type RunningSystem, type SystemName } from './systems.js'

export interface RunResult {
  readonly system: SystemName
  readonly load: Load
  /** Metric updates per second received in DDATA. */
  readonly deliveredPerS: number
  readonly idealPerS: number
  /** Received metrics over (scans the server saw × tags per device): 1 when every change arrived. */
  readonly arrived: number
  /** Scans per second per device, as the server saw them. */
  readonly scansPerS: number
  readonly requestsPerScan: number
  /** CPU seconds (user + system) of the system's process per 1,000 delivered updates. */
  readonly cpuPerThousand: number
  /** Share of one core. */
  readonly cpu: number
  readonly rssMeanMiB: number
  readonly rssMaxMiB: number
  /** Cores used by everything else on the machine during the window. */
  readonly otherCpu: number
  readonly loadBefore: number
  readonly loadAfter: number
}

export interface MeasureOptions {
  readonly ctx: Context
  readonly server: FieldServer
  readonly counter: TrafficCounter
  readonly warmupMs: number
  readonly windowMs: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const MiB = 1024 * 1024

/** Resolves once `count` more metrics have arrived than when called; throws after `timeoutMs`. */
export async function firstData(counter: TrafficCounter, system: RunningSystem, count: number, timeoutMs: number): Promise<void> {
  const start = counter.totals().metrics
  const deadline = Date.now() + timeoutMs
  while (counter.totals().metrics - start < count) {
    if (Date.now() > deadline) throw new Error(`no data within ${timeoutMs / 1000} s; its output:\n${system.output.join('\n')}`)
    await sleep(100)
  }
}

export async function measureRun(system: SystemName, load: Load, o: MeasureOptions): Promise<RunResult> {
  const loadBefore = loadavg()[0]!
  o.server.setChanging(true)
  const running = await startSystem(system, load, o.ctx)
  try {
    await firstData(o.counter, running, load.devices * load.tagsPerDevice, 60_000)
    await sleep(o.warmupMs)
    const before = { totals: o.counter.totals(), server: await o.server.stats(), cpu: cpuSeconds(running.pid), machine: machineSeconds(), at: performance.now() }
    const rss: number[] = []
    const end = before.at + o.windowMs
    while (performance.now() < end) {
      await sleep(Math.min(1000, end - performance.now()))
      rss.push(memory(running.pid).rss / MiB)
    }
    const seconds = (performance.now() - before.at) / 1000
    const metrics = o.counter.totals().metrics - before.totals.metrics
    const server = await o.server.stats()
    const cpu = cpuSeconds(running.pid) - before.cpu
    const machine = machineSeconds()
    o.counter.check()
    const scans = server.scans - before.server.scans
    return {
      system,
      load,
      deliveredPerS: metrics / seconds,
      idealPerS: ideal(load),
      arrived: metrics / (scans * load.tagsPerDevice),
      scansPerS: scans / load.devices / seconds,
      requestsPerScan: (server.requests - before.server.requests) / scans,
      cpuPerThousand: cpu / (metrics / 1000),
      cpu: cpu / seconds,
      rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length,
      rssMaxMiB: Math.max(...rss),
      otherCpu: Math.max(0, machine.busy - before.machine.busy - cpu) / seconds,
      loadBefore,
      loadAfter: loadavg()[0]!,
    }
  } finally {
    await running.stop()
  }
}

/** Resident memory and CPU share of one core, one sample per `everyMs`, for `samples` samples. */
export interface SoakSample {
  readonly minute: number
  readonly rssMiB: number
  readonly cpu: number
}

export async function soak(system: SystemName, load: Load, o: MeasureOptions, samples: number, everyMs: number): Promise<SoakSample[]> {
  o.server.setChanging(true)
  const running = await startSystem(system, load, o.ctx)
  try {
    await firstData(o.counter, running, load.devices * load.tagsPerDevice, 60_000)
    const out: SoakSample[] = [{ minute: 0, rssMiB: memory(running.pid).rss / MiB, cpu: 0 }]
    let cpu = cpuSeconds(running.pid)
    for (let i = 1; i <= samples; i++) {
      await sleep(everyMs)
      const now = cpuSeconds(running.pid)
      out.push({ minute: (i * everyMs) / 60_000, rssMiB: memory(running.pid).rss / MiB, cpu: (now - cpu) / (everyMs / 1000) })
      cpu = now
    }
    o.counter.check()
    return out
  } finally {
    await running.stop()
  }
}
