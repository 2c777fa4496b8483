/**
 * createOpcuaDriver(config): the Driver for one OPC UA server. node-opcua is imported by `open()`
 * only, so a gateway without OPC UA devices never loads it.
 *
 * Subscription mode: `open()` reads every node once (seeding the latest values and learning the
 * server's data types), then monitors them; every point is `watched`: once the server has answered
 * its first Publish, `watch()` delivers every point's current value and then each notification as
 * it arrives, and it reports the loss of the session or subscription. `read()` is one batched Read in both modes: the loop calls it in subscription
 * mode for a write's read-back, which must be the value the server holds after the write, not the
 * last notification from before it. Polling mode: `watch()` only reports a lost session.
 */
import { DriverError, type Driver, type DriverContext, type DriverListener, type PointInfo, type Reading } from '../driver.js'
import type { Log } from '../../gateway/model/log.js'
import type { Value } from '../../gateway/model/value.js'
import type { DataValue } from 'node-opcua-client'
import { withPki, type OpcuaDeviceConfig } from './config.js'
import { PointValues, type ByteBudget } from './point-values.js'
import type { OpcuaConnection } from './session.js'
import type { Subscription } from './subscription.js'
import { builtInIds, toOpcua, typeName } from './types.js'

export interface OpcuaDriver extends Driver {
  /**
   * After `open()`: every point with the type it is published as (declared, else the server's).
   * Calling it (or `watch`) switches readings from the construction-time `points` types to these.
   */
  resolvedPoints(): PointInfo[]
  watch(listener: DriverListener): void
}

export function createOpcuaDriver(parsed: OpcuaDeviceConfig, log: Log, context?: DriverContext): OpcuaDriver {
  const config = withPki(parsed, context?.stateDir)
  const values = new PointValues(config, log)
  let connection: OpcuaConnection | null = null
  let subscription: Subscription | null = null
  let lost: DriverError | null = null
  let watcher: DriverListener | null = null
  /**
   * Subscription mode: whether this connection's server has answered a Publish yet. Until then
   * nothing is delivered: a server that answers Read but never Publish must not count as online
   * on the values the open read, or the device flaps instead of going offline.
   */
  let publishing = false
  let firstPending = false
  /** Counts opens and closes, so that a first delivery scheduled for an earlier connection is dropped. */
  let generation = 0
  /** Bytes the current Publish answer may still bring (reset by each one). */
  let publishBudget: ByteBudget = { left: config.maxBytesPerScan }

  const loseAll = (error: DriverError): void => {
    if (lost !== null) return
    lost = error
    watcher?.lost(error)
  }

  /** The first delivery of a connection carries every point: what was published, else what open read. */
  const firstDelivery = (of: number): void => {
    firstPending = false
    if (of !== generation) return
    publishing = true
    watcher?.readings(values.all())
  }

  const notifications = {
    changed(i: number, dv: DataValue) {
      values.learnType(i, dv)
      if (values.isStale(i, dv)) return
      values.latest[i] = values.tooLarge(i, dv, publishBudget) ?? dv
      if (publishing) watcher?.readings([values.current(i)])
      // The items of one Publish answer are handed over one after the other: deliver once all of them are in.
      else if (!firstPending) {
        firstPending = true
        setImmediate(firstDelivery, generation)
      }
    },
    notified() {
      publishBudget = { left: config.maxBytesPerScan }
    },
    keptAlive() {
      if (!publishing && !firstPending) firstDelivery(generation)
    },
    lost: loseAll,
  }

  return {
    points: values.points,
    ...(config.mode === 'subscription' ? { watched: config.points.map((p) => p.name) } : {}),

    async open() {
      if (connection !== null) return
      generation++
      const { connect } = await import('./session.js')
      const opened = await connect(config, log)
      try {
        lost = null
        opened.onLost(loseAll)
        const read = await opened.read(config.points.map((p) => p.nodeId))
        values.learnTypes(read)
        const budget = { left: config.maxBytesPerScan }
        values.latest = read.map((dv, i) => values.tooLarge(i, dv, budget) ?? dv)
        if (config.mode === 'subscription') {
          const { subscribe } = await import('./subscription.js')
          publishing = false
          firstPending = false
          subscription = await subscribe(opened, config.publishingIntervalMs, config.timeoutMs, config.points, notifications, log)
          subscription.refused.forEach((why, i) => {
            if (why !== null) values.refused(i, why)
          })
        }
        connection = opened
        log.info('OPC UA session open', {
          endpoint: config.endpoint, security: `${config.securityMode}/${config.securityPolicy}`, mode: config.mode, tags: config.points.length,
        })
      } catch (err) {
        await subscription?.stop()
        subscription = null
        await opened.close()
        throw err
      }
    },

    async read(names: readonly string[]): Promise<Reading[]> {
      if (connection === null) throw new DriverError('connection', 'read before open()')
      if (lost !== null) throw lost
      const indices = names.map((name) => values.indexOf(name))
      const read = await connection.read(indices.map((i) => config.points[i].nodeId))
      const budget = { left: config.maxBytesPerScan }
      return read.map((dv, k) => {
        const i = indices[k]!
        const entry = values.tooLarge(i, dv, budget) ?? dv
        if (config.mode === 'subscription' && !values.isStale(i, dv)) values.latest[i] = entry
        return 'point' in entry ? entry : values.toReading(i, entry)
      })
    },

    async write(name: string, value: Value): Promise<void> {
      if (connection === null) throw new DriverError('connection', 'write before open()')
      const i = values.indexOf(name)
      const p = config.points[i]
      if (!p.writable) throw new DriverError('rejected', `write ${name}: the tag is not writable`)
      const t = values.writeType(i)
      if (t === null) throw new DriverError('rejected', `write ${name} (${p.nodeId}): the node's data type is not known yet (no good value read)`)
      const converted = toOpcua(value, t)
      if (!converted.ok) throw new DriverError('rejected', `write ${name} (${p.nodeId} is ${typeName(t)}): ${converted.message}`)
      const variant = { dataType: builtInIds[t.base], arrayType: t.array ? 1 : 0, value: converted.opcua }
      await connection.write(p.nodeId, { value: variant }, `write ${name} (${p.nodeId} as ${typeName(t)})`)
    },

    async close() {
      const [s, c] = [subscription, connection]
      generation++
      publishing = false
      subscription = null
      connection = null
      await s?.stop()
      await c?.close()
    },

    resolvedPoints() {
      return values.resolvedPoints()
    },

    watch(listener: DriverListener) {
      watcher = listener
      values.resolvedPoints()
      if (lost !== null) listener.lost(lost)
      else if (config.mode === 'subscription' && connection !== null && publishing) listener.readings(values.all())
    },
  }
}
