/**
 * One steady-state measurement: start the gateway on a load, wait for every birth, let it warm
 * up, then measure delivery, CPU and memory over a fixed window and stop it.
 */
import { rmSync } from 'node:fs'
import { cpuSeconds, machineSeconds, memory } from './proc-stats.js'
import { deviceCount, offered, startGateway, writeConfig, type Load } from './gateway-under-test.js'
import type { TrafficCounter } from './traffic-counter.js'

export interface SteadyResult {
  /** What was measured. */
  readonly load: Load
  /** Metric updates per second the load offers. */
  readonly offered: number
  /** Metric updates per second the subscriber received. */
  readonly metricsPerS: number
  /** DATA messages per second received. */
  readonly messagesPerS: number
  /** Payload bytes per second received. */
  readonly bytesPerS: number
  /** Gateway CPU over the window as a fraction of one core. */
  readonly cpu: number
  /** Highest VmRSS sampled in the window, bytes. */
  readonly rssMax: number
  /** VmHWM at the end of the window: the peak since the process started, bytes. */
  readonly rssPeak: number
  /** VmRSS at the end of the window, bytes. */
  readonly rssEnd: number
  /** Median of read time to arrival over the window, ms. */
  readonly lagP50: number
  /** 99th percentile of read time to arrival over the window, ms. */
  readonly lagP99: number
  /** CPU of the broker over the window, in cores. */
  readonly brokerCpu: number
  /** CPU of this process (the subscriber), in cores. */
  readonly subscriberCpu: number
  /** CPU of everything else on the machine, in cores: other people's work. */
  readonly otherCpu: number
}

export interface SteadyOptions {
  /** mqtt://127.0.0.1:<port> of the broker the gateway publishes to. */
  readonly brokerUrl: string
  /** The broker's PID, for its CPU time. */
  readonly brokerPid: number
  /** A subscriber already connected to that broker. */
  readonly counter: TrafficCounter
  /** Time after the last DBIRTH before the window opens. */
  readonly warmupMs: number
  /** Length of the measured window. */
  readonly windowMs: number
  /** Extra node flags for the gateway process (--cpu-prof ...). */
  readonly nodeFlags?: readonly string[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

export async function measureSteady(load: Load, o: SteadyOptions): Promise<SteadyResult> {
  const { dir, file } = writeConfig(load, o.brokerUrl)
  const births = o.counter.nextBirth(20_000)
  const gateway = startGateway(file, o.nodeFlags)
  try {
    await births
    await o.counter.deviceBirths(deviceCount(load), 20_000)
    await sleep(o.warmupMs)

    const before = { totals: o.counter.totals(), gw: cpuSeconds(gateway.pid), broker: cpuSeconds(o.brokerPid), self: process.cpuUsage(), machine: machineSeconds(), at: performance.now() }
    o.counter.takeLags()
    let rssMax = 0
    const end = before.at + o.windowMs
    while (performance.now() < end) {
      rssMax = Math.max(rssMax, memory(gateway.pid).rss)
      await sleep(Math.min(500, Math.max(0, end - performance.now())))
    }
    const seconds = (performance.now() - before.at) / 1000
    const totals = o.counter.totals()
    const gwCpu = cpuSeconds(gateway.pid) - before.gw
    const brokerCpu = cpuSeconds(o.brokerPid) - before.broker
    const self = process.cpuUsage(before.self)
    const selfCpu = (self.user + self.system) / 1e6
    const machine = machineSeconds()
    const mem = memory(gateway.pid)
    const lags = o.counter.takeLags()
    o.counter.check()
    const busy = machine.busy - before.machine.busy
    return {
      load,
      offered: offered(load),
      metricsPerS: (totals.metrics - before.totals.metrics) / seconds,
      messagesPerS: (totals.dataMessages - before.totals.dataMessages) / seconds,
      bytesPerS: (totals.bytes - before.totals.bytes) / seconds,
      cpu: gwCpu / seconds,
      rssMax: Math.max(rssMax, mem.rss),
      rssPeak: mem.peak,
      rssEnd: mem.rss,
      lagP50: percentile(lags, 0.5),
      lagP99: percentile(lags, 0.99),
      brokerCpu: brokerCpu / seconds,
      subscriberCpu: selfCpu / seconds,
      otherCpu: Math.max(0, busy - gwCpu - brokerCpu - selfCpu) / seconds,
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}; gateway output:\n${gateway.output.join('\n')}`)
  } finally {
    await gateway.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Milliseconds from spawn to NBIRTH, and to the last DBIRTH, for each of `runs` starts of one config. */
export async function measureStartup(load: Load, runs: number, brokerUrl: string, counter: TrafficCounter): Promise<{ nbirth: number[]; allBirths: number[] }> {
  const { dir, file } = writeConfig(load, brokerUrl)
  const nbirth: number[] = []
  const allBirths: number[] = []
  try {
    for (let r = 0; r < runs; r++) {
      const births = counter.nextBirth(20_000)
      const gateway = startGateway(file)
      try {
        nbirth.push((await births) - gateway.startedAt)
        allBirths.push((await counter.deviceBirths(deviceCount(load), 20_000)) - gateway.startedAt)
      } catch (error) {
        throw new Error(`${(error as Error).message}; gateway output:\n${gateway.output.join('\n')}`)
      } finally {
        await gateway.stop()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { nbirth, allBirths }
}
