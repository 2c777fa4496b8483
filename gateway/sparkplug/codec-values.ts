/**
 * Scalar values of the Basic types (codes 1..15) to and from the value fields that Metric,
 * PropertyValue, DataSetValue and Template.Parameter share (Sparkplug B protobuf schema).
 * Int8/16/32 travel sign-extended to 32 bits in int_value. Decoding reads the field as the
 * type's signedness says and never masks to width: a value that does not fit its type (Int16
 * 70000, UInt16 0xFFFFFFFF) stays out of range, so a command can be refused instead of wrapped.
 */
import { PayloadError } from './codec-error.js'
import { bigIntToU64, u64ToBigInt, type WireU64, type WireValue } from './codec-wire.js'
import { integerRanges } from '../base/integer-ranges.js'
import { dataTypeNames } from './datatypes.js'

export type Scalar = number | bigint | boolean | string

/** Lowest and highest value of the integer types up to 32 bits, by wire code (Int8..UInt32). */
const narrow = [null, integerRanges.Int8, integerRanges.Int16, integerRanges.Int32, null, integerRanges.UInt8, integerRanges.UInt16, integerRanges.UInt32]
const intMin = narrow.map((range) => Number(range?.[0] ?? 0))
const intMax = narrow.map((range) => Number(range?.[1] ?? 0))
const [INT64_MIN, INT64_MAX] = integerRanges.Int64
const UINT64_MAX = integerRanges.UInt64[1]

function outOfType(code: number, value: unknown, expected: string): PayloadError {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value)
  return new PayloadError(`${dataTypeNames[code]} value ${shown} is not ${expected}`)
}

/** Checks an integer of up to 32 bits against its type's range. */
export function checkInt(code: number, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= intMin[code] && value <= intMax[code]) return value
  throw outOfType(code, value, `an integer in ${intMin[code]}..${intMax[code]}`)
}

/** Checks a 64-bit integer (bigint, or a safe-integer number) and returns it as a bigint. */
export function checkInt64(code: number, value: unknown): bigint {
  const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value
  if (typeof v === 'bigint') {
    if (code === 8 ? v >= 0n && v <= UINT64_MAX : v >= INT64_MIN && v <= INT64_MAX) return v
  }
  throw outOfType(code, value, code === 8 ? 'an integer in 0..2^64-1' : 'an integer in -2^63..2^63-1')
}

function checkNumber(code: number, value: unknown): number {
  if (typeof value === 'number') return value
  throw outOfType(code, value, 'a number')
}

/**
 * Sets the field of `target` that carries a `code` value. `uint32Long` puts UInt32 in long_value.
 * Throws PayloadError when the value does not fit the type.
 */
export function writeScalar(target: WireValue, code: number, value: unknown, uint32Long: boolean): void {
  switch (code) {
    case 1: case 2: case 3:
      target.intValue = checkInt(code, value) >>> 0
      return
    case 5: case 6:
      target.intValue = checkInt(code, value)
      return
    case 7:
      if (uint32Long) target.longValue = checkInt(code, value)
      else target.intValue = checkInt(code, value)
      return
    case 4: case 8: case 13:
      target.longValue = typeof value === 'number' && Number.isSafeInteger(value) && (code !== 8 || value >= 0)
        ? value
        : bigIntToU64(checkInt64(code, value))
      return
    case 9:
      target.floatValue = checkNumber(code, value)
      return
    case 10:
      target.doubleValue = checkNumber(code, value)
      return
    case 11:
      if (typeof value !== 'boolean') throw outOfType(code, value, 'a boolean')
      target.booleanValue = value
      return
    case 12: case 14: case 15:
      if (typeof value !== 'string') throw outOfType(code, value, 'a string')
      target.stringValue = value
      return
    default:
      throw new PayloadError(`datatype ${dataTypeNames[code] ?? code} is not a scalar type`)
  }
}

const fieldNames: readonly (keyof WireValue)[] = ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue']
const wireNames: Record<string, string> = {
  intValue: 'int_value', longValue: 'long_value', floatValue: 'float_value', doubleValue: 'double_value',
  booleanValue: 'boolean_value', stringValue: 'string_value', bytesValue: 'bytes_value',
  datasetValue: 'dataset_value', templateValue: 'template_value', extensionValue: 'extension_value',
}

/** The PayloadError for a value sent in a field its datatype does not use, or undefined when no value field is set. */
export function mismatch(src: object, code: number): PayloadError | undefined {
  for (const key in wireNames) {
    if ((src as Record<string, unknown>)[key] != null) {
      return new PayloadError(`datatype ${dataTypeNames[code] ?? code} cannot be carried in ${wireNames[key]}`)
    }
  }
  return undefined
}

/** long_value read as two's complement, for the signed types. */
function signed64(v: WireU64): bigint {
  return BigInt.asIntN(64, u64ToBigInt(v))
}

/**
 * The value of a `code` field in `src`, or undefined when it carries none. Accepts the
 * neighbouring field too (UInt32 and small ints in long_value, Float in double_value).
 * Throws PayloadError when the value sits in a field the type cannot use.
 */
export function readScalar(src: WireValue, code: number): Scalar | undefined {
  const i = src.intValue
  const l = src.longValue
  switch (code) {
    case 1: case 2: case 3:
      if (i != null) return i | 0
      if (l != null) return Number(signed64(l))
      break
    case 5: case 6: case 7:
      if (i != null) return i >>> 0
      if (l != null) return Number(u64ToBigInt(l))
      break
    case 4:
      if (l != null) return signed64(l)
      if (i != null) return BigInt(i | 0)
      break
    case 8: case 13:
      if (l != null) return u64ToBigInt(l)
      if (i != null) return BigInt(i >>> 0)
      break
    case 9: case 10: {
      const f = code === 9 ? src.floatValue ?? src.doubleValue : src.doubleValue ?? src.floatValue
      if (f != null) return f
      break
    }
    case 11:
      if (src.booleanValue != null) return src.booleanValue
      break
    case 12: case 14: case 15:
      if (src.stringValue != null) return src.stringValue
      break
    default:
      throw new PayloadError(`datatype ${dataTypeNames[code] ?? code} is not a scalar type`)
  }
  const error = mismatch(src, code)
  if (error) throw error
  return undefined
}

/** Which value field is set, for a metric that carries no datatype. */
export function inferredField(src: WireValue): keyof WireValue | undefined {
  return fieldNames.find((key) => src[key] != null)
}

/**
 * The value of whichever field is set, for a metric that carries no datatype: int_value as
 * uint32, long_value as uint64, since only the type the metric was born with gives their sign.
 */
export function inferScalar(src: WireValue): Scalar | undefined {
  const key = inferredField(src)
  if (key === undefined) return undefined
  return key === 'longValue' ? u64ToBigInt(src.longValue as WireU64) : (src[key] as Scalar)
}
