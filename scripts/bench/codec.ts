/**
 * Codec throughput: encodes and decodes a 500-metric DDATA payload (alias-only metrics of the
 * common types, as the pump sends them) and prints metrics/s per direction, the median of
 * several runs. Run: `npm run build && node dist/scripts/bench/codec.js`.
 */
import { decodePayload, encodePayload } from '../../gateway/sparkplug/codec.js'
import type { Payload, PayloadMetric } from '../../gateway/sparkplug/payload.js'

const METRICS = 500
const RUNS = 7
const MIN_RUN_MS = 300

function ddata(): Payload {
  const now = Date.now()
  const metrics: PayloadMetric[] = []
  for (let i = 0; i < METRICS; i++) {
    const timestamp = now + i
    switch (i % 5) {
      case 0: metrics.push({ alias: i, timestamp, datatype: 'Float', value: i * 0.5 }); break
      case 1: metrics.push({ alias: i, timestamp, datatype: 'Int32', value: -i }); break
      case 2: metrics.push({ alias: i, timestamp, datatype: 'Boolean', value: i % 2 === 0 }); break
      case 3: metrics.push({ alias: i, timestamp, datatype: 'Int64', value: BigInt(i) * 1000000n }); break
      default: metrics.push({ alias: i, timestamp, datatype: 'UInt16', value: i & 0xffff })
    }
  }
  return { timestamp: now, seq: 7, metrics }
}

function rate(work: () => void): number {
  let iterations = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < MIN_RUN_MS) {
    work()
    iterations++
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
  }
  return (iterations * METRICS) / (elapsed / 1000)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const payload = ddata()
const options = { uint32Field: 'int_value' } as const
const bytes = encodePayload(payload, options)
for (let i = 0; i < 200; i++) decodePayload(encodePayload(payload, options))

const encodeRates: number[] = []
const decodeRates: number[] = []
for (let r = 0; r < RUNS; r++) {
  encodeRates.push(rate(() => encodePayload(payload, options)))
  decodeRates.push(rate(() => decodePayload(bytes)))
}
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
console.log(`payload: ${METRICS} metrics, ${bytes.length} bytes; median of ${RUNS} runs`)
console.log(`encode: ${fmt(median(encodeRates))} metrics/s`)
console.log(`decode: ${fmt(median(decodeRates))} metrics/s`)
