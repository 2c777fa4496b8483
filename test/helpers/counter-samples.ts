import type { ReceivedMessage } from './durable-observer.js'

/** The simulator's counter origin (drivers/simulator/README.md): value = floor((t - origin) / period). */
export const COUNTER_ORIGIN = Date.UTC(2026, 0, 1)

/** One value of a (counter) metric as a host received it in DDATA or NDATA. */
export interface CounterSample {
  readonly value: number
  /** The metric's timestamp. */
  readonly at: number
  readonly historical: boolean
  /** Carried by a birth: the host has the value, though not as data (history leaves it out). */
  readonly birth?: true
  /** Position of its message in the observer's arrival order. */
  readonly message: number
}

/**
 * Every value of `metric` of `deviceId` (null: the node) in DBIRTH and DDATA (NBIRTH and NDATA),
 * in arrival order, resolving aliases with the latest birth before each message.
 */
export function counterSamples(messages: readonly ReceivedMessage[], deviceId: string | null, metric = 'Counter'): CounterSample[] {
  const [birth, data] = deviceId === null ? ['NBIRTH', 'NDATA'] : ['DBIRTH', 'DDATA']
  let alias: number | undefined
  const out: CounterSample[] = []
  messages.forEach((m, index) => {
    if (m.deviceId !== deviceId) return
    if (m.type === birth) {
      const carried = m.payload.metrics.find((x) => x.name === metric)
      alias = carried?.alias
      if (carried !== undefined && carried.isNull !== true) {
        out.push({ value: Number(carried.value), at: Number(carried.timestamp), historical: false, birth: true, message: index })
      }
    }
    if (m.type !== data) return
    for (const x of m.payload.metrics) {
      if (x.name !== metric && (alias === undefined || x.alias !== alias)) continue
      out.push({ value: Number(x.value), at: Number(x.timestamp), historical: x.isHistorical === true, message: index })
    }
  })
  return out
}

/** What a store-and-forward run delivered, for the test's diagnostics. */
export interface DeliveryCounts {
  readonly first: number
  readonly last: number
  /** Distinct values received. */
  readonly values: number
  readonly live: number
  readonly historical: number
  /** Historical copies of a value that also arrived another time (the rolling-window replay). */
  readonly replayedAgain: number
  /** Values in [first, last] that never arrived. */
  readonly missing: readonly number[]
}

/**
 * Checks the store-and-forward guarantees on a counter's samples and returns the counts; throws
 * on the first violation: a timestamp that is not the reading time of its value, a value sent live
 * twice, copies of a value with different timestamps, live values or a session's backlog out of
 * order, or a value read during `outage` sent live.
 */
export function checkDelivery(
  samples: readonly CounterSample[],
  periodMs: number,
  outage: { readonly from: number; readonly to: number },
  sessionStarts: readonly number[],
): DeliveryCounts {
  if (samples.length === 0) throw new Error('no counter values arrived')
  const byValue = new Map<number, CounterSample[]>()
  for (const s of samples) {
    const expected = Math.floor((s.at - COUNTER_ORIGIN) / periodMs)
    if (expected !== s.value) throw new Error(`value ${s.value} carries timestamp ${new Date(s.at).toISOString()}, when the counter read ${expected}: not its original timestamp`)
    if (s.at >= outage.from && s.at <= outage.to && !s.historical && s.birth !== true) throw new Error(`value ${s.value}, read during the outage, arrived live`)
    byValue.set(s.value, [...(byValue.get(s.value) ?? []), s])
  }
  let replayedAgain = 0
  for (const [value, copies] of byValue) {
    const liveCopies = copies.filter((c) => !c.historical && c.birth !== true).length
    if (liveCopies > 1) throw new Error(`value ${value} arrived live ${liveCopies} times`)
    if (copies.some((c) => c.at !== copies[0]!.at)) throw new Error(`copies of value ${value} carry different timestamps`)
    replayedAgain += copies.length - 1
  }
  const live = samples.filter((s) => !s.historical && s.birth !== true)
  ascending(live, 'live values')
  const session = (s: CounterSample) => sessionStarts.filter((start) => start < s.message).length
  const history = samples.filter((s) => s.historical)
  for (const n of new Set(history.map(session))) ascending(history.filter((s) => session(s) === n), `the backlog of session ${n}`)
  const values = [...byValue.keys()].sort((a, b) => a - b)
  const first = values[0]!
  const last = values[values.length - 1]!
  const missing: number[] = []
  for (let v = first; v <= last; v++) if (!byValue.has(v)) missing.push(v)
  return { first, last, values: values.length, live: live.length, historical: history.length, replayedAgain, missing }
}

function ascending(samples: readonly CounterSample[], what: string): void {
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.value <= samples[i - 1]!.value) throw new Error(`${what} out of order: ${samples[i - 1]!.value} then ${samples[i]!.value}`)
  }
}

/** Compact ranges for messages: [3,4,5,9] -> "3-5, 9". */
export function ranges(values: readonly number[]): string {
  const out: string[] = []
  for (let i = 0; i < values.length; ) {
    let j = i
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++
    out.push(i === j ? `${values[i]}` : `${values[i]}-${values[j]}`)
    i = j + 1
  }
  return out.join(', ') || 'none'
}
