/**
 * Memory over a long open status page (measuring only): the gateway as its own process (no broker:
 * it buffers; the simulator device Sim1 with a few hundred changing tags, a dark Modbus device),
 * its status page open in headless Chromium on Sim1's tags, and after the first sample `--pollers`
 * plain HTTP clients asking /status and /status/tags every 2 s as a page does. Every minute: the
 * gateway's RSS, its heap and external memory after a full collection and its buffer's records
 * (no broker: the buffer grows, and SQLite's cache with it); the page's JS heap after a
 * collection, its DOM nodes and event listeners. Prints each sample and the slope per hour of each.
 *   npm run bench -- status-page-soak [--minutes 10] [--pollers 20] [--tags 300]
 * The first sample (page only) against the mean of the others gives the gateway's RSS with
 * `--pollers` clients against none.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startChromium } from '../../test/helpers/chromium.js'
import { startStatusPageGateway } from '../../test/helpers/status-page-gateway.js'
import { memory } from './e2e/proc-stats.js'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, pollers: { type: 'string', default: '20' }, tags: { type: 'string', default: '300' } } })
const minutes = Number(values.minutes)
const pollers = Number(values.pollers)
const tagCount = Number(values.tags)
if (!(minutes >= 1) || !Number.isInteger(pollers) || pollers < 0 || !Number.isInteger(tagCount) || tagCount < 0) throw new Error('--minutes >= 1, --pollers and --tags whole numbers >= 0')
const T = 30_000
const MINUTE = 60_000
const MiB = 1024 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const PROBE = pathToFileURL(fileURLToPath(new URL('./e2e/gc-probe.js', import.meta.url))).href
const dir = mkdtempSync(join(tmpdir(), 'bench-status-page-soak-'))
const probeFile = join(dir, 'gc.jsonl')
const tags = Array.from({ length: tagCount }, (_, i) => `{ name: "Walk ${String(i).padStart(3, '0')}", signal: random-walk, type: Double, low: 0, high: 100, step: 1, initial: 50 }`)
const gateway = await startStatusPageGateway({ poll: '500ms', extraTags: tags, timeoutMs: T, env: { NODE_OPTIONS: `--import ${PROBE}`, GC_PROBE_FILE: probeFile } })
const browser = await startChromium(T)

interface Sample { readonly minute: number; readonly rss: number; readonly heap: number; readonly external: number; readonly records: number; readonly pageHeap: number; readonly nodes: number; readonly listeners: number }

/** The gateway's memory after a collection: SIGUSR2 to the probe, then its new line. */
async function gatewayHeap(): Promise<NodeJS.MemoryUsage> {
  const lines = () => readFileSync(probeFile, 'utf8').split('\n').filter((l) => l !== '')
  const before = (() => { try { return lines().length } catch { return 0 } })()
  process.kill(gateway.gateway.pid, 'SIGUSR2')
  for (let waited = 0; waited < T; waited += 50) {
    await sleep(50)
    const all = (() => { try { return lines() } catch { return [] } })()
    if (all.length > before) return JSON.parse(all.at(-1)!) as NodeJS.MemoryUsage
  }
  throw new Error('the gateway did not answer its GC probe')
}

let polling = false
let polls = 0
const poller = async () => {
  while (polling) {
    await Promise.all([gateway.get('/status'), gateway.get('/status/tags?device=Sim1&filter=')])
    polls++
    await sleep(2000)
  }
}

const slopePerHour = (samples: readonly Sample[], pick: (s: Sample) => number): number => {
  const n = samples.length
  const mx = samples.reduce((a, s) => a + s.minute, 0) / n
  const my = samples.reduce((a, s) => a + pick(s), 0) / n
  const sxy = samples.reduce((a, s) => a + (s.minute - mx) * (pick(s) - my), 0)
  const sxx = samples.reduce((a, s) => a + (s.minute - mx) ** 2, 0)
  return sxx === 0 ? 0 : (sxy / sxx) * 60
}

const clients: Promise<void>[] = []
try {
  const tab = await browser.open(gateway.base, { width: 1280, timeoutMs: T })
  await tab.evaluate(`(() => { const s = document.getElementById('tag-device'); s.value = 'Sim1'; s.dispatchEvent(new Event('change')) })()`)
  await tab.waitFor(`document.querySelectorAll('#tags tbody tr').length >= ${Math.min(200, tagCount)}`, T)
  await sleep(30_000) // the gateway's start and the page's first loads settle before the first sample
  const started = Date.now()
  const samples: Sample[] = []
  console.log(`minute  gateway RSS MiB  gateway heap MiB  external MiB  buffer records  page JS heap MiB  page DOM nodes  page listeners`)
  for (let minute = 0; minute <= minutes; minute++) {
    await sleep(Math.max(0, started + minute * MINUTE - Date.now()))
    const usage = await gatewayHeap()
    const page = await tab.memory()
    const records = (await gateway.status()).buffer.records
    const sample = { minute, rss: memory(gateway.gateway.pid).rss, heap: usage.heapUsed, external: usage.external, records, pageHeap: page.jsHeapUsed, nodes: page.nodes, listeners: page.listeners }
    samples.push(sample)
    console.log(`${String(minute).padStart(6)}  ${(sample.rss / MiB).toFixed(1).padStart(15)}  ${(sample.heap / MiB).toFixed(2).padStart(16)}  ${(sample.external / MiB).toFixed(2).padStart(12)}  ${String(records).padStart(14)}  ${(page.jsHeapUsed / MiB).toFixed(2).padStart(16)}  ${String(page.nodes).padStart(14)}  ${String(page.listeners).padStart(14)}`)
    if (minute === 0 && pollers > 0) {
      polling = true
      for (let i = 0; i < pollers; i++) clients.push(poller())
    }
  }
  const loaded = pollers > 0 ? samples.slice(1) : samples
  const mean = (pick: (s: Sample) => number) => loaded.reduce((a, s) => a + pick(s), 0) / loaded.length
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}; commit ${commit}`)
  console.log(`${tagCount + 4} tags on Sim1 polled every 500 ms; 1 page open in Chromium; ${pollers} pollers from minute 0 (${polls} poll rounds); ${minutes} min`)
  console.log(`slope per hour (over minutes ${loaded[0]!.minute}-${minutes}): gateway RSS ${(slopePerHour(loaded, (s) => s.rss) / MiB).toFixed(2)} MiB, gateway heap ${(slopePerHour(loaded, (s) => s.heap) / MiB).toFixed(3)} MiB, page JS heap ${(slopePerHour(loaded, (s) => s.pageHeap) / MiB).toFixed(3)} MiB, page DOM nodes ${slopePerHour(loaded, (s) => s.nodes).toFixed(1)}`)
  if (pollers > 0) console.log(`gateway RSS: page only ${(samples[0]!.rss / MiB).toFixed(1)} MiB; with ${pollers} pollers mean ${(mean((s) => s.rss) / MiB).toFixed(1)} MiB, max ${(Math.max(...loaded.map((s) => s.rss)) / MiB).toFixed(1)} MiB`)
} finally {
  polling = false
  await Promise.allSettled(clients)
  await browser.close()
  await gateway.stop()
  rmSync(dir, { recursive: true, force: true })
}
