import { createRandomWalk } from '../../drivers/simulator/signals.js'
import { counterSamples, type CounterSample } from './counter-samples.js'
import type { ReceivedMessage } from './durable-observer.js'
import { WALK } from './sim-device.js'

/** One reading of the Walk tag as it arrived: `index` is its position in the gateway's reads (0 = first read). */
export interface Reading extends Omit<CounterSample, 'value'> {
  readonly index: number
}

/** What a run delivered of the readings the gateway took. */
export interface ReadingCounts {
  readonly first: number
  readonly last: number
  /** Reads in [first, last] whose value never arrived: lost between the driver and the host. */
  readonly missing: readonly number[]
}

const MAX_READS = 100_000
let sequence: Map<number, number> | null = null

/** Position of `value` in the Walk's sequence of reads; throws for a value the Walk never produces. */
function indexOf(value: number): number {
  if (sequence === null) {
    sequence = new Map()
    const next = createRandomWalk(WALK)
    for (let i = 0; i < MAX_READS; i++) sequence.set(next(), i)
  }
  const index = sequence.get(value)
  if (index === undefined) throw new Error(`Walk value ${value} is not one of the first ${MAX_READS} reads`)
  return index
}

/**
 * Every Walk reading of `deviceId` in DDATA, in arrival order. One gateway process only: a
 * restarted gateway starts the sequence again.
 */
export function readingsOf(messages: readonly ReceivedMessage[], deviceId: string): Reading[] {
  return counterSamples(messages, deviceId, WALK.name).map(({ value, ...rest }) => ({ ...rest, index: indexOf(value) }))
}

/**
 * Counts the reads between the first and the last that arrived. The Walk steps once per read and
 * the deadband is 0, so every read is a record: a gap is a record lost, never a read the machine
 * was too busy to take.
 */
export function countReadings(readings: readonly Reading[]): ReadingCounts {
  if (readings.length === 0) throw new Error('no Walk readings arrived')
  const seen = new Set(readings.map((r) => r.index))
  const first = Math.min(...seen)
  const last = Math.max(...seen)
  const missing: number[] = []
  for (let i = first; i <= last; i++) if (!seen.has(i)) missing.push(i)
  return { first, last, missing }
}
