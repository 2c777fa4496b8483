import type { SparkplugType } from '../model/value.js'

const integerRanges: Partial<Record<SparkplugType, readonly [bigint, bigint]>> = {
  Int8: [-128n, 127n], Int16: [-32768n, 32767n], Int32: [-2147483648n, 2147483647n], Int64: [-(2n ** 63n), 2n ** 63n - 1n],
  UInt8: [0n, 255n], UInt16: [0n, 65535n], UInt32: [0n, 4294967295n], UInt64: [0n, 2n ** 64n - 1n],
}
const FLOAT32_MAX = 3.4028234663852886e38

/** True for the eight integer types, Int8..UInt64. */
export function isIntegerType(type: SparkplugType): boolean {
  return integerRanges[type] !== undefined
}

/**
 * Why `value` cannot be held by a `type` metric or register, or undefined when it can: integer
 * types take whole numbers in their range (compared exactly, also beyond 2^53), Float and Double
 * finite numbers in theirs. Nothing is rounded or wrapped to make it fit.
 */
export function misfit(type: SparkplugType, value: number | bigint): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} is not a finite number`
  const range = integerRanges[type]
  if (range !== undefined) {
    if (typeof value === 'number' && !Number.isInteger(value)) return `${value} does not fit ${type} (whole numbers ${range[0]}..${range[1]})`
    const n = BigInt(value)
    return n < range[0] || n > range[1] ? `${n} does not fit ${type} (${range[0]}..${range[1]})` : undefined
  }
  if (type === 'Float' && Math.abs(Number(value)) > FLOAT32_MAX) return `${value} does not fit Float (±3.4028235e38)`
  return undefined
}
