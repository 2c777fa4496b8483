import type { PointInfo } from '../../drivers/driver.js'
import type { TagConfig } from '../config/types.js'
import type { SparkplugType } from '../model/value.js'
import { laidOut } from '../base/laid-out.js'

/** A tag as the gateway publishes it: its config, the driver's raw type, and the Sparkplug type of the metric. */
export interface TagDef extends TagConfig {
  readonly rawType: SparkplugType
  readonly type: SparkplugType
  readonly scaled: boolean
  /**
   * 10 for scale 0.1, 1000 for 0.001: dividing gives the nearest double (373 / 10 = 37.3) where
   * multiplying does not (373 * 0.1 = 37.300000000000004).
   */
  readonly scaleDivisor?: number
}

const numericTypes = new Set<SparkplugType>([
  'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double',
])

export function isNumericType(type: SparkplugType): boolean {
  return numericTypes.has(type)
}

/**
 * Joins tag configs with the driver's points (same order, same names). A scaled tag becomes a
 * Double (a Float stays Float): engineering values of a scaled integer are rarely integers.
 */
export function tagDefs(tags: readonly TagConfig[], points: readonly PointInfo[]): TagDef[] {
  const rawTypes = new Map(points.map((p) => [p.name, p.type]))
  return tags.map((tag) => {
    const rawType = rawTypes.get(tag.name)
    if (rawType === undefined) throw new Error(`driver has no point for tag '${tag.name}'`)
    const scaled = isNumericType(rawType) && ((tag.scale !== undefined && tag.scale !== 1) || (tag.offset !== undefined && tag.offset !== 0))
    const type = tag.sparkplugType ?? (scaled ? (rawType === 'Float' ? 'Float' : 'Double') : rawType)
    const inverse = tag.scale === undefined ? 0 : 1 / tag.scale
    const whole = Math.round(inverse)
    const scaleDivisor = whole > 1 && Math.abs(inverse - whole) < 1e-9 * whole ? whole : undefined
    // Object.assign, not a spread: V8 (Node 20) gives each `{ ...tag, more }` built in a warm loop a
    // map of its own, about 300 bytes a tag; assigning onto {} shares one map across the tags, and
    // laidOut moves the fields past the fourth from a property array into the object.
    return laidOut(Object.assign({}, tag, scaleDivisor === undefined ? { rawType, type, scaled } : { rawType, type, scaled, scaleDivisor }))
  })
}
