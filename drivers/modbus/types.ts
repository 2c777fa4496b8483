/**
 * The Modbus data types a tag can have: how many registers each takes, which Sparkplug type its
 * raw value travels as, and which values fit it (for writes).
 */
import { integerRanges as sparkplugRanges } from '../../gateway/base/integer-ranges.js'
import type { SparkplugType } from '../../gateway/model/value.js'

export type Table = 'CO' | 'DI' | 'IR' | 'HR'

export type DataType =
  | 'boolean' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float32' | 'float64' | 'string'

/**
 * Byte order of a multi-byte value as it sits in consecutive registers, named by where the bytes of
 * the big-endian value A (most significant) .. D/H land. 64-bit values use the same pattern.
 */
export type ByteOrder = 'ABCD' | 'BADC' | 'CDAB' | 'DCBA'

/** Byte order inside each register of a string: AB = first character in the high byte. */
export type StringOrder = 'AB' | 'BA'

interface TypeInfo {
  /** Registers one value occupies; 0 for booleans and strings (their size comes from elsewhere). */
  readonly registers: number
  readonly sparkplug: SparkplugType
}

export const dataTypes: Readonly<Record<DataType, TypeInfo>> = {
  boolean: { registers: 0, sparkplug: 'Boolean' },
  int16: { registers: 1, sparkplug: 'Int16' },
  uint16: { registers: 1, sparkplug: 'UInt16' },
  int32: { registers: 2, sparkplug: 'Int32' },
  uint32: { registers: 2, sparkplug: 'UInt32' },
  int64: { registers: 4, sparkplug: 'Int64' },
  uint64: { registers: 4, sparkplug: 'UInt64' },
  float32: { registers: 2, sparkplug: 'Float' },
  float64: { registers: 4, sparkplug: 'Double' },
  string: { registers: 0, sparkplug: 'String' },
}

export const dataTypeNames = Object.keys(dataTypes) as DataType[]

/** Inclusive integer ranges, for checking a value before it is written. */
export const integerRanges: Readonly<Partial<Record<DataType, readonly [bigint, bigint]>>> = {
  int16: sparkplugRanges.Int16,
  uint16: sparkplugRanges.UInt16,
  int32: sparkplugRanges.Int32,
  uint32: sparkplugRanges.UInt32,
  int64: sparkplugRanges.Int64,
  uint64: sparkplugRanges.UInt64,
}

export const isBitTable = (table: Table): boolean => table === 'CO' || table === 'DI'
