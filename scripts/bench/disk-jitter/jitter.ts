/**
 * Scan-start jitter and command latency from the Modbus server's arrival times: the jitter of a
 * scan is the interval since the previous scan start of the same unit minus the poll period, so a
 * scan 300 ms late shows as +300 (and the next one, if the scheduler catches up, as -300).
 */
import type { WriteArrival } from '../peers/modbus-server.js'
import type { CommandSent } from './host.js'

/** A scan that starts this much later than one period after the previous one counts as late. */
export const LATE_MS = 50

export interface Jitter {
  /** Scan starts seen. */
  readonly scans: number
  /** Intervals measured (scans minus one per unit): what a punctual gateway makes one per period per unit. */
  readonly intervals: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** Intervals longer than period + LATE_MS. */
  readonly late: number
}

/** The value at quantile `q` (0..1) of ascending `sorted`, nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export function scanJitter(scanStarts: Readonly<Record<number, readonly number[]>>, periodMs: number): Jitter {
  const deviations: number[] = []
  let scans = 0
  let late = 0
  for (const times of Object.values(scanStarts)) {
    scans += times.length
    for (let i = 1; i < times.length; i++) {
      const jitter = times[i]! - times[i - 1]! - periodMs
      if (jitter > LATE_MS) late++
      deviations.push(Math.abs(jitter))
    }
  }
  deviations.sort((a, b) => a - b)
  return { scans, intervals: deviations.length, p50: quantile(deviations, 0.5), p99: quantile(deviations, 0.99), max: deviations.at(-1) ?? NaN, late }
}

export interface Latency {
  readonly sent: number
  /** Commands whose write reached the server. */
  readonly arrived: number
  readonly p50: number
  readonly max: number
}

/** Pairs each command with the write of the same unit and value (values are unique per run). */
export function commandLatency(sent: readonly CommandSent[], writes: readonly WriteArrival[]): Latency {
  const latencies: number[] = []
  for (const c of sent) {
    const write = writes.find((w) => w.unit === c.unit && w.value === c.value && w.at >= c.at)
    if (write !== undefined) latencies.push(write.at - c.at)
  }
  latencies.sort((a, b) => a - b)
  return { sent: sent.length, arrived: latencies.length, p50: quantile(latencies, 0.5), max: latencies.at(-1) ?? NaN }
}
