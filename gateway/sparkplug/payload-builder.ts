import type { DataRecord, Metric } from '../model/value.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { Declared, NodeView } from '../node/node-state.js'
import type { Payload, PayloadMetric, PropertySet } from './payload.js'
import { convertExactly } from './retype.js'

const QUALITY_GOOD = 192
const QUALITY_UNCERTAIN = 64
const QUALITY_BAD = 0

/**
 * Turns the node's state and buffered records into Sparkplug payloads: births with every
 * declared metric and its last value, data by alias, deaths. Remembers, per device, which aliases
 * last went out null or uncertain, so that a recovered value carries Quality GOOD.
 */
export class PayloadBuilder {
  private readonly bad = new Map<string | null, Set<number>>()

  constructor(private readonly state: NodeView) {}

  nbirth(bdSeq: number, now: number): Payload {
    const declared = new Set(this.state.deviceIds)
    for (const deviceId of this.bad.keys()) if (deviceId !== null && !declared.has(deviceId)) this.bad.delete(deviceId)
    const metrics = [bdSeqMetric(bdSeq, now), ...this.birthMetrics(null, now)]
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
      for (const metric of record.metrics) {
        const def = declared.get(metric.name)
        if (def === undefined) continue
        metrics.push(def.type === metric.type ? dataMetric(def, metric, bad) : retypedMetric(def, metric))
      }
    }
    return metrics.length === 0 ? null : { timestamp: now, metrics }
  }

  private birthMetrics(deviceId: string | null, now: number): PayloadMetric[] {
    const out: PayloadMetric[] = []
    const bad = new Set<number>()
    for (const def of this.state.declared(deviceId)!.values()) {
      const last = this.state.lastMetric(deviceId, def.name)
      const metric: PayloadMetric = { name: def.name, datatype: def.type, timestamp: Math.min(last?.at ?? now, now) }
      if (def.alias !== undefined) metric.alias = def.alias
      const value = last?.value ?? null
      if (value === null) metric.isNull = true
      else metric.value = value
      const code = value === null ? QUALITY_BAD : last?.uncertain === true ? QUALITY_UNCERTAIN : QUALITY_GOOD
      if (def.tag !== undefined) metric.properties = tagProperties(def.tag, code)
      if (def.alias !== undefined && code !== QUALITY_GOOD) bad.add(def.alias)
      out.push(metric)
    }
    this.bad.set(deviceId, bad)
    return out
  }

  private badOf(deviceId: string | null): Set<number> {
    let bad = this.bad.get(deviceId)
    if (bad === undefined) this.bad.set(deviceId, (bad = new Set()))
    return bad
  }
}

/** `bad` is the device's set of aliases that last went out null or uncertain; null for history. */
function dataMetric(def: Declared, metric: Metric, bad: Set<number> | null): PayloadMetric {
  const out: PayloadMetric = def.alias !== undefined
    ? { alias: def.alias, timestamp: metric.at, valueType: def.type }
    : { name: def.name, timestamp: metric.at, valueType: def.type }
  if (bad === null) out.isHistorical = true
  const tracked = def.alias !== undefined ? bad : null
  if (metric.value === null) {
    out.isNull = true
    out.properties = quality(QUALITY_BAD)
    tracked?.add(def.alias!)
  } else if (metric.uncertain === true) {
    out.value = metric.value
    out.properties = quality(QUALITY_UNCERTAIN)
    tracked?.add(def.alias!)
  } else {
    out.value = metric.value
    if (tracked?.delete(def.alias!) === true) out.properties = quality(QUALITY_GOOD)
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
