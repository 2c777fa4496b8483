import { integerRange } from '../base/integer-ranges.js'
import type { SparkplugType } from '../model/value.js'

const FLOAT32_MAX = 3.4028234663852886e38

/** True for the eight integer types, Int8..UInt64. */
export function isIntegerType(type: SparkplugType): boolean {
  return integerRange(type) !== undefined
}

/**
 * Why `value` cannot be held by a `type` metric or register, or undefined when it can: integer
 * types take whole numbers in their range (compared exactly, also beyond 2^53), Float and Double
 * finite numbers in theirs. Nothing is rounded or wrapped to make it fit.
 */
export function misfit(type: SparkplugType, value: number | bigint): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} is not a finite number`
  const range = integerRange(type)
  if (range !== undefined) {
    if (typeof value === 'number' && !Number.isInteger(value)) return `${value} does not fit ${type} (whole numbers ${range[0]}..${range[1]})`
    const n = BigInt(value)
    return n < range[0] || n > range[1] ? `${n} does not fit ${type} (${range[0]}..${range[1]})` : undefined
  }
  if (type === 'Float' && Math.abs(Number(value)) > FLOAT32_MAX) return `${value} does not fit Float (±3.4028235e38)`
  return undefined
}
