import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ScanLimits } from '../../../drivers/modbus/config.js'
import { modbusModule } from '../../../drivers/modbus/index.js'
import { enclosingReads, planRequests, type PlanPoint, type ReadRequest } from '../../../drivers/modbus/plan.js'

const limits: ScanLimits = { maxGap: 16, maxBitGap: 256, maxRegistersPerRead: 125, maxBitsPerRead: 2000 }
const hr = (offset: number, count = 1): PlanPoint => ({ table: 'HR', offset, count })
const ranges = (requests: readonly ReadRequest[]) => requests.map((r) => `${r.table}${r.start}+${r.length}`)

test('plan - contiguous registers read in one request', () => {
  const requests = planRequests([hr(0), hr(1, 2), hr(3, 4), hr(7)], limits)
  assert.deepEqual(ranges(requests), ['HR0+8'])
  assert.deepEqual(requests[0].points, [0, 1, 2, 3])
})

test('plan - a gap of maxGap is bridged, one register more is not', () => {
  assert.deepEqual(ranges(planRequests([hr(0), hr(17)], limits)), ['HR0+18'])
  assert.deepEqual(ranges(planRequests([hr(0), hr(18)], limits)), ['HR0+1', 'HR18+1'])
})

test('plan - a block never exceeds maxRegistersPerRead (125), even when the last tag is multi-register', () => {
  const tags = Array.from({ length: 130 }, (_, i) => hr(i))
  assert.deepEqual(ranges(planRequests(tags, limits)), ['HR0+125', 'HR125+5'])
  const wide = { ...limits, maxGap: 124 }
  assert.deepEqual(ranges(planRequests([hr(0), hr(121, 4)], wide)), ['HR0+125'])
  assert.deepEqual(ranges(planRequests([hr(0), hr(122, 4)], wide)), ['HR0+1', 'HR122+4'])
})

test('plan - coils merge up to 2000 bits per request and bridge up to maxBitGap', () => {
  const coils = Array.from({ length: 2100 }, (_, i): PlanPoint => ({ table: 'CO', offset: i, count: 1 }))
  assert.deepEqual(ranges(planRequests(coils, limits)), ['CO0+2000', 'CO2000+100'])
  const sparse: PlanPoint[] = [{ table: 'DI', offset: 0, count: 1 }, { table: 'DI', offset: 257, count: 1 }, { table: 'DI', offset: 515, count: 1 }]
  assert.deepEqual(ranges(planRequests(sparse, limits)), ['DI0+258', 'DI515+1'])
})

test('plan - tables never merge, and requests come in CO, DI, IR, HR order', () => {
  const points: PlanPoint[] = [hr(0), { table: 'IR', offset: 1, count: 1 }, { table: 'CO', offset: 0, count: 1 }, { table: 'DI', offset: 0, count: 1 }]
  assert.deepEqual(ranges(planRequests(points, limits)), ['CO0+1', 'DI0+1', 'IR1+1', 'HR0+1'])
})

test('plan - bits of one register share its read', () => {
  assert.deepEqual(ranges(planRequests([hr(5), hr(5), hr(5), hr(6)], limits)), ['HR5+2'])
})

test('plan - tags sharing registers (word and bits, two scalings, Modicon alias, words of a wider value) read each register once', () => {
  const tags = [
    { name: 'Status', address: 'HR3' },
    { name: 'Status/Run', address: 'HR3.0' },
    { name: 'Status/Fault', address: '40004.2' },
    { name: 'Level/m', address: 'HR5', scale: 0.01 },
    { name: 'Level/cm', address: 'HR5' },
    { name: 'Flow', address: 'HR10', type: 'float32', order: 'CDAB' },
    { name: 'Flow/alias', address: '40011', type: 'float32', order: 'CDAB' },
    { name: 'Flow/high word', address: 'HR11' },
    { name: 'Valve', address: 'CO5' },
    { name: 'Valve/alias', address: '00006' },
  ]
  const parsed = modbusModule.parse({ driver: 'modbus-tcp', connection: { host: '127.0.0.1' }, tags }, [])
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error))
  const requests = planRequests(parsed.value.points, limits)
  assert.deepEqual(ranges(requests), ['CO5+1', 'HR3+9'])
  assert.deepEqual(requests.flatMap((r) => r.points).sort((a, b) => a - b), tags.map((_, i) => i))
  assert.deepEqual(ranges(planRequests(parsed.value.points, { ...limits, maxGap: 0 })), ['CO5+1', 'HR3+1', 'HR5+1', 'HR10+2'])
})

test('plan - with nested and repeated ranges, the request count equals the minimum over every grouping (200 random maps)', () => {
  const random = seeded(9)
  for (let n = 0; n < 200; n++) {
    const points = nestedMap(random, 3 + Math.floor(random() * 6))
    const small: ScanLimits = { ...limits, maxGap: Math.floor(random() * 4), maxRegistersPerRead: 4 + Math.floor(random() * 8) }
    assert.equal(planRequests(points, small).length, fewestGroups(points, small), `map ${n}: ${JSON.stringify(points)}`)
  }
})

test('plan - enclosingReads: one read per outermost range, carrying the tags inside it', () => {
  const reads = enclosingReads([hr(5), hr(0), hr(0, 2), hr(1), hr(5), hr(9)], [0, 1, 2, 3, 4])
  assert.deepEqual(ranges(reads), ['HR0+2', 'HR5+1'])
  assert.deepEqual(reads.map((r) => [...r.points].sort()), [[1, 2, 3], [0, 4]])
})

test('plan - tags given out of address order are sorted, and indices refer to the input', () => {
  const requests = planRequests([hr(10), hr(0), hr(200), hr(5)], limits)
  assert.deepEqual(ranges(requests), ['HR0+11', 'HR200+1'])
  assert.deepEqual(requests[0].points, [1, 3, 0])
  assert.deepEqual(requests[1].points, [2])
})

test('plan - an excluded (rejected) tag is not read and no block spans its address', () => {
  assert.deepEqual(ranges(planRequests([hr(0), hr(1), hr(2)], limits, new Set([1]))), ['HR0+1', 'HR2+1'])
  assert.deepEqual(ranges(planRequests([hr(0), hr(5), hr(10)], limits, new Set([1]))), ['HR0+1', 'HR10+1'])
  assert.deepEqual(ranges(planRequests([hr(0, 4), hr(1)], limits, new Set([1]))), ['HR0+4'], 'only the excluded tag itself may overlap')
})

test('plan - maxRegistersPerRead 1 reads every register alone', () => {
  assert.equal(planRequests([hr(0), hr(1), hr(2)], { ...limits, maxRegistersPerRead: 1 }).length, 3)
})

test('plan - every tag is in exactly one request and inside its range', () => {
  const points = randomMap(seeded(7), 300)
  const requests = planRequests(points, limits)
  const seen = requests.flatMap((r) => r.points).sort((a, b) => a - b)
  assert.deepEqual(seen, points.map((_, i) => i))
  for (const r of requests) {
    assert.ok(r.length <= 125)
    for (const i of r.points) assert.ok(points[i].offset >= r.start && points[i].offset + points[i].count <= r.start + r.length)
  }
})

test('plan - request count equals the brute-force minimum on 200 random maps', () => {
  const random = seeded(42)
  for (let n = 0; n < 200; n++) {
    const points = randomMap(random, 5 + Math.floor(random() * 60))
    const small: ScanLimits = { ...limits, maxGap: Math.floor(random() * 10), maxRegistersPerRead: 8 + Math.floor(random() * 40) }
    assert.equal(planRequests(points, small).length, minimum(points, small), `map ${n}: ${JSON.stringify(points)}`)
  }
})

/** Fewest blocks by dynamic programming over the tags in address order (independent of plan.ts). */
function minimum(points: readonly PlanPoint[], l: ScanLimits): number {
  const sorted = [...points].sort((a, b) => a.offset - b.offset || a.count - b.count)
  const best = [0]
  for (let j = 1; j <= sorted.length; j++) {
    best[j] = Infinity
    for (let i = j - 1; i >= 0; i--) {
      const block = sorted.slice(i, j)
      const start = block[0].offset
      const ends = block.map((p) => p.offset + p.count)
      let ok = Math.max(...ends) - start <= l.maxRegistersPerRead
      for (let k = 1; k < block.length && ok; k++) ok = block[k].offset - Math.max(...ends.slice(0, k)) <= l.maxGap
      if (ok) best[j] = Math.min(best[j], best[i] + 1)
    }
  }
  return best[sorted.length]
}

/** Fewest requests by trying every way to split the points into groups (small maps only), each group one readable range. */
function fewestGroups(points: readonly PlanPoint[], l: ScanLimits): number {
  const readable = (group: readonly PlanPoint[]): boolean => {
    const sorted = [...group].sort((a, b) => a.offset - b.offset)
    let end = sorted[0].offset
    for (const p of sorted) {
      if (p.offset - end > l.maxGap) return false
      end = Math.max(end, p.offset + p.count)
    }
    return end - sorted[0].offset <= l.maxRegistersPerRead
  }
  let best = points.length
  const place = (k: number, groups: PlanPoint[][]): void => {
    if (groups.length >= best) return
    if (k === points.length) {
      if (groups.every(readable)) best = groups.length
      return
    }
    for (const g of groups) {
      g.push(points[k])
      place(k + 1, groups)
      g.pop()
    }
    place(k + 1, [...groups, [points[k]]])
  }
  place(0, [])
  return best
}

/** Registers with words, repeated tags (aliases, bits) and values holding other tags. */
function nestedMap(random: () => number, n: number): PlanPoint[] {
  const points: PlanPoint[] = []
  let offset = 0
  for (let i = 0; i < n; i++) {
    const count = [1, 1, 2, 4][Math.floor(random() * 4)]
    const earlier = points[Math.floor(random() * points.length)]
    if (earlier !== undefined && random() < 0.4) {
      points.push(hr(earlier.offset + Math.floor(random() * earlier.count), 1))
      continue
    }
    offset += Math.floor(random() * 5)
    points.push(hr(offset, count))
    offset += count
  }
  return points
}

function randomMap(random: () => number, n: number): PlanPoint[] {
  const points: PlanPoint[] = []
  let offset = 0
  for (let i = 0; i < n; i++) {
    offset += Math.floor(random() * (random() < 0.2 ? 40 : 4))
    const count = [1, 1, 2, 2, 4][Math.floor(random() * 5)]
    points.push(hr(offset, count))
    offset += count
  }
  return points
}

function seeded(seed: number): () => number {
  let s = seed
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
}
