/**
 * One subscription with a monitored item per point, and a callback API: `changed` for every value
 * the server pushes, `lost` once when the subscription is gone. Items with the same parameters are
 * created together, in calls of at most the server's MaxMonitoredItemsPerCall. A server that refuses
 * a deadband filter (no EURange for percent, or no filter support) gets the item without it, logged.
 *
 * Liveness: a notification or a keep-alive proves the subscription is alive; nothing heard for
 * (keep-alive count + 1) publishing intervals plus the request timeout means it is gone.
 */
import {
  AttributeIds, ClientSubscription, type ClientMonitoredItemBase, DataChangeFilter, DataChangeTrigger, type DataValue,
  type MonitoringParametersOptions, StatusCodes, TimestampsToReturn,
} from 'node-opcua-client'
import type { Log } from '../../gateway/model/log.js'
import { DriverError } from '../driver.js'
import { defaults, type Deadband } from './config.js'
import { describeStatus } from './errors.js'
import type { OpcuaConnection } from './session.js'

export interface MonitoredPoint {
  readonly nodeId: string
  readonly samplingIntervalMs: number
  readonly queueSize: number
  readonly deadband: Deadband | null
}

export interface SubscriptionListener {
  /** A new value (or status) of the point at `index` in the list given to `subscribe`. */
  changed(index: number, value: DataValue): void
  /** A Publish answer with notifications arrived; its values follow through `changed`. */
  notified(): void
  /** A Publish was answered with a keep-alive: the server's publish engine works (data comes through `changed`). */
  keptAlive(): void
  lost(error: DriverError): void
}

export interface Subscription {
  /** Per point: null when the item is monitored, else why the server refused it. */
  readonly refused: readonly (string | null)[]
  stop(): Promise<void>
}

const filterRefusals = new Set<number>([
  StatusCodes.BadMonitoredItemFilterUnsupported.value, StatusCodes.BadFilterNotAllowed.value,
  StatusCodes.BadDeadbandFilterInvalid.value, StatusCodes.BadMonitoredItemFilterInvalid.value,
])

export async function subscribe(
  connection: OpcuaConnection, publishingIntervalMs: number, timeoutMs: number, points: readonly MonitoredPoint[], listener: SubscriptionListener, log: Log,
): Promise<Subscription> {
  const subscription = ClientSubscription.create(connection.session, {
    requestedPublishingInterval: publishingIntervalMs,
    requestedMaxKeepAliveCount: defaults.maxKeepAliveCount,
    requestedLifetimeCount: defaults.lifetimeCount,
    maxNotificationsPerPublish: 0,
    publishingEnabled: true,
    priority: 1,
  })
  let stopped = false
  let heard = Date.now()
  const lose = (error: DriverError): void => {
    if (stopped) return
    stopped = true
    clearInterval(watchdog)
    listener.lost(error)
  }
  const quietLimit = (): number => (defaults.maxKeepAliveCount + 1) * subscription.publishingInterval + timeoutMs
  const watchdog = setInterval(() => {
    if (Date.now() - heard > quietLimit()) lose(new DriverError('timeout', `no notification or keep-alive for ${Date.now() - heard} ms`))
  }, Math.max(250, publishingIntervalMs))
  watchdog.unref()
  subscription.on('keepalive', () => {
    heard = Date.now()
    if (!stopped) listener.keptAlive()
  })
  subscription.on('received_notifications', () => {
    heard = Date.now()
    if (!stopped) listener.notified()
  })
  subscription.on('terminated', () => lose(new DriverError('connection', 'the server ended the subscription')))
  subscription.on('status_changed', (status: { value: number; name?: string }) => {
    if (status.value !== StatusCodes.Good.value) lose(new DriverError('connection', `subscription status ${describeStatus(status)}`))
  })
  subscription.on('error', (err: Error) => lose(new DriverError('connection', `subscription: ${err.message}`)))
  subscription.on('internal_error', (err: Error) => lose(new DriverError('connection', `subscription: ${err.message}`)))

  const stop = async (): Promise<void> => {
    stopped = true
    clearInterval(watchdog)
    await subscription.terminate().catch(() => undefined)
  }
  try {
    await new Promise<void>((resolve, reject) => {
      subscription.once('started', () => resolve())
      subscription.once('internal_error', reject)
    })
    const refused = await createItems(subscription, connection.limits.maxMonitoredItemsPerCall, points, listener, log)
    heard = Date.now()
    return { refused, stop }
  } catch (err) {
    await stop()
    throw err instanceof DriverError ? err : new DriverError('connection', `create subscription: ${(err as Error).message}`, { cause: err })
  }
}

async function createItems(
  subscription: ClientSubscription, perCall: number, points: readonly MonitoredPoint[], listener: SubscriptionListener, log: Log,
): Promise<(string | null)[]> {
  const refused: (string | null)[] = points.map(() => null)
  const monitor = async (indices: readonly number[], withFilter: boolean): Promise<number[]> => {
    const filterRefused: number[] = []
    for (const [key, group] of groupBy(indices, (i) => parameterKey(points[i], withFilter))) {
      for (let start = 0; start < group.length; start += perCall) {
        const chunk = group.slice(start, start + perCall)
        const items = await subscription.monitorItems(
          chunk.map((i) => ({ nodeId: points[i].nodeId, attributeId: AttributeIds.Value })),
          parameters(points[chunk[0]], withFilter),
          TimestampsToReturn.Both,
        )
        items.on('changed', (_item: ClientMonitoredItemBase, value: DataValue, k: number) => listener.changed(chunk[k], value))
        items.monitoredItems.forEach((item, k) => {
          const status = item.statusCode
          if (status === undefined || status.isGood()) return
          if (withFilter && points[chunk[k]].deadband !== null && filterRefusals.has(status.value)) filterRefused.push(chunk[k])
          else refused[chunk[k]] = describeStatus(status)
        })
        log.debug('monitored items created', { items: chunk.length, parameters: key })
      }
    }
    return filterRefused
  }
  const again = await monitor(points.map((_, i) => i), true)
  if (again.length > 0) {
    log.warn('the server refused the deadband filter of some tags; they are monitored without it', { tags: again.length, first: points[again[0]].nodeId })
    await monitor(again, false)
  }
  return refused
}

function parameters(p: MonitoredPoint, withFilter: boolean): MonitoringParametersOptions {
  const filter = withFilter && p.deadband !== null
    ? new DataChangeFilter({ trigger: DataChangeTrigger.StatusValue, deadbandType: p.deadband.kind === 'absolute' ? 1 : 2, deadbandValue: p.deadband.value })
    : null
  return { samplingInterval: p.samplingIntervalMs, queueSize: p.queueSize, discardOldest: true, filter }
}

const parameterKey = (p: MonitoredPoint, withFilter: boolean): string =>
  `${p.samplingIntervalMs}/${p.queueSize}/${withFilter && p.deadband ? `${p.deadband.kind}:${p.deadband.value}` : '-'}`

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [item])
    else group.push(item)
  }
  return groups
}
