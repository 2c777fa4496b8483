import type { Metric } from '../model/value.js'
import type { OutboxStats } from '../base/status.js'
import { Deadband } from '../normalise/deadband.js'
import type { Outbox } from '../outbox/outbox.js'
import type { NodeMetricDef } from '../node/node-metrics.js'
import type { Recorder } from '../node/recorder.js'
import { ReplayRate } from './replay-rate.js'

/** How often the buffer's node metrics are sampled; each goes out (NDATA) only when it changed. */
export const BUFFER_METRICS_INTERVAL_MS = 10_000

const names = {
  records: 'Gateway/Buffer/Records',
  bytes: 'Gateway/Buffer/Bytes',
  oldestAge: 'Gateway/Buffer/Oldest Age',
  dropped: 'Gateway/Buffer/Dropped',
  replayRate: 'Gateway/Buffer/Replay Rate',
} as const

/** The buffer's node metrics as declared in NBIRTH: counts and bytes as Int64, age in ms, replay in metrics/s. */
export function bufferMetricDefs(): NodeMetricDef[] {
  const int64 = (name: string): NodeMetricDef => ({ name, type: 'Int64', value: 0n, aliased: true, writable: false })
  return [
    int64(names.records),
    int64(names.bytes),
    int64(names.oldestAge),
    int64(names.dropped),
    { name: names.replayRate, type: 'Double', value: 0, aliased: true, writable: false },
  ]
}

/** The current values; the caller reports only the ones that changed. */
export function bufferMetrics(stats: OutboxStats, replayRate: number, now: number): Metric[] {
  const int64 = (name: string, value: number): Metric => ({ name, type: 'Int64', value: BigInt(Math.max(0, Math.round(value))), at: now })
  return [
    int64(names.records, stats.records),
    int64(names.bytes, stats.bytes),
    int64(names.oldestAge, stats.oldestAt === null ? 0 : now - stats.oldestAt),
    int64(names.dropped, stats.dropped),
    { name: names.replayRate, type: 'Double', value: replayRate, at: now },
  ]
}

/**
 * Samples the buffer every interval and records the metrics that changed (NDATA). The births carry
 * the buffer's state from the start, so a restart with a backlog shows it at once. `replayRate()`
 * is the rate of the last sample, the figure /status and /metrics export.
 */
export function startBufferSampler(outbox: Outbox, recorder: Recorder, replayedMetrics: () => number): { stop(): void; replayRate(): number } {
  const deadband = new Deadband()
  const rate = new ReplayRate()
  rate.sample(replayedMetrics(), Date.now())
  const initial = bufferMetrics(outbox.stats(), 0, Date.now())
  for (const metric of initial) deadband.accept(metric.name, metric.value, 0)
  recorder.initial(null, initial)
  const timer = setInterval(() => {
    const now = Date.now()
    recorder.data(null, bufferMetrics(outbox.stats(), rate.sample(replayedMetrics(), now), now).filter((m) => deadband.accept(m.name, m.value, 0)))
  }, BUFFER_METRICS_INTERVAL_MS)
  timer.unref()
  return { stop: () => clearInterval(timer), replayRate: () => rate.current }
}
