import type { DataRecord, Metric, SparkplugType, Value } from '../model/value.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { NodeMetricDef } from './node-metrics.js'
import type { Payload, PayloadMetric, PropertySet } from './payload.js'
import { convertExactly } from './retype.js'

/** One metric the node or a device declares in its birth. */
export interface Declared {
  readonly name: string
  readonly type: SparkplugType
  /** Absent for bdSeq and Node Control/* (tck-id operational-behavior-data-commands-rebirth-name-aliases). */
  readonly alias?: number
  readonly writable: boolean
  readonly tag?: TagDef
}

export interface DeviceDef {
  readonly deviceId: string
  readonly tags: readonly TagDef[]
}

const QUALITY_GOOD = 192
const QUALITY_UNCERTAIN = 64
const QUALITY_BAD = 0

/**
 * The Sparkplug state of the edge node, without I/O: what every metric is called and aliased,
 * its last value (for births), which devices are online, and how records become payloads.
 * Aliases are unique across the node and all its devices (tck-id payloads-alias-uniqueness).
 */
export class Session {
  private readonly declared = new Map<string | null, Map<string, Declared>>()
  private readonly byAlias = new Map<number, { deviceId: string | null; metric: Declared }>()
  private readonly values = new Map<string | null, Map<string, Metric>>()
  private readonly online = new Set<string>()
  /** Aliases whose last published value was null or uncertain, so that recovery carries Quality GOOD. */
  private readonly bad = new Set<number>()
  private nextAlias = 1

  constructor(nodeMetrics: readonly NodeMetricDef[], devices: readonly DeviceDef[], now = Date.now()) {
    const node = new Map<string, Declared>()
    this.declared.set(null, node)
    this.values.set(null, new Map())
    for (const def of nodeMetrics) {
      this.declare(null, { name: def.name, type: def.type, writable: def.writable, ...(def.aliased ? { alias: this.nextAlias++ } : {}) })
      this.values.get(null)!.set(def.name, { name: def.name, type: def.type, value: def.value, at: now })
    }
    for (const device of devices) this.addDevice(device)
  }

  /** Declares a device's metrics (offline until `setOnline`). */
  addDevice(device: DeviceDef): void {
    this.declared.set(device.deviceId, new Map())
    this.values.set(device.deviceId, new Map())
    for (const tag of device.tags) this.declare(device.deviceId, { name: tag.name, type: tag.type, alias: this.nextAlias++, writable: tag.writable, tag })
  }

  /**
   * Declares a device anew after its tag file changed. A metric with the same name and type keeps
   * its alias (a host's history stays joined up); a new one gets a new alias; aliases of metrics
   * that are gone are retired, never reused. Values of kept metrics stay for the next DBIRTH.
   */
  replaceDevice(device: DeviceDef): void {
    const before = this.declared.get(device.deviceId) ?? new Map<string, Declared>()
    const values = this.values.get(device.deviceId) ?? new Map<string, Metric>()
    this.forgetAliases(device.deviceId)
    this.declared.set(device.deviceId, new Map())
    const kept = new Map<string, Metric>()
    for (const tag of device.tags) {
      const old = before.get(tag.name)
      const same = old !== undefined && old.type === tag.type
      this.declare(device.deviceId, { name: tag.name, type: tag.type, alias: same ? old.alias! : this.nextAlias++, writable: tag.writable, tag })
      const value = values.get(tag.name)
      if (same && value !== undefined) kept.set(tag.name, value)
    }
    this.values.set(device.deviceId, kept)
  }

  /** Forgets a device whose tag file was removed; its aliases are retired. */
  removeDevice(deviceId: string): void {
    this.forgetAliases(deviceId)
    this.declared.delete(deviceId)
    this.values.delete(deviceId)
    this.online.delete(deviceId)
  }

  get deviceIds(): string[] {
    return [...this.declared.keys()].filter((id): id is string => id !== null)
  }

  isOnline(deviceId: string): boolean {
    return this.online.has(deviceId)
  }

  setOnline(deviceId: string, online: boolean): void {
    if (online) this.online.add(deviceId)
    else this.online.delete(deviceId)
  }

  onlineDevices(): string[] {
    return this.deviceIds.filter((id) => this.online.has(id))
  }

  /** Records new values (for the next births) and returns the DATA record to buffer, or null if empty. */
  data(deviceId: string | null, metrics: readonly Metric[], at = Date.now()): DataRecord | null {
    if (metrics.length === 0) return null
    const values = this.values.get(deviceId)
    if (values === undefined) return null
    for (const metric of metrics) values.set(metric.name, metric)
    return { deviceId, at, metrics }
  }

  /** Whether the current births declare any metric of `record`. */
  declaresAny(record: DataRecord): boolean {
    const declared = this.declared.get(record.deviceId)
    return declared !== undefined && record.metrics.some((m) => declared.has(m.name))
  }

  lookup(deviceId: string | null, nameOrAlias: string | number): Declared | undefined {
    if (typeof nameOrAlias === 'number') {
      const hit = this.byAlias.get(nameOrAlias)
      return hit && hit.deviceId === deviceId ? hit.metric : undefined
    }
    return this.declared.get(deviceId)?.get(nameOrAlias)
  }

  lastValue(deviceId: string | null, name: string): Value | null | undefined {
    return this.values.get(deviceId)?.get(name)?.value
  }

  nbirth(bdSeq: number, now: number): Payload {
    const metrics = [this.bdSeqMetric(bdSeq, now), ...this.birthMetrics(null, now)]
    return { timestamp: now, metrics }
  }

  dbirth(deviceId: string, now: number): Payload {
    return { timestamp: now, metrics: this.birthMetrics(deviceId, now) }
  }

  /** NDEATH: exactly one metric, bdSeq, no seq (tck-id topics-ndeath-payload). */
  ndeath(bdSeq: number, now: number): Payload {
    return { timestamp: now, metrics: [this.bdSeqMetric(bdSeq, now)] }
  }

  ddeath(now: number): Payload {
    return { timestamp: now, metrics: [] }
  }

  /**
   * A DATA payload for buffered records of one device (or the node), aliases only. Metrics the
   * current births do not declare are left out (a host would reject them); returns null if none
   * remain. A value recorded as another type than the births now declare (a reload retyped its
   * tag) is converted where that is exact, else sent as history by name with its recorded datatype.
   */
  dataPayload(records: readonly DataRecord[], historical: boolean, now: number): Payload | null {
    const metrics: PayloadMetric[] = []
    for (const record of records) {
      const declared = this.declared.get(record.deviceId)
      if (declared === undefined) continue
      for (const metric of record.metrics) {
        const def = declared.get(metric.name)
        if (def === undefined) continue
        metrics.push(def.type === metric.type ? this.dataMetric(def, metric, historical) : this.retypedMetric(def, metric))
      }
    }
    return metrics.length === 0 ? null : { timestamp: now, metrics }
  }

  private dataMetric(def: Declared, metric: Metric, historical: boolean): PayloadMetric {
    const out: PayloadMetric = def.alias !== undefined
      ? { alias: def.alias, timestamp: metric.at, valueType: def.type }
      : { name: def.name, timestamp: metric.at, valueType: def.type }
    if (historical) out.isHistorical = true
    // History is older than what the host shows now, so only live values move the host's quality.
    const tracked = def.alias !== undefined && !historical
    if (metric.value === null) {
      out.isNull = true
      out.properties = quality(QUALITY_BAD)
      if (tracked) this.bad.add(def.alias)
    } else if (metric.uncertain === true) {
      out.value = metric.value
      out.properties = quality(QUALITY_UNCERTAIN)
      if (tracked) this.bad.add(def.alias)
    } else {
      out.value = metric.value
      if (tracked && this.bad.delete(def.alias)) out.properties = quality(QUALITY_GOOD)
    }
    if (def.alias === undefined) out.datatype = def.type
    return out
  }

  /**
   * Always history: it was read before the birth that declared the new type, which carries the
   * current value. Under the alias the host would read it as the new type, so a value the new
   * type cannot hold exactly goes by name, with the datatype it was read as.
   */
  private retypedMetric(def: Declared, metric: Metric): PayloadMetric {
    const converted = convertExactly(metric.value, metric.type, def.type)
    if (converted !== undefined) return this.dataMetric(def, { ...metric, type: def.type, value: converted.value }, true)
    const out: PayloadMetric = { name: def.name, timestamp: metric.at, datatype: metric.type, isHistorical: true }
    if (metric.value === null) {
      out.isNull = true
      out.properties = quality(QUALITY_BAD)
    } else {
      out.value = metric.value
      if (metric.uncertain === true) out.properties = quality(QUALITY_UNCERTAIN)
    }
    return out
  }

  private birthMetrics(deviceId: string | null, now: number): PayloadMetric[] {
    const out: PayloadMetric[] = []
    const values = this.values.get(deviceId)!
    for (const def of this.declared.get(deviceId)!.values()) {
      const last = values.get(def.name)
      const metric: PayloadMetric = { name: def.name, datatype: def.type, timestamp: Math.min(last?.at ?? now, now) }
      if (def.alias !== undefined) metric.alias = def.alias
      const value = last?.value ?? null
      if (value === null) metric.isNull = true
      else metric.value = value
      const code = value === null ? QUALITY_BAD : last?.uncertain === true ? QUALITY_UNCERTAIN : QUALITY_GOOD
      if (def.tag !== undefined) metric.properties = tagProperties(def.tag, code)
      if (def.alias !== undefined) {
        if (code !== QUALITY_GOOD) this.bad.add(def.alias)
        else this.bad.delete(def.alias)
      }
      out.push(metric)
    }
    return out
  }

  private bdSeqMetric(bdSeq: number, now: number): PayloadMetric {
    return { name: 'bdSeq', datatype: 'Int64', timestamp: now, value: BigInt(bdSeq) }
  }

  private forgetAliases(deviceId: string): void {
    for (const metric of this.declared.get(deviceId)?.values() ?? []) {
      if (metric.alias === undefined) continue
      this.byAlias.delete(metric.alias)
      this.bad.delete(metric.alias)
    }
  }

  private declare(deviceId: string | null, metric: Declared): void {
    this.declared.get(deviceId)!.set(metric.name, metric)
    if (metric.alias !== undefined) this.byAlias.set(metric.alias, { deviceId, metric })
  }
}

function quality(code: number): PropertySet {
  return { Quality: { type: 'Int32', value: code } }
}

// Property names as Ignition reads them, so units, read-only and documentation show up there.
function tagProperties(tag: TagDef, code: number): PropertySet {
  const props: PropertySet = { Quality: { type: 'Int32', value: code } }
  if (tag.units !== undefined) props.engUnit = { type: 'String', value: tag.units }
  props.readOnly = { type: 'Boolean', value: !tag.writable }
  if (tag.description !== undefined) props.documentation = { type: 'String', value: tag.description }
  return props
}
