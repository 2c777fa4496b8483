import type { DerivedTagConfig } from '../config/types.js'
import { Deriver, type DerivedValue } from '../derive/deriver.js'
import { NODE_PREFIX } from '../derive/ast.js'
import type { Metric, SparkplugType, Value } from '../model/value.js'
import { isIntegerType, misfit } from './fits.js'
import type { TagDef } from './tag-def.js'

/** A derived tag as births declare it: read-only, never polled, its datatype fixed at load. */
export function derivedTagDefs(tags: readonly DerivedTagConfig[] | undefined, pollMs: number): TagDef[] {
  return (tags ?? []).map((t) => ({
    name: t.name,
    pollMs,
    deadband: t.deadband,
    writable: false,
    writeIntervalMs: 0,
    ...(t.units === undefined ? {} : { units: t.units }),
    ...(t.description === undefined ? {} : { description: t.description }),
    sparkplugType: t.sparkplugType,
    rawType: t.sparkplugType,
    type: t.sparkplugType,
    scaled: false,
  }))
}

/** A derived tag's result in its datatype: integers rounded, a value that does not fit it (or of another kind) null. */
export function derivedValue(type: SparkplugType, result: DerivedValue['value']): Value | null {
  if (result === null) return null
  if (type === 'Boolean') return typeof result === 'boolean' ? result : null
  if (type === 'String') return typeof result === 'string' ? result : null
  if (typeof result !== 'number') return null
  const value = isIntegerType(type) ? Math.round(result) : result
  if (misfit(type, value) !== undefined) return null
  return type === 'Int64' || type === 'UInt64' ? BigInt(value) : value
}

/** The derived tags of one device with their datatypes, as the normaliser runs them. */
export class DerivedTags {
  readonly defs: readonly TagDef[]
  private readonly deriver: Deriver
  private readonly byName: ReadonlyMap<string, TagDef>

  /** The node metrics the expressions read, each with what was last handed to them. */
  private readonly nodeInputs: Map<string, Metric | undefined>

  constructor(tags: readonly DerivedTagConfig[] | undefined, pollMs: number) {
    this.defs = derivedTagDefs(tags, pollMs)
    this.deriver = new Deriver(tags ?? [])
    this.byName = new Map(this.defs.map((d) => [d.name, d]))
    const node = (tags ?? []).flatMap((t) => t.inputs).filter((name) => name.startsWith(NODE_PREFIX))
    this.nodeInputs = new Map(node.map((name) => [name.slice(NODE_PREFIX.length), undefined]))
  }

  /**
   * Hands the node metrics the expressions read to them, at each of the device's scans: only the
   * ones that changed since, so an unchanged node metric re-evaluates nothing. The caller looks
   * them up in the node's state; the normaliser itself never reads beyond the device.
   */
  nodeMetrics(last: (name: string) => Metric | undefined): void {
    for (const [name, before] of this.nodeInputs) {
      const metric = last(name)
      if (metric === undefined || (before !== undefined && before.at === metric.at && before.value === metric.value)) continue
      this.nodeInputs.set(name, metric)
      this.deriver.input(NODE_PREFIX + name, metric.value, metric.at, false)
    }
  }

  input(name: string, value: Value | null, at: number, uncertain: boolean): void {
    this.deriver.input(name, value, at, uncertain)
  }

  /** The derived tags whose inputs were read, evaluated, each with its metric type. */
  evaluate(): { name: string; type: SparkplugType; value: Value | null; at: number; uncertain: boolean; deadband: number }[] {
    return this.deriver.evaluate().map((r) => {
      const def = this.byName.get(r.name)!
      return { name: r.name, type: def.type, value: derivedValue(def.type, r.value), at: r.at, uncertain: r.uncertain, deadband: def.deadband }
    })
  }
}
