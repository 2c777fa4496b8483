/**
 * End to end: simulator devices whose every tag changes at every 100 ms scan, through
 * RBE, encoding and the outbox, to a local mosquitto, counted by a subscriber. Reports metric
 * updates/s delivered, gateway CPU (fraction of one core), resident memory and read-to-arrival
 * lag for 10,000 tags with the SQLite and the in-memory outbox; time from process start to
 * NBIRTH; and a ceiling search that adds tags until the gateway saturates a core or falls behind.
 *
 * Run: `npm run bench -- gateway-e2e` (about 3 minutes). `npm run bench -- gateway-e2e --profile`
 * adds a --cpu-prof run of the 10,000-tag load per buffer (40 s more) and prints where the time goes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { summariseProfile } from './e2e/cpu-profile.js'
import { GROUP_ID, type Load } from './e2e/gateway-under-test.js'
import { fmt, header, mb, row } from './e2e/report.js'
import { measureStartup, measureSteady, type SteadyResult } from './e2e/steady-run.js'
import { countTraffic } from './e2e/traffic-counter.js'

const TARGET_RATE = 100_000
const TARGET_RSS = 120 * 1024 * 1024
const STARTS = 5
// Delivery below this share of the offered rate, or data this old on arrival, means the gateway
// is falling behind (a backlog being drained can briefly deliver more than is offered).
const KEEPING_UP = 0.95
const MAX_LAG_P99_MS = 1000
const SATURATED_CPU = 0.95
const CEILING_TAGS = [20_000, 30_000, 40_000]

const profile = process.argv.includes('--profile')
const root = fileURLToPath(new URL('../../..', import.meta.url))

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const keepsUp = (r: SteadyResult): boolean => r.metricsPerS >= r.offered * KEEPING_UP && r.lagP99 < MAX_LAG_P99_MS && r.cpu < SATURATED_CPU

/** A 12 s window of `load` under --cpu-prof; returns the .cpuprofile's path (in a temp directory). */
async function profileRun(load: Load): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spgw-prof-'))
  await measureSteady(load, { ...base, warmupMs: 3_000, windowMs: 12_000, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`the gateway wrote no .cpuprofile into ${dir}`)
  return join(dir, file)
}

function printProfile(buffer: string, file: string): void {
  const summary = summariseProfile(file, root, 20)
  console.log(`\nprofile, 10,000 tags, ${buffer} buffer (${fmt(summary.totalMs)} ms busy, start-up included), top self time:\n`)
  console.log('| self ms | share | function | where |\n|--:|--:|---|---|')
  for (const f of summary.functions) console.log(`| ${fmt(f.selfMs)} | ${(f.share * 100).toFixed(1)}% | ${f.name} | ${f.where} |`)
  console.log('\nself time per file:\n\n| self ms | share | file |\n|--:|--:|---|')
  for (const f of summary.files.slice(0, 12)) console.log(`| ${fmt(f.selfMs)} | ${(f.share * 100).toFixed(1)}% | ${f.file} |`)
  rmSync(dirname(file), { recursive: true, force: true })
}

const broker = await startMosquitto()
const counter = await countTraffic(broker.url, GROUP_ID)
const base = { brokerUrl: broker.url, brokerPid: broker.pid, counter }
try {
  console.log('gateway end to end: simulator -> gateway -> mosquitto (loopback) -> counting subscriber')
  console.log('tags: half Int32 counters (period 1ms), half Double sines (deadband 0): every tag changes at every scan\n')

  const small: Load = { tags: 10, pollMs: 100, buffer: 'sqlite' }
  const large: Load = { tags: 10_000, pollMs: 100, buffer: 'sqlite' }
  const startups = [] as string[]
  for (const [label, load] of [['1 device, 10 tags', small], ['10 devices, 10,000 tags', large]] as const) {
    const { nbirth, allBirths } = await measureStartup(load, STARTS, broker.url, counter)
    startups.push(`| ${label} | ${fmt(median(nbirth))} (${fmt(Math.min(...nbirth))}-${fmt(Math.max(...nbirth))}) | ${fmt(median(allBirths))} |`)
  }
  console.log(`start to birth, median of ${STARTS} starts (SQLite buffer):\n`)
  console.log('| config | process start to NBIRTH ms (min-max) | to last DBIRTH ms |\n|---|--:|--:|')
  console.log(startups.join('\n') + '\n')

  const results: string[] = []
  const steady = { ...base, warmupMs: 5_000, windowMs: 20_000 }
  const short = { ...base, warmupMs: 3_000, windowMs: 10_000 }
  const sqlite = await measureSteady(large, steady)
  results.push(row('10k, SQLite', sqlite))
  const memory = await measureSteady({ ...large, buffer: 'memory' }, steady)
  results.push(row('10k, memory', memory))
  // QoS 0 data stays in the outbox for the replay window (1.5 x keepalive, 45 s by default): this
  // row shows how much of the resident memory that window accounts for.
  results.push(row('10k, memory, replayWindow 1s', await measureSteady({ ...large, buffer: 'memory', replayWindow: '1s' }, short)))

  // Ceiling: more tags at the same period until a core saturates or delivery falls behind, with
  // the SQLite outbox when it keeps up with 10,000 tags, else with the in-memory one.
  const ceilingBuffer = keepsUp(sqlite) ? 'sqlite' : keepsUp(memory) ? 'memory' : null
  let sustained = [sqlite, memory].filter(keepsUp).reduce((best, r) => Math.max(best, r.metricsPerS), 0)
  let beyond: SteadyResult | null = null
  for (const tags of ceilingBuffer === null ? [] : CEILING_TAGS) {
    const r = await measureSteady({ tags, pollMs: 100, buffer: ceilingBuffer! }, short)
    results.push(row(`ceiling ${tags / 1000}k`, r))
    if (!keepsUp(r)) {
      beyond = r
      break
    }
    sustained = Math.max(sustained, r.metricsPerS)
  }
  console.log('steady state (10k: 20 s window after 5 s warm-up; other rows: 10 s after 3 s):\n')
  console.log([...header, ...results].join('\n') + '\n')
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  const rate = (r: SteadyResult) => `${fmt(r.metricsPerS)} at ${(r.cpu * 100).toFixed(0)}% of a core`
  console.log(`target >= ${fmt(TARGET_RATE)} updates/s on one core: SQLite ${verdict(keepsUp(sqlite))} (${rate(sqlite)}), memory ${verdict(keepsUp(memory))} (${rate(memory)})`)
  console.log(`target RSS <= ${mb(TARGET_RSS)} MB: SQLite ${verdict(sqlite.rssPeak <= TARGET_RSS)} (peak ${mb(sqlite.rssPeak)} MB), memory ${verdict(memory.rssPeak <= TARGET_RSS)} (peak ${mb(memory.rssPeak)} MB)`)
  if (ceilingBuffer === null) console.log('ceiling: no buffer kept up with 10,000 tags, so no ceiling search')
  else {
    const next = beyond === null ? 'every step kept up' : `at ${fmt(beyond.offered)} offered: ${rate(beyond)}, lag p99 ${fmt(beyond.lagP99)} ms`
    console.log(`ceiling (${ceilingBuffer} buffer): ${fmt(sustained)} updates/s sustained; ${next}`)
  }

  if (profile) {
    for (const buffer of ['sqlite', 'memory'] as const) printProfile(buffer, await profileRun({ ...large, buffer }))
  }
} finally {
  await counter.close()
  await broker.stop()
}
