/**
 * Our gateway against a Node-RED flow and a Tahu edge node: the same Modbus
 * loads, the same independent Modbus server process, the same local mosquitto, one system at a
 * time. Each figure is the median of several runs with min and max; runs rotate over the systems
 * so a drift of the shared machine touches all of them alike.
 *   npm run bench -- peers [--quick] [--runs N] [--systems ours,node-red,tahu] [--node-flags="..."]
 *   npm run bench -- peers --soak MINUTES [--peers] [--out DIR]   RSS and CPU every minute, CSV + SVG
 * --quick measures the two 1 s loads with 10 s windows (a few minutes); the full run adds 100 ms.
 * --loads picks loads by their position in LOADS (1,2,3); --node-flags go to our gateway's node.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { countTraffic } from './e2e/traffic-counter.js'
import { startFieldServer } from './peers/field-server.js'
import { installPeers } from './peers/install.js'
import { LOADS, type Load } from './peers/load.js'
import { measureRun, soak, type MeasureOptions, type RunResult, type SoakSample } from './peers/measure.js'
import { lineChart } from './peers/svg-chart.js'
import { GROUP_ID, SYSTEMS, type SystemName } from './peers/systems.js'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    systems: { type: 'string' },
    soak: { type: 'string' },
    peers: { type: 'boolean', default: false },
    out: { type: 'string' },
    loads: { type: 'string' },
    'node-flags': { type: 'string' },
  },
})
const root = fileURLToPath(new URL('../../../', import.meta.url))
const runs = Number(values.runs ?? 3)
const systems = (values.systems?.split(',') ?? SYSTEMS) as SystemName[]
for (const s of systems) if (!SYSTEMS.includes(s)) throw new Error(`--systems: unknown system "${s}"; known: ${SYSTEMS.join(', ')}`)
const soakMinutes = values.soak === undefined ? null : Number(values.soak)
if (soakMinutes !== null && !(soakMinutes >= 1 && soakMinutes <= 24 * 60)) throw new Error(`--soak: minutes from 1 to 1440, got "${values.soak}"`)

function fail(message: string): never {
  throw new Error(message)
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const fmt = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const spread = (xs: readonly number[], digits: number) => `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`
const load1 = () => loadavg()[0]!.toFixed(2)

function describeMachine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`
}

function table(load: Load, results: readonly RunResult[]): string[] {
  const of = (s: SystemName) => results.filter((r) => r.system === s)
  const lines = [
    `### ${load.label}: ideal ${fmt(results[0]!.idealPerS, 0)} metric updates/s`,
    '',
    '| system | delivered updates/s | arrived of changes | scans/s per device | Modbus requests per scan | CPU s per 1,000 updates | CPU % of a core | RSS mean MiB | RSS max MiB | load avg before → after |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ]
  for (const s of systems) {
    const rs = of(s)
    if (rs.length === 0) continue
    const col = (f: (r: RunResult) => number, digits: number) => spread(rs.map(f), digits)
    lines.push(`| ${s} | ${col((r) => r.deliveredPerS, 0)} | ${col((r) => r.arrived * 100, 1)} % | ${col((r) => r.scansPerS, 2)} | ${col((r) => r.requestsPerScan, 1)} | ${col((r) => r.cpuPerThousand, 4)} | ${col((r) => r.cpu * 100, 1)} | ${col((r) => r.rssMeanMiB, 1)} | ${col((r) => r.rssMaxMiB, 1)} | ${rs.map((r) => `${r.loadBefore.toFixed(2)}→${r.loadAfter.toFixed(2)}`).join(', ')} |`)
  }
  const ours = of('ours')
  for (const peer of systems.filter((s) => s !== 'ours')) {
    const theirs = of(peer)
    if (ours.length === 0 || theirs.length === 0) continue
    const ratio = (f: (r: RunResult) => number) => fmt(median(ours.map(f)) / median(theirs.map(f)), 2)
    lines.push('', `ours / ${peer} (medians): CPU per update ${ratio((r) => r.cpuPerThousand)}, RSS mean ${ratio((r) => r.rssMeanMiB)}, RSS max ${ratio((r) => r.rssMaxMiB)}, requests per scan ${ratio((r) => r.requestsPerScan)}`)
  }
  return lines
}

function soakReport(samples: ReadonlyMap<SystemName, SoakSample[]>, out: string, load: Load): void {
  mkdirSync(out, { recursive: true })
  const csv = ['system,minute,rss_mib,cpu_share_of_core']
  for (const [system, rows] of samples) for (const r of rows) csv.push(`${system},${r.minute},${r.rssMiB.toFixed(1)},${r.cpu.toFixed(4)}`)
  writeFileSync(join(out, 'soak.csv'), csv.join('\n') + '\n')
  const series = [...samples].map(([name, rows]) => ({ name, points: rows.map((r) => [r.minute, r.rssMiB] as const) }))
  writeFileSync(join(out, 'soak.svg'), lineChart(series, { title: `Resident memory under ${load.label}, every value changing`, xLabel: 'minutes', yLabel: 'RSS (MiB)' }))
  console.log(`wrote ${join(out, 'soak.csv')} and ${join(out, 'soak.svg')}`)
  for (const [system, rows] of samples) {
    const later = rows.filter((r) => r.minute >= 1)
    console.log(`${system}: RSS first ${rows[0]!.rssMiB.toFixed(1)} MiB, after minute 1 min ${Math.min(...later.map((r) => r.rssMiB)).toFixed(1)} max ${Math.max(...later.map((r) => r.rssMiB)).toFixed(1)} last ${rows.at(-1)!.rssMiB.toFixed(1)}; CPU mean ${(later.reduce((a, r) => a + r.cpu, 0) / later.length * 100).toFixed(1)} % of a core`)
  }
}

const peers = systems.some((s) => s !== 'ours') ? installPeers() : { dir: '' }
console.log(`machine: ${describeMachine()}`)
const broker = await startMosquitto()
const server = await startFieldServer()
const counter = await countTraffic(broker.url, GROUP_ID)
const options = (warmupMs: number, windowMs: number): MeasureOptions => ({
  ctx: { brokerUrl: broker.url, brokerPort: broker.port, modbusPort: server.port, peersDir: peers.dir, nodeFlags: values['node-flags']?.split(' ').filter((f) => f !== '') ?? [] },
  server,
  counter,
  warmupMs,
  windowMs,
})
try {
  if (soakMinutes !== null) {
    const load = LOADS[0]!
    const samples = new Map<SystemName, SoakSample[]>()
    for (const system of values.peers ? systems : ['ours' as const]) {
      console.log(`soak: ${system}, ${load.label}, ${soakMinutes} min (load average ${load1()})`)
      samples.set(system, await soak(system, load, options(0, 0), soakMinutes, 60_000))
    }
    soakReport(samples, values.out ?? join(root, 'benchmarks'), load)
  } else {
    const picked = values.loads?.split(',').map((n) => LOADS[Number(n) - 1] ?? fail(`--loads: positions 1 to ${LOADS.length}, got "${n}"`))
    const loads = picked ?? (values.quick ? LOADS.filter((l) => l.pollMs === 1000) : LOADS)
    const o = values.quick ? options(3_000, 10_000) : options(5_000, 20_000)
    const flags = o.ctx.nodeFlags?.length ? `, our gateway with node ${o.ctx.nodeFlags.join(' ')}` : ''
    const report = [`machine: ${describeMachine()}`, `${runs} runs per figure${flags}, ${o.windowMs / 1000} s windows after ${o.warmupMs / 1000} s warm-up`, '']
    for (const load of loads) {
      const results: RunResult[] = []
      for (let run = 1; run <= runs; run++) {
        for (const system of systems) {
          process.stdout.write(`${load.label}: ${system}, run ${run}/${runs} (load average ${load1()}) ... `)
          const r = await measureRun(system, load, o)
          console.log(`${fmt(r.deliveredPerS, 0)} updates/s, ${fmt(r.cpu * 100, 1)} % CPU, RSS max ${fmt(r.rssMaxMiB, 1)} MiB`)
          results.push(r)
        }
      }
      report.push(...table(load, results), '')
    }
    console.log(`\n${report.join('\n')}`)
  }
} finally {
  await counter.close()
  await server.stop()
  await broker.stop()
}
