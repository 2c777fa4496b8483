/**
 * The inclusive range of each Sparkplug integer type: the one table behind every check of a
 * value against its type (a register write, a command, a simulated counter, the codec).
 */
import type { SparkplugType } from '../model/value.js'

export type IntegerType = 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64'

export const integerRanges: Readonly<Record<IntegerType, readonly [bigint, bigint]>> = {
  Int8: [-(2n ** 7n), 2n ** 7n - 1n],
  Int16: [-(2n ** 15n), 2n ** 15n - 1n],
  Int32: [-(2n ** 31n), 2n ** 31n - 1n],
  Int64: [-(2n ** 63n), 2n ** 63n - 1n],
  UInt8: [0n, 2n ** 8n - 1n],
  UInt16: [0n, 2n ** 16n - 1n],
  UInt32: [0n, 2n ** 32n - 1n],
  UInt64: [0n, 2n ** 64n - 1n],
}

/** The range of an integer type; undefined for every other type. */
export function integerRange(type: SparkplugType): readonly [bigint, bigint] | undefined {
  return Object.hasOwn(integerRanges, type) ? integerRanges[type as IntegerType] : undefined
}

/** True for Int64 and UInt64, whose values are bigint. */
export function is64BitInteger(type: SparkplugType): boolean {
  return type === 'Int64' || type === 'UInt64'
}
