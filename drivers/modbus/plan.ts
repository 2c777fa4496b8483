/**
 * Scan planning (pure): the points of one scan group -> the fewest read requests. Points of one table
 * merge into a block while the unused span between them is at most the gap limit and the block stays
 * within the per-read limit; a block never spans a point the device rejected (those are left out).
 * Points that share registers (a word and its bits, aliases) fall into the same block, so each
 * register is read once unless a point has to straddle the end of a full block.
 * Taking points in address order and extending each block as far as the limits allow is optimal for
 * this problem (an exchange argument: no plan's k-th block can end beyond the greedy k-th block).
 */
import type { ScanLimits } from './config.js'
import { isBitTable, type Table } from './types.js'

/** What the planner needs to know of a point. ModbusPoint satisfies it. */
export interface PlanPoint {
  readonly table: Table
  readonly offset: number
  /** Registers (or coils/inputs) the point spans. */
  readonly count: number
}

/** One read request: a contiguous range of one table and the points it serves. */
export interface ReadRequest {
  readonly table: Table
  readonly start: number
  /** Registers or coils/inputs to read. */
  readonly length: number
  /** Indices into the `points` array given to planRequests. */
  readonly points: readonly number[]
}

const tableOrder: readonly Table[] = ['CO', 'DI', 'IR', 'HR']

/** Plans reads for `points`. Indices in `excluded` are not read, and no block spans their addresses. */
export function planRequests(points: readonly PlanPoint[], limits: ScanLimits, excluded: ReadonlySet<number> = new Set()): ReadRequest[] {
  const requests: ReadRequest[] = []
  for (const table of tableOrder) {
    const bits = isBitTable(table)
    const maxGap = bits ? limits.maxBitGap : limits.maxGap
    const maxLength = bits ? limits.maxBitsPerRead : limits.maxRegistersPerRead
    const indices = points.map((_, i) => i).filter((i) => points[i].table === table)
    const fenced = indices.filter((i) => excluded.has(i)).map((i) => points[i])
    const wanted = indices
      .filter((i) => !excluded.has(i))
      .sort((a, b) => points[a].offset - points[b].offset || points[a].count - points[b].count)
    let block: { start: number; end: number; points: number[] } | null = null
    for (const i of wanted) {
      const p = points[i]
      const end = p.offset + p.count
      if (block !== null) {
        const { start } = block
        const newEnd = Math.max(block.end, end)
        const fits = p.offset - block.end <= maxGap && newEnd - start <= maxLength
        if (fits && !fenced.some((f) => f.offset < newEnd && f.offset + f.count > start)) {
          block.end = newEnd
          block.points.push(i)
          continue
        }
        requests.push({ table, start: block.start, length: block.end - block.start, points: block.points })
      }
      block = { start: p.offset, end, points: [i] }
    }
    if (block !== null) requests.push({ table, start: block.start, length: block.end - block.start, points: block.points })
  }
  return requests
}

/**
 * One read per outermost range the points span, carrying every point that lies inside it: a word
 * and its bits, or a 32-bit value and its words, are read once. Widest first, so each point joins
 * the outermost range holding it.
 */
export function enclosingReads(points: readonly PlanPoint[], indices: readonly number[]): ReadRequest[] {
  const reads: { table: Table; start: number; length: number; points: number[] }[] = []
  const widestFirst = [...indices].sort((a, b) => points[b].count - points[a].count || points[a].offset - points[b].offset)
  for (const i of widestFirst) {
    const p = points[i]
    const holder = reads.find((r) => r.table === p.table && r.start <= p.offset && p.offset + p.count <= r.start + r.length)
    if (holder === undefined) reads.push({ table: p.table, start: p.offset, length: p.count, points: [i] })
    else holder.points.push(i)
  }
  return reads.sort((a, b) => tableOrder.indexOf(a.table) - tableOrder.indexOf(b.table) || a.start - b.start)
}
