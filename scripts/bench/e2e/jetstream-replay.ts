/**
 * Backlog replay into JetStream: a SQLite buffer pre-filled as an outage leaves it, the gateway
 * started while nats-server is down, then the server started. The stream itself is the witness:
 * an ordered consumer reads what it stored, so the time to the last backlog row is the time to
 * an empty buffer (rows leave the buffer on PubAck), and duplicates are counted by Nats-Msg-Id.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'nats'
import type { NatsServer } from '../../../test/helpers/nats-server.js'
import { fillBacklog } from './backlog.js'
import { BENCH_STREAM, GROUP_ID, startGateway, tagName, writeConfig, type Load } from './gateway-under-test.js'
import { cpuSeconds, memory } from './proc-stats.js'
import { walk } from './traffic-counter.js'

export interface ReplayResult {
  /** Backlog rows (records) in the buffer before the server started. */
  readonly rows: number
  /** Metrics in those rows. */
  readonly metrics: number
  /** Server ready to the last backlog row read from the stream, seconds. */
  readonly seconds: number
  /** Distinct backlog rows the stream holds, by Nats-Msg-Id. */
  readonly storedRows: number
  /** Metrics in the stored backlog messages, by walking their payloads. */
  readonly storedMetrics: number
  /** Stored backlog messages whose Nats-Msg-Id another stored message already had. */
  readonly duplicates: number
  /** Gateway CPU from server start to the last row, fraction of one core. */
  readonly cpu: number
  /** Highest gateway VmRSS sampled every 0.5 s during the replay, bytes. */
  readonly rssMax: number
}

// Sim0 of this load has 100 Int32 counters (the even tags): the backlog's rows are 100-metric
// records of those. Its own scans (once a second) add live rows after the backlog.
const LOAD: Load = { tags: 200, pollMs: 1000, buffer: 'sqlite', natsMode: 'jetstream' }
const COUNTERS = Array.from({ length: LOAD.tags / 2 }, (_, i) => tagName(0, 2 * i))
const TIMEOUT_MS = 180_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Replays `rows` backlog rows into stream BENCH on `server` (JetStream, running; stopped and started here). */
export async function measureJetStreamReplay(server: NatsServer, rows: number): Promise<ReplayResult> {
  const work = mkdtempSync(join(tmpdir(), 'spgw-js-replay-'))
  const buffer = join(work, 'buffer.db')
  await fillBacklog(buffer, { deviceId: 'Sim0', tags: COUNTERS, records: rows })
  const { dir, file } = writeConfig(LOAD, server.url, [`buffer: { path: ${buffer}, maxSize: 1GiB, durability: process }`])
  // The stream of the steady JetStream run is kept (so it is there the moment the server is) but emptied.
  const admin = await connect({ servers: server.url, reconnect: false })
  await (await admin.jetstreamManager()).streams.purge(BENCH_STREAM)
  await admin.close()

  await server.stop()
  const gateway = startGateway(file)
  try {
    await sleep(2_000) // the gateway is up, its buffer full, the server unreachable
    await server.start()
    const startedAt = performance.now()
    const cpuBefore = cpuSeconds(gateway.pid)
    let rssMax = 0
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, memory(gateway.pid).rss)), 500)

    const nc = await connect({ servers: server.url, reconnect: false })
    const seen = new Set<number>()
    let storedMetrics = 0
    let duplicates = 0
    let doneAt = NaN
    let cpuAtDone = NaN
    try {
      const consumer = await nc.jetstream().consumers.get(BENCH_STREAM, { filterSubjects: `spBv1//0.${GROUP_ID}.DDATA.Bench-GW.Sim0` })
      const messages = await consumer.consume()
      const timeout = setTimeout(() => messages.stop(), TIMEOUT_MS)
      for await (const m of messages) {
        // Nats-Msg-Id is <group>.<node>.<row id>.<read time>; the backlog is rows 1..rows of a new buffer.
        const row = Number(m.headers?.get('Nats-Msg-Id').split('.')[2])
        if (!(row <= rows)) continue
        if (seen.has(row)) duplicates++
        else {
          seen.add(row)
          storedMetrics += walk(m.data).metrics
        }
        if (seen.size === rows && Number.isNaN(doneAt)) {
          doneAt = performance.now()
          cpuAtDone = cpuSeconds(gateway.pid)
          // Anything resent after the last row would be in the stream by now.
          setTimeout(() => messages.stop(), 2_000)
        }
      }
      clearTimeout(timeout)
    } finally {
      clearInterval(sampler)
      await nc.close()
    }
    const seconds = (doneAt - startedAt) / 1000
    return { rows, metrics: rows * COUNTERS.length, seconds, storedRows: seen.size, storedMetrics, duplicates, cpu: (cpuAtDone - cpuBefore) / seconds, rssMax }
  } catch (error) {
    throw new Error(`${(error as Error).message}; gateway output:\n${gateway.output.join('\n')}`)
  } finally {
    await gateway.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  }
}
