/**
 * Raw value -> register words for a write, by data type and byte order: the inverse of decode.ts.
 * Values that do not fit the type come back as an error message instead of being wrapped or rounded.
 */
import type { Value } from '../../gateway/model/value.js'
import { bigEndianToWords } from './order.js'
import type { ModbusPoint } from './point.js'
import { integerRanges } from './types.js'

export type Encoded = { ok: true; words: number[] } | { ok: false; message: string }

/** Words to write for a whole-register point (not a bit of a register, not a coil). */
export function encodeRegisters(point: Pick<ModbusPoint, 'type' | 'order' | 'stringOrder' | 'count'>, value: Value): Encoded {
  const { type } = point
  if (type === 'boolean') return { ok: false, message: 'a boolean lives in a coil or a register bit, not whole registers' }
  if (type === 'string') return encodeString(point.count, point.stringOrder === 'BA', value)
  const bytes = Buffer.alloc(point.count * 2)
  if (type === 'float32' || type === 'float64') {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { ok: false, message: `${type} needs a finite number, got ${describe(value)}` }
    }
    if (type === 'float32' && !Number.isFinite(Math.fround(value))) {
      return { ok: false, message: `${value} is outside the float32 range (±3.4028235e38)` }
    }
    if (type === 'float32') bytes.writeFloatBE(value, 0)
    else bytes.writeDoubleBE(value, 0)
    return { ok: true, words: bigEndianToWords(bytes, point.order) }
  }
  const integer = toBigInt(value)
  const range = integerRanges[type]
  if (integer === null || range === undefined) return { ok: false, message: `${type} needs an integer, got ${describe(value)}` }
  if (integer < range[0] || integer > range[1]) {
    return { ok: false, message: `${describe(value)} is outside the ${type} range ${range[0]}..${range[1]}` }
  }
  // Two's complement of the value in the type's width is the same bit pattern for signed and unsigned.
  const unsigned = BigInt.asUintN(point.count * 16, integer)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number((unsigned >> BigInt((bytes.length - 1 - i) * 8)) & 0xffn)
  return { ok: true, words: bigEndianToWords(bytes, point.order) }
}

function encodeString(registers: number, swapped: boolean, value: Value): Encoded {
  if (typeof value !== 'string') return { ok: false, message: `string needs a string, got ${describe(value)}` }
  const text = Buffer.from(value, 'utf8')
  if (text.length > registers * 2) {
    return { ok: false, message: `"${value}" takes ${text.length} bytes; the tag holds ${registers * 2} (length ${registers} registers)` }
  }
  const bytes = Buffer.alloc(registers * 2)
  text.copy(bytes)
  const words: number[] = []
  for (let i = 0; i < bytes.length; i += 2) {
    words.push(swapped ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1])
  }
  return { ok: true, words }
}

function toBigInt(value: Value): bigint | null {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return null
}

function describe(value: Value): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  return 'an array'
}
