/**
 * Live heap per configured tag (measuring only): the gateway runs twice against the peers
 * benchmark's Modbus server, once with no devices and once with N tags (10 devices, every value
 * changing at every scan, poll 1 s); after the tags have been polled for a while a heap snapshot
 * (which collects garbage first) is summarised by constructor, and the difference between the two
 * runs, divided by N, is the cost of a tag.
 *   npm run bench -- heap-per-tag [--tags 10000] [--seconds 25] [--top 25] [--owners N] [--node-flags="..."] [--keep DIR]
 * --keep DIR: the two .heapsnapshot files are copied there (to open in Chrome's DevTools).
 * --owners N: also the N groups that grew most by retainer path (which structure holds them; see heap-owners.ts).
 * Self size by constructor (objects) or kind (strings, arrays, code): what each tag adds, not what
 * it keeps alive through shared parents.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { memory } from './e2e/proc-stats.js'
import { countTraffic } from './e2e/traffic-counter.js'
import { startFieldServer } from './peers/field-server.js'
import { heapByOwner } from './peers/heap-owners.js'
import { summariseHeap, type HeapGroup } from './peers/heap-summary.js'
import type { Load } from './peers/load.js'
import { firstData } from './peers/measure.js'
import { GROUP_ID, startSystem } from './peers/systems.js'

const PROBE = pathToFileURL(fileURLToPath(new URL('./peers/memory-probe.js', import.meta.url))).href
const { values } = parseArgs({
  options: {
    tags: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '25' },
    top: { type: 'string', default: '25' },
    owners: { type: 'string', default: '0' },
    'node-flags': { type: 'string' },
    keep: { type: 'string' },
  },
})
const tags = Number(values.tags)
if (!Number.isInteger(tags) || tags <= 0 || tags % 1000 !== 0) throw new Error(`--tags must be a positive multiple of 1000 (10 devices of 100·k tags), not ${values.tags}`)
const seconds = Number(values.seconds)
const top = Number(values.top)
const owners = Number(values.owners)
const flags = ['--import', PROBE, ...(values['node-flags']?.split(' ').filter((f) => f !== '') ?? [])]
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const KiB = 1024
const MiB = 1024 * 1024

interface Measured {
  readonly rss: number
  readonly usage: NodeJS.MemoryUsage
  readonly total: number
  readonly groups: readonly HeapGroup[]
  readonly byOwner: readonly HeapGroup[]
}

const broker = await startMosquitto()
const server = await startFieldServer()
const counter = await countTraffic(broker.url, GROUP_ID)
server.setChanging(true)
const ctx = { brokerUrl: broker.url, brokerPort: broker.port, modbusPort: server.port, peersDir: '', nodeFlags: flags }

/** Starts the gateway on `load`, waits for its data, lets it poll, then snapshots its heap. */
async function measure(load: Load): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-heap-per-tag-'))
  const file = join(dir, 'probe.jsonl')
  const spawnedAt = performance.now()
  const env = { MEMORY_PROBE_FILE: file, MEMORY_PROBE_SNAPSHOT_MS: String(seconds * 1000) }
  const running = await startSystem('ours', load, { ...ctx, env })
  try {
    if (load.devices > 0) await firstData(counter, running, load.devices * load.tagsPerDevice, 30_000)
    await sleep(spawnedAt + (seconds - 1) * 1000 - performance.now())
    const rss = memory(running.pid).rss
    const usage = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as NodeJS.MemoryUsage
    const deadline = Date.now() + 120_000
    while (!existsSync(`${file}.done`)) {
      if (Date.now() > deadline) throw new Error(`no heap snapshot within 120 s; its output:\n${running.output.join('\n')}`)
      await sleep(500)
    }
    if (values.keep !== undefined) {
      mkdirSync(values.keep, { recursive: true })
      copyFileSync(`${file}.heapsnapshot`, join(values.keep, `${load.devices === 0 ? 'no-devices' : `${tags}-tags`}.heapsnapshot`))
    }
    const { total, groups } = summariseHeap(`${file}.heapsnapshot`, Infinity)
    const byOwner = owners > 0 ? heapByOwner(`${file}.heapsnapshot`) : []
    return { rss, usage, total, groups, byOwner }
  } finally {
    await running.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const loadBefore = loadavg()[0]!
let none: Measured
let full: Measured
try {
  none = await measure({ label: 'no devices', devices: 0, tagsPerDevice: 100, pollMs: 1000 })
  full = await measure({ label: `${tags} tags`, devices: 10, tagsPerDevice: tags / 10, pollMs: 1000 })
} finally {
  await counter.close()
  await server.stop()
  await broker.stop()
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1)
console.log(`node ${process.version}, load average ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}${flags.length > 2 ? `, gateway node flags: ${flags.slice(2).join(' ')}` : ''}`)
console.log(`snapshot ${seconds} s after the spawn; ${tags} Modbus tags on 10 devices, poll 1 s, every value changing\n`)
console.log('| run | RSS MiB | V8 heap used MiB | V8 heap total MiB | live heap (snapshot) MiB |')
console.log('|---|--:|--:|--:|--:|')
for (const [label, m] of [['no devices', none], [`${tags} tags`, full]] as const) {
  console.log(`| ${label} | ${mib(m.rss)} | ${mib(m.usage.heapUsed)} | ${mib(m.usage.heapTotal)} | ${mib(m.total)} |`)
}
const perTag = (full.total - none.total) / tags
console.log(`\n**live heap per tag: ${(perTag / KiB).toFixed(2)} KiB** (${mib(full.total - none.total)} MiB over ${tags} tags)\n`)

const grown = growth(none.groups, full.groups).slice(0, top)
console.log('| constructor or kind | objects added | per tag | bytes per tag | MiB added |')
console.log('|---|--:|--:|--:|--:|')
for (const g of grown) {
  console.log(`| ${g.name} | ${g.count.toLocaleString('en')} | ${(g.count / tags).toFixed(2)} | ${(g.bytes / tags).toFixed(0)} | ${mib(g.bytes)} |`)
}

if (owners > 0) {
  const grew = growth(none.byOwner, full.byOwner).slice(0, owners)
  console.log('\n| held as @ by (retainer path) | objects added | bytes per tag |')
  console.log('|---|--:|--:|')
  for (const g of grew) console.log(`| ${g.name.replaceAll('|', '\\|')} | ${g.count.toLocaleString('en')} | ${(g.bytes / tags).toFixed(1)} |`)
}

/** What each group added from `base` to `after` (a group only in `base` shrank to nothing), most first. */
function growth(base: readonly HeapGroup[], after: readonly HeapGroup[]): HeapGroup[] {
  const added = new Map(after.map((g) => [g.name, { name: g.name, count: g.count, bytes: g.bytes }]))
  for (const g of base) {
    const a = added.get(g.name) ?? { name: g.name, count: 0, bytes: 0 }
    added.set(g.name, { name: g.name, count: a.count - g.count, bytes: a.bytes - g.bytes })
  }
  return [...added.values()].sort((a, b) => b.bytes - a.bytes)
}
