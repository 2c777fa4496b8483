/**
 * Buffered values of a metric whose type a reload changed. The buffer keeps every value with the
 * type it was read as; at replay the births declare the new type. A value that the new type
 * holds exactly (Int16 → Int32, Int32 → Double, a Double that is a whole number → Int64, Float →
 * Double, String → Text) is sent as the new type; anything else keeps its recorded type.
 */
import type { SparkplugType, Value } from '../model/value.js'
import { isIntegerType, misfit } from '../normalise/fits.js'

const floating: readonly SparkplugType[] = ['Float', 'Double']
const texts: readonly SparkplugType[] = ['String', 'Text']
const bigintTypes: readonly SparkplugType[] = ['Int64', 'UInt64']

const isNumeric = (type: SparkplugType): boolean => isIntegerType(type) || floating.includes(type)

/** `value`, read as `from`, as a value of `to` when nothing is lost; undefined when it is not. Null is null in any type. */
export function convertExactly(value: Value | null, from: SparkplugType, to: SparkplugType): { value: Value | null } | undefined {
  if (value === null || from === to) return { value }
  if (texts.includes(from) && texts.includes(to)) return { value }
  const fromItem = itemType(from)
  const toItem = itemType(to)
  if (fromItem !== null && toItem !== null && Array.isArray(value)) {
    const items: Value[] = []
    for (const item of value as readonly (number | bigint)[]) {
      const converted = convertNumber(item, fromItem, toItem)
      if (converted === undefined) return undefined
      items.push(converted)
    }
    return { value: items as Value }
  }
  if (typeof value !== 'number' && typeof value !== 'bigint') return undefined
  const converted = convertNumber(value, from, to)
  return converted === undefined ? undefined : { value: converted }
}

/** The element type of a numeric array type (Int16Array → Int16), else null. */
function itemType(type: SparkplugType): SparkplugType | null {
  if (!type.endsWith('Array')) return null
  const item = type.slice(0, -'Array'.length) as SparkplugType
  return isNumeric(item) ? item : null
}

function convertNumber(value: number | bigint, from: SparkplugType, to: SparkplugType): number | bigint | undefined {
  if (!isNumeric(from) || !isNumeric(to) || misfit(to, value) !== undefined) return undefined
  if (isIntegerType(to)) return bigintTypes.includes(to) ? BigInt(value) : Number(value)
  const n = Number(value)
  if (typeof value === 'bigint' && BigInt(n) !== value) return undefined
  return to === 'Float' && Math.fround(n) !== n ? undefined : n
}
