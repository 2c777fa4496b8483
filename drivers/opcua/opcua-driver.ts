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
import type { SparkplugType, Value } from '../../gateway/model/value.js'
import type { DataValue } from 'node-opcua-client'
import { withPki, type OpcuaDeviceConfig } from './config.js'
import { describeStatus } from './errors.js'
import type { OpcuaConnection } from './session.js'
import type { Subscription } from './subscription.js'
import { measure } from './value-size.js'
import { builtInIds, fromOpcua, type OpcuaType, severity, sparkplugTypeOf, toOpcua, toText, typeName, typeOfVariant } from './types.js'

export interface OpcuaDriver extends Driver {
  /**
   * After `open()`: every point with the type it is published as (declared, else the server's).
   * Calling it (or `watch`) switches readings from the construction-time `points` types to these.
   */
  resolvedPoints(): PointInfo[]
  watch(listener: DriverListener): void
}

/** A tag without `type` whose node had no good value to learn its type from is published as text. */
const unresolved: SparkplugType = 'String'

export function createOpcuaDriver(parsed: OpcuaDeviceConfig, log: Log, context?: DriverContext): OpcuaDriver {
  const config = withPki(parsed, context?.stateDir)
  const declared = config.points.map((p) => (p.declared === null ? null : sparkplugTypeOf(p.declared)))
  const points: PointInfo[] = config.points.map((p, i) => ({ name: p.name, type: declared[i] ?? unresolved }))
  const byName = new Map(config.points.map((p, i) => [p.name, i]))
  const serverTypes: (OpcuaType | null)[] = config.points.map(() => null)
  let published: readonly SparkplugType[] = points.map((p) => p.type)
  let connection: OpcuaConnection | null = null
  let subscription: Subscription | null = null
  /** Subscription mode: the latest DataValue per point (or why the server refused its item), converted when read. */
  let latest: (DataValue | Reading)[] = []
  /** Set by the caller taking resolved types (resolvedPoints, watch): from then on values follow them. */
  let resolving = false
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

  const indexOf = (name: string): number => {
    const index = byName.get(name)
    if (index === undefined) throw new DriverError('rejected', `no tag named "${name}" on this device`)
    return index
  }

  const toReading = (i: number, dv: DataValue): Reading => {
    const point = config.points[i].name
    const at = (dv.sourceTimestamp ?? dv.serverTimestamp)?.getTime() ?? Date.now()
    const quality = severity(dv.statusCode.value)
    if (quality === 'bad') return { point, at, error: new DriverError('rejected', `${config.points[i].nodeId}: ${describeStatus(dv.statusCode)}`) }
    const from = typeOfVariant(dv.value.dataType, dv.value.arrayType)
    if (from === null) return { point, at, error: new DriverError('decode', `${config.points[i].nodeId}: OPC UA data type ${dv.value.dataType} has no Sparkplug mapping`) }
    const to = published[i]
    const converted = declared[i] === null && to === unresolved ? { ok: true as const, value: toText(dv.value.value, from) } : fromOpcua(dv.value.value, from, to)
    if (!converted.ok) return { point, at, error: new DriverError('decode', `${point} (${config.points[i].nodeId}): ${converted.message}`) }
    return quality === 'uncertain' ? { point, at, value: converted.value, quality } : { point, at, value: converted.value }
  }

  const resolve = (): void => {
    published = config.points.map((_, i) => declared[i] ?? (serverTypes[i] === null ? null : sparkplugTypeOf(serverTypes[i]!)) ?? unresolved)
  }

  /** Tags whose last value was too large, logged once until a value fits again. */
  const tooLargeLogged = new Set<number>()
  /** Bytes the current Publish answer may still bring (reset by each one). */
  let publishBudget = { left: config.maxBytesPerScan }

  /**
   * A bad reading for a value over its tag's limits or past the scan's byte budget, decided from
   * the lengths node-opcua decoded, before anything converts or copies the value; null: it fits.
   */
  const tooLarge = (i: number, dv: DataValue, budget: { left: number }): Reading | null => {
    const t = severity(dv.statusCode.value) === 'bad' ? null : typeOfVariant(dv.value.dataType, dv.value.arrayType)
    if (t === null) return null
    const p = config.points[i]
    const m = measure(dv.value.value, t, p.limits)
    const problem = 'problem' in m ? m.problem
      : m.bytes > budget.left ? `${m.bytes} bytes would pass connection.maxBytesPerScan ${config.maxBytesPerScan} with the other values of this scan` : null
    if (problem === null) {
      budget.left -= (m as { bytes: number }).bytes
      tooLargeLogged.delete(i)
      return null
    }
    if (!tooLargeLogged.has(i)) {
      tooLargeLogged.add(i)
      log.warn('OPC UA value too large: published as bad until it fits', { tag: p.name, nodeId: p.nodeId, reason: problem })
    }
    const at = (dv.sourceTimestamp ?? dv.serverTimestamp)?.getTime() ?? Date.now()
    return { point: p.name, at, error: new DriverError('decode', `${p.name} (${p.nodeId}): ${problem}`) }
  }

  /** Source (else server) time of a value, for telling a stale notification from a newer value. */
  const sampledAt = (entry: DataValue | Reading | undefined): number | null => {
    if (entry === undefined || 'point' in entry) return null
    return (entry.sourceTimestamp ?? entry.serverTimestamp)?.getTime() ?? null
  }

  /**
   * A notification sampled before the value the driver already holds (a write's read-back
   * overtaking the publish that was in flight) would republish the old value as new data.
   */
  const isStale = (i: number, dv: DataValue): boolean => {
    const [held, incoming] = [sampledAt(latest[i]), sampledAt(dv)]
    return held !== null && incoming !== null && incoming < held
  }

  const current = (i: number): Reading => {
    const entry = latest[i]
    return 'point' in entry ? entry : toReading(i, entry)
  }

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
    watcher?.readings(config.points.map((_, i) => current(i)))
  }

  const refusedReading = (i: number, why: string): Reading => ({
    point: config.points[i].name, at: Date.now(), error: new DriverError('rejected', `${config.points[i].nodeId}: ${why}`),
  })

  return {
    points,
    ...(config.mode === 'subscription' ? { watched: config.points.map((p) => p.name) } : {}),

    async open() {
      if (connection !== null) return
      generation++
      const { connect } = await import('./session.js')
      const opened = await connect(config, log)
      try {
        lost = null
        opened.onLost(loseAll)
        const values = await opened.read(config.points.map((p) => p.nodeId))
        values.forEach((dv, i) => {
          if (severity(dv.statusCode.value) !== 'bad') serverTypes[i] = typeOfVariant(dv.value.dataType, dv.value.arrayType)
        })
        const budget = { left: config.maxBytesPerScan }
        latest = values.map((dv, i) => tooLarge(i, dv, budget) ?? dv)
        if (resolving) resolve()
        if (config.mode === 'subscription') {
          const { subscribe } = await import('./subscription.js')
          publishing = false
          firstPending = false
          const listener = {
            changed(i: number, dv: DataValue) {
              if (severity(dv.statusCode.value) !== 'bad' && serverTypes[i] === null) serverTypes[i] = typeOfVariant(dv.value.dataType, dv.value.arrayType)
              if (isStale(i, dv)) return
              latest[i] = tooLarge(i, dv, publishBudget) ?? dv
              if (publishing) watcher?.readings([current(i)])
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
          subscription = await subscribe(opened, config.publishingIntervalMs, config.timeoutMs, config.points, listener, log)
          subscription.refused.forEach((why, i) => {
            if (why !== null) latest[i] = refusedReading(i, why)
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
      const indices = names.map(indexOf)
      const values = await connection.read(indices.map((i) => config.points[i].nodeId))
      const budget = { left: config.maxBytesPerScan }
      return values.map((dv, k) => {
        const i = indices[k]
        const entry = tooLarge(i, dv, budget) ?? dv
        if (config.mode === 'subscription' && !isStale(i, dv)) latest[i] = entry
        return 'point' in entry ? entry : toReading(i, entry)
      })
    },

    async write(name: string, value: Value): Promise<void> {
      if (connection === null) throw new DriverError('connection', 'write before open()')
      const i = indexOf(name)
      const p = config.points[i]
      if (!p.writable) throw new DriverError('rejected', `write ${name}: the tag is not writable`)
      const t = serverTypes[i] ?? p.declared
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
      resolving = true
      resolve()
      return config.points.map((p, i) => ({ name: p.name, type: published[i] }))
    },

    watch(listener: DriverListener) {
      watcher = listener
      resolving = true
      resolve()
      if (lost !== null) listener.lost(lost)
      else if (config.mode === 'subscription' && connection !== null && publishing) listener.readings(config.points.map((_, i) => current(i)))
    },
  }
}
