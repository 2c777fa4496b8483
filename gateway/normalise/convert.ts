import type { SparkplugType, Value } from '../model/value.js'
import { isIntegerType, misfit } from './fits.js'
import type { TagDef } from './tag-def.js'

const bigintTypes = new Set<SparkplugType>(['Int64', 'UInt64', 'DateTime'])
const intTypes = new Set<SparkplugType>(['Int8', 'Int16', 'Int32', 'UInt8', 'UInt16', 'UInt32'])

/**
 * Raw driver value -> engineering value of the metric's type: scaling, then the type's JS representation.
 * Null for NaN or Infinity (a float register reporting that it has no valid value): it is
 * published as is_null with bad quality, never as a number marked good.
 */
export function toEngineering(tag: TagDef, raw: Value): Value | null {
  let value: Value = raw
  if (tag.scaled && (typeof raw === 'number' || typeof raw === 'bigint')) {
    value = (tag.scaleDivisor === undefined ? Number(raw) * (tag.scale ?? 1) : Number(raw) / tag.scaleDivisor) + (tag.offset ?? 0)
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null
  return asType(tag.type, value)
}

/** Engineering value (from a command) -> raw driver value: the inverse of `toEngineering`. */
export function toRaw(tag: TagDef, value: Value): Value {
  if (!tag.scaled || (typeof value !== 'number' && typeof value !== 'bigint')) return asType(tag.rawType, value)
  return asType(tag.rawType, unscaled(tag, value))
}

/**
 * Why the register behind `tag` cannot hold the engineering `value` of a command, or undefined
 * when it can; checked before `toRaw`, which would round it. A scaled value may land between two
 * register steps and goes to the nearest; anything else that is not whole, or out of the
 * register's range (UInt16 with scale 0.1: 7000 is 70000), is refused.
 */
export function rawMisfit(tag: TagDef, value: number | bigint): string | undefined {
  if (tag.rawType === 'Boolean') return Number(value) === 0 || Number(value) === 1 ? undefined : `the register is Boolean: ${value} is not 0 or 1`
  if (!isIntegerType(tag.rawType) && tag.rawType !== 'Float' && tag.rawType !== 'Double') return undefined
  const raw = tag.scaled ? unscaled(tag, value) : value
  const held = tag.scaled && isIntegerType(tag.rawType) ? Math.round(raw as number) : raw
  const why = misfit(tag.rawType, held)
  if (why === undefined) return undefined
  return tag.scaled ? `${value} is ${held} in the register: ${why}` : `the register is ${tag.rawType}: ${why}`
}

function unscaled(tag: TagDef, value: number | bigint): number {
  return (Number(value) - (tag.offset ?? 0)) / (tag.scale ?? 1)
}

/**
 * Coerces a value to the JS representation of `type`: number or bigint as the type requires,
 * rounded for integer types; booleans and numbers across a `sparkplugType` override (non-zero is
 * true, true is 1); numbers and booleans to their text for String and Text.
 */
export function asType(type: SparkplugType, value: Value): Value {
  if (type === 'Boolean' && (typeof value === 'number' || typeof value === 'bigint')) return Number(value) !== 0
  if ((type === 'String' || type === 'Text') && (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')) return String(value)
  if (typeof value === 'boolean' && (bigintTypes.has(type) || intTypes.has(type) || type === 'Float' || type === 'Double')) value = value ? 1 : 0
  if (bigintTypes.has(type)) {
    if (typeof value === 'number') return BigInt(Math.round(value))
    return value
  }
  if (intTypes.has(type) && (typeof value === 'number' || typeof value === 'bigint')) return Math.round(Number(value))
  if ((type === 'Float' || type === 'Double') && typeof value === 'bigint') return Number(value)
  return value
}
