/**
 * Runs one scan group: its planned block reads, decoding each point from its block. A block the device
 * refuses with exception 2/3 is split into smaller reads (one per outermost range its points span, so a
 * word and its bits share one) until only the tags on refused registers go bad; those are remembered
 * (the plan leaves them out) and probed again every few scans.
 */
import type { Reading } from '../driver.js'
import { DriverError } from '../driver.js'
import type { Bus } from './bus.js'
import { decodeRegisters } from './decode.js'
import { exceptionCode, toDriverError } from './errors.js'
import type { ModbusPoint } from './point.js'
import { enclosingReads, type ReadRequest } from './plan.js'
import { describeRange, readBlock } from './read-block.js'
import type { RejectedPoints } from './rejected-points.js'
import { isBitTable } from './types.js'

/** What the scan needs of the driver: its points, its bus and the memory of rejected points. */
export interface ScanContext {
  readonly points: readonly ModbusPoint[]
  readonly bus: Bus
  readonly unitId: number
  readonly timeoutMs: number
  /** Why the device rejected a point, by point index. Shared by every scan group of the device. */
  readonly rejected: RejectedPoints
}

/** What one scan does, as point indices: block reads, rejected points probed alone, rejected points left out. */
export interface ScanJob {
  /** The group's points in the order the caller asked for them; readings come back in this order. */
  readonly order: readonly number[]
  readonly requests: readonly ReadRequest[]
  readonly probes: readonly number[]
  readonly skipped: readonly number[]
}

export async function runScan(ctx: ScanContext, job: ScanJob): Promise<Reading[]> {
  const readings = new Map<number, Reading>()
  let garbled = 0
  let answered = 0
  const read = async (request: ReadRequest): Promise<void> => {
    const what = `read ${describeRange(request.table, request.start, request.length)}`
    try {
      const data = await ctx.bus.request(ctx.unitId, ctx.timeoutMs, (c) => readBlock(c, request.table, request.start, request.length))
      answered++
      const at = Date.now()
      for (const i of request.points) readings.set(i, decodePoint(ctx.points[i], request, data, at))
      for (const i of request.points) ctx.rejected.delete(i)
    } catch (err) {
      const error = toDriverError(err, what)
      if (error.kind === 'connection' || error.kind === 'timeout' || error.kind === 'busy') throw error
      answered++
      if (error.kind === 'decode') garbled++
      let failed = request.points
      const code = exceptionCode(err)
      if (code === 2 || code === 3) {
        // Points spanning exactly the refused range are refused themselves; the others are read by
        // the smaller ranges they span, so only the tags on the refused registers go bad.
        const whole = (i: number) => ctx.points[i].offset === request.start && ctx.points[i].count === request.length
        failed = request.points.filter(whole)
        for (const i of failed) ctx.rejected.set(i, error)
        for (const part of enclosingReads(ctx.points, request.points.filter((i) => !whole(i)))) await read(part)
      }
      const at = Date.now()
      for (const i of failed) readings.set(i, { point: ctx.points[i].name, at, error })
    }
  }
  for (const request of job.requests) await read(request)
  for (const probe of enclosingReads(ctx.points, job.probes)) await read(probe)
  if (garbled > 0 && garbled === answered) {
    throw new DriverError('connection', `every reply from unit ${ctx.unitId} was garbled; the link looks broken`)
  }
  const at = Date.now()
  for (const i of job.skipped) {
    const error = ctx.rejected.get(i) ?? new DriverError('rejected', `${ctx.points[i].name}: rejected by the device`)
    readings.set(i, { point: ctx.points[i].name, at, error })
  }
  return job.order.map((i) => readings.get(i) as Reading)
}

function decodePoint(p: ModbusPoint, request: ReadRequest, data: readonly number[], at: number): Reading {
  const from = p.offset - request.start
  const slice = data.slice(from, from + p.count)
  if (slice.length < p.count) {
    const error = new DriverError('decode', `${p.name}: reply to ${describeRange(request.table, request.start, request.length)} was short (${data.length} values)`)
    return { point: p.name, at, error }
  }
  const value = isBitTable(p.table) ? slice[0] === 1 : decodeRegisters(p, slice)
  return { point: p.name, at, value }
}
