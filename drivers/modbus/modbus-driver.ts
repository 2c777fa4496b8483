/** createModbusDriver(config): the Driver for one Modbus device (TCP, RTU, or RTU over TCP). */
import { DriverError, type Driver, type PointInfo, type Reading } from '../driver.js'
import type { Log } from '../../gateway/model/log.js'
import type { Value } from '../../gateway/model/value.js'
import { acquireBus, type Bus } from './bus.js'
import { defaults, type ModbusDeviceConfig, sharedBusKey } from './config.js'
import { planRequests, type ReadRequest } from './plan.js'
import { RejectedPoints } from './rejected-points.js'
import { runScan } from './scan.js'
import { dataTypes } from './types.js'
import { writePoint } from './write.js'

interface GroupPlan {
  readonly indices: readonly number[]
  requests: readonly ReadRequest[]
  /** RejectedPoints.version the requests were planned for. */
  version: number
  scans: number
}

export function createModbusDriver(config: ModbusDeviceConfig, log: Log): Driver {
  const rejected = new RejectedPoints()
  const plans = new WeakMap<readonly string[], GroupPlan>()
  let bus: Bus | null = null

  // No index by name kept for the driver's life: a group's plan is made once (and a point's
  // read-back list once), and a write goes to the device anyway.
  const indicesOf = (names: readonly string[]): number[] => {
    const byName = new Map(config.points.map((p, i) => [p.name, i]))
    return names.map((name) => {
      const index = byName.get(name)
      if (index === undefined) throw unknownTag(name)
      return index
    })
  }
  const indexOf = (name: string): number => {
    const index = config.points.findIndex((p) => p.name === name)
    if (index < 0) throw unknownTag(name)
    return index
  }

  const planFor = (names: readonly string[]): GroupPlan => {
    let plan = plans.get(names)
    if (plan === undefined) {
      plan = { indices: indicesOf(names), requests: [], version: -1, scans: 0 }
      plans.set(names, plan)
    }
    if (plan.version !== rejected.version) {
      const group = plan.indices.map((i) => config.points[i])
      const excluded = new Set(plan.indices.flatMap((i, k) => (rejected.has(i) ? [k] : [])))
      const indices = plan.indices
      plan.requests = planRequests(group, config.limits, excluded).map((r) => ({ ...r, points: r.points.map((k) => indices[k]) }))
      plan.version = rejected.version
      log.debug('scan planned', { points: indices.length, requests: plan.requests.length, rejected: excluded.size })
    }
    return plan
  }

  return {
    // Made when asked (at start and at a reload): the gateway keeps its own tag definitions.
    get points(): PointInfo[] {
      return config.points.map((p) => ({ name: p.name, type: p.bit !== undefined ? 'Boolean' : dataTypes[p.type].sparkplug }))
    },

    async open() {
      if (bus !== null) return bus.connect()
      const acquired = acquireBus(sharedBusKey(config), config.transport)
      try {
        await acquired.connect()
        bus = acquired
      } catch (err) {
        await acquired.release()
        throw err
      }
    },

    async read(names: readonly string[]): Promise<Reading[]> {
      if (bus === null) throw new DriverError('connection', 'read before open()')
      const plan = planFor(names)
      plan.scans++
      const isolated = plan.indices.filter((i) => rejected.has(i))
      const probe = plan.scans % defaults.reprobeEvery === 0
      const ctx = { points: config.points, bus, unitId: config.unitId, timeoutMs: config.timeoutMs, rejected }
      const readings = await runScan(ctx, { order: plan.indices, requests: plan.requests, probes: probe ? isolated : [], skipped: probe ? [] : isolated })
      if (rejected.version !== plan.version) log.info('tags rejected by the device changed', { rejected: plan.indices.filter((i) => rejected.has(i)).length })
      return readings
    },

    async write(name: string, value: Value): Promise<void> {
      if (bus === null) throw new DriverError('connection', 'write before open()')
      await writePoint({ bus, unitId: config.unitId, timeoutMs: config.timeoutMs }, config.points[indexOf(name)], value)
    },

    async close() {
      const released = bus
      bus = null
      await released?.release()
    },
  }
}

const unknownTag = (name: string): DriverError => new DriverError('rejected', `no tag named "${name}" on this device`)
