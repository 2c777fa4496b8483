import type { DataRecord, Metric } from '../model/value.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { Declared, NodeView } from '../node/node-state.js'
import type { Payload, PayloadMetric, PropertySet } from './payload.js'
import { convertExactly } from './retype.js'
import { definitionMetric, instanceBirthMetric, instanceDataMetric } from './template-payloads.js'

const QUALITY_GOOD = 192
const QUALITY_UNCERTAIN = 64
const QUALITY_BAD = 0

/**
 * Turns the node's state and buffered records into Sparkplug payloads: births with every
 * declared metric and its last value, data by alias, deaths. Remembers, per device, which aliases
 * last went out null or uncertain, so that a recovered value carries Quality GOOD.
 */
export class PayloadBuilder {
  /** Aliases, and names of template members (which have none), that last went out null or uncertain. */
  private readonly bad = new Map<string | null, Set<number | string>>()

  constructor(private readonly state: NodeView) {}

  nbirth(bdSeq: number, now: number): Payload {
    const declared = new Set(this.state.deviceIds)
    for (const deviceId of this.bad.keys()) if (deviceId !== null && !declared.has(deviceId)) this.bad.delete(deviceId)
    const types = this.state.templates()
    const definitions = [...types.values()].map((t) => definitionMetric(t, types, now))
    const metrics = [bdSeqMetric(bdSeq, now), ...this.birthMetrics(null, now), ...definitions]
    return { timestamp: now, metrics }
  }

  dbirth(deviceId: string, now: number): Payload {
    return { timestamp: now, metrics: this.birthMetrics(deviceId, now) }
  }

  /** NDEATH: exactly one metric, bdSeq, no seq (tck-id topics-ndeath-payload). */
  ndeath(bdSeq: number, now: number): Payload {
    return { timestamp: now, metrics: [bdSeqMetric(bdSeq, now)] }
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
      const declared = this.state.declared(record.deviceId)
      if (declared === undefined) continue
      // History is older than what the host shows now, so only live values move the host's quality.
      const bad = historical ? null : this.badOf(record.deviceId)
      const members = new Map<string, Map<string, PayloadMetric>>()
      for (const metric of record.metrics) {
        const def = declared.get(metric.name)
        if (def === undefined) continue
        const out = def.type === metric.type ? dataMetric(def, metric, bad) : retypedMetric(def, metric)
        const instance = def.tag?.instance
        if (instance === undefined) metrics.push(out)
        else members.set(instance, (members.get(instance) ?? new Map()).set(def.tag!.member!, out))
      }
      for (const [name, changed] of members) {
        const instance = this.state.lookupInstance(record.deviceId!, name)
        if (instance !== undefined) metrics.push(instanceDataMetric(instance, this.state.templates(), changed, historical))
      }
    }
    return metrics.length === 0 ? null : { timestamp: now, metrics }
  }

  private birthMetrics(deviceId: string | null, now: number): PayloadMetric[] {
    const out: PayloadMetric[] = []
    const bad = new Set<number | string>()
    for (const def of this.state.declared(deviceId)!.values()) {
      if (def.tag?.instance === undefined) out.push(this.birthMetric(deviceId, def, now, bad))
    }
    if (deviceId !== null) {
      const types = this.state.templates()
      for (const instance of this.state.instances(deviceId).values()) {
        out.push(instanceBirthMetric(instance, types, (def) => this.birthMetric(deviceId, def, now, bad), now))
      }
    }
    this.bad.set(deviceId, bad)
    return out
  }

  private birthMetric(deviceId: string | null, def: Declared, now: number, bad: Set<number | string>): PayloadMetric {
    const last = this.state.lastMetric(deviceId, def.name)
    const metric: PayloadMetric = { name: def.name, datatype: def.type, timestamp: Math.min(last?.at ?? now, now) }
    if (def.alias !== undefined) metric.alias = def.alias
    const value = last?.value ?? null
    if (value === null) metric.isNull = true
    else metric.value = value
    const code = value === null ? QUALITY_BAD : last?.uncertain === true ? QUALITY_UNCERTAIN : QUALITY_GOOD
    if (def.tag !== undefined) metric.properties = tagProperties(def.tag, code)
    const key = trackedKey(def)
    if (key !== undefined && code !== QUALITY_GOOD) bad.add(key)
    return metric
  }

  private badOf(deviceId: string | null): Set<number | string> {
    let bad = this.bad.get(deviceId)
    if (bad === undefined) this.bad.set(deviceId, (bad = new Set()))
    return bad
  }
}

/** What quality tracking knows a metric by: its alias, or the name of a template member; node metrics without alias are not tracked. */
function trackedKey(def: Declared): number | string | undefined {
  return def.alias ?? (def.tag?.instance !== undefined ? def.name : undefined)
}

/** `bad` is the device's set of aliases (and member names) that last went out null or uncertain; null for history. */
function dataMetric(def: Declared, metric: Metric, bad: Set<number | string> | null): PayloadMetric {
  const out: PayloadMetric = def.alias !== undefined
    ? { alias: def.alias, timestamp: metric.at, valueType: def.type }
    : { name: def.name, timestamp: metric.at, valueType: def.type }
  if (bad === null) out.isHistorical = true
  const key = trackedKey(def)
  const tracked = key !== undefined ? bad : null
  if (metric.value === null) {
    out.isNull = true
    out.properties = quality(QUALITY_BAD)
    tracked?.add(key!)
  } else if (metric.uncertain === true) {
    out.value = metric.value
    out.properties = quality(QUALITY_UNCERTAIN)
    tracked?.add(key!)
  } else {
    out.value = metric.value
    if (tracked?.delete(key!) === true) out.properties = quality(QUALITY_GOOD)
  }
  if (def.alias === undefined) out.datatype = def.type
  return out
}

/**
 * Always history: it was read before the birth that declared the new type, which carries the
 * current value. Under the alias the host would read it as the new type, so a value the new
 * type cannot hold exactly goes by name, with the datatype it was read as.
 */
function retypedMetric(def: Declared, metric: Metric): PayloadMetric {
  const converted = convertExactly(metric.value, metric.type, def.type)
  if (converted !== undefined) return dataMetric(def, { ...metric, type: def.type, value: converted.value }, null)
  // convertExactly carries a null to any type: what is left is a value the new type cannot hold.
  const out: PayloadMetric = { name: def.name, timestamp: metric.at, datatype: metric.type, isHistorical: true, value: metric.value! }
  if (metric.uncertain === true) out.properties = quality(QUALITY_UNCERTAIN)
  return out
}

function bdSeqMetric(bdSeq: number, now: number): PayloadMetric {
  return { name: 'bdSeq', datatype: 'Int64', timestamp: now, value: BigInt(bdSeq) }
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
