/**
 * Modbus scan benchmark: requests per scan for a realistic 1,000-register tag map with
 * gaps, against the minimum the protocol allows and a one-request-per-tag reader; and the time to
 * scan 1,000 registers on loopback against pymodbus.
 * Run: npm run build && node dist/scripts/bench/modbus-scan.js
 */
import { performance } from 'node:perf_hooks'
import { defaults, type ScanLimits } from '../../drivers/modbus/config.js'
import { modbusModule } from '../../drivers/modbus/index.js'
import { planRequests, type PlanPoint } from '../../drivers/modbus/plan.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { startPymodbus } from '../../test/helpers/pymodbus.js'

const limits: ScanLimits = {
  maxGap: defaults.maxGap,
  maxBitGap: defaults.maxBitGap,
  maxRegistersPerRead: defaults.maxRegistersPerRead,
  maxBitsPerRead: defaults.maxBitsPerRead,
}

/** A PLC-like map: groups of mixed-width tags, small gaps inside a group, larger ones between groups. */
function realisticMap(registers: number): { type: string; offset: number; count: number }[] {
  let seed = 1
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const kinds = [['uint16', 1], ['int16', 1], ['float32', 2], ['uint32', 2], ['float64', 4]] as const
  const tags: { type: string; offset: number; count: number }[] = []
  let used = 0
  let offset = 0
  while (used < registers) {
    const [type, count] = kinds[Math.floor(random() * kinds.length)]
    const take = Math.min(count, registers - used)
    tags.push({ type: take === count ? type : 'uint16', offset, count: take === count ? count : 1 })
    used += tags[tags.length - 1].count
    offset += tags[tags.length - 1].count
    if (random() < 0.15) offset += 1 + Math.floor(random() * 8) // a small hole inside a group
    if (random() < 0.03) offset += 50 + Math.floor(random() * 400) // the next group of the PLC map
  }
  return tags
}

/** Fewest blocks under the limits, by dynamic programming over tags in address order (independent of plan.ts). */
function minimum(points: readonly PlanPoint[], l: ScanLimits): number {
  const best = [0]
  for (let j = 1; j <= points.length; j++) {
    best[j] = Infinity
    let end = 0
    for (let i = j - 1; i >= 0; i--) {
      end = Math.max(end, points[i].offset + points[i].count)
      if (end - points[i].offset > l.maxRegistersPerRead) break
      if (i < j - 1 && points[i + 1].offset - (points[i].offset + points[i].count) > l.maxGap) break
      best[j] = Math.min(best[j], best[i] + 1)
    }
  }
  return best[points.length]
}

const map = realisticMap(1000)
const points: PlanPoint[] = map.map((t) => ({ table: 'HR', offset: t.offset, count: t.count }))
const planned = planRequests(points, limits).length
const span = map[map.length - 1].offset + map[map.length - 1].count
console.log(`tag map: ${map.length} tags, 1000 registers over HR0..HR${span - 1}`)
console.log(`requests per scan: planned ${planned}, minimum ${minimum(points, limits)} (maxGap ${limits.maxGap}), one-per-tag ${map.length}, ratio ${(map.length / planned).toFixed(1)}x fewer`)
console.log(`for comparison: bridging any gap (maxGap 124) needs ${planRequests(points, { ...limits, maxGap: 124 }).length}; 1000 contiguous registers would need ${Math.ceil(1000 / 125)}`)

const server = await startPymodbus({ units: [1] })
try {
  const tags = map.map((t, i) => ({ name: `t${i}`, address: `HR${t.offset}`, type: t.type }))
  const parsed = modbusModule.parse({ driver: 'modbus-tcp', connection: { host: '127.0.0.1', port: server.port }, tags }, [])
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error))
  const driver = modbusModule.create(parsed.value, silentLog)
  await driver.open()
  // Reading each tag as its own scan group is exactly one request per tag.
  const names = tags.map((t) => t.name)
  const singles = names.map((name) => [name])
  const timed = async (label: string, scan: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await scan()
    const scans = 50
    const start = performance.now()
    for (let i = 0; i < scans; i++) await scan()
    console.log(`scan of 1000 registers on loopback (${label}): ${((performance.now() - start) / scans).toFixed(2)} ms per scan`)
  }
  await timed(`planned, ${planned} requests`, () => driver.read(names))
  await timed(`one request per tag, ${map.length} requests`, async () => {
    for (const group of singles) await driver.read(group)
  })
  await driver.close()
} finally {
  await server.stop()
}
