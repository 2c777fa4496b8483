/**
 * The array datatypes (codes 22..34), packed into bytes_value (Sparkplug B protobuf schema): elements
 * little-endian at their natural width, BooleanArray as a 4-byte LE count then bits MSB-first,
 * StringArray as UTF-8 strings each followed by 0x00.
 */
import { PayloadError } from './codec-error.js'
import { checkInt, checkInt64 } from './codec-values.js'
import { dataTypeNames } from './datatypes.js'
import type { Value } from '../model/value.js'

/** Element width in bytes by element code (array code - 21); 0 for Boolean and String. */
const widths = [0, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 0, 0, 8]
const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

function notArray(code: number, value: unknown): PayloadError {
  return new PayloadError(`${dataTypeNames[code]} value must be an array, got ${typeof value}`)
}

/** Packs an array value of type `code` (22..34). Throws PayloadError on an element that does not fit. */
export function packArray(code: number, value: unknown): Uint8Array {
  if (!Array.isArray(value)) throw notArray(code, value)
  const el = code - 21
  const n = value.length
  if (el === 11) return packBooleans(value)
  if (el === 12) return packStrings(value)
  const bytes = new Uint8Array(n * widths[el])
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < n; i++) {
    const v: unknown = value[i]
    switch (el) {
      case 1: case 5: bytes[i] = checkInt(el, v); break
      case 2: case 6: view.setUint16(i * 2, checkInt(el, v), true); break
      case 3: case 7: view.setUint32(i * 4, checkInt(el, v) >>> 0, true); break
      case 4: case 13: view.setBigInt64(i * 8, checkInt64(el, v), true); break
      case 8: view.setBigUint64(i * 8, checkInt64(el, v), true); break
      case 9: view.setFloat32(i * 4, checkFloat(code, v), true); break
      default: view.setFloat64(i * 8, checkFloat(code, v), true)
    }
  }
  return bytes
}

function checkFloat(code: number, v: unknown): number {
  if (typeof v === 'number') return v
  throw new PayloadError(`${dataTypeNames[code]} element ${String(v)} is not a number`)
}

function packBooleans(values: unknown[]): Uint8Array {
  const n = values.length
  const bytes = new Uint8Array(4 + ((n + 7) >> 3))
  new DataView(bytes.buffer).setUint32(0, n, true)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (typeof v !== 'boolean') throw new PayloadError(`BooleanArray element ${String(v)} is not a boolean`)
    if (v) bytes[4 + (i >> 3)] |= 0x80 >> (i & 7)
  }
  return bytes
}

function packStrings(values: unknown[]): Uint8Array {
  const parts: Uint8Array[] = []
  let size = 0
  for (const v of values) {
    if (typeof v !== 'string') throw new PayloadError(`StringArray element ${String(v)} is not a string`)
    if (v.includes('\0')) throw new PayloadError(`StringArray element ${JSON.stringify(v)} contains NUL, which the encoding uses as separator`)
    const part = utf8.encode(v)
    parts.push(part)
    size += part.length + 1
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    bytes.set(part, at)
    at += part.length + 1
  }
  return bytes
}

/** Unpacks bytes_value of an array type `code` (22..34). Throws PayloadError on a length that does not fit. */
export function unpackArray(code: number, bytes: Uint8Array): Value {
  const el = code - 21
  if (el === 11) return unpackBooleans(bytes)
  if (el === 12) return unpackStrings(bytes)
  const width = widths[el]
  if (bytes.length % width !== 0) {
    throw new PayloadError(`${dataTypeNames[code]} needs a multiple of ${width} bytes, got ${bytes.length}`)
  }
  const n = bytes.length / width
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  if (el === 4 || el === 8 || el === 13) {
    const out: bigint[] = new Array(n)
    for (let i = 0; i < n; i++) out[i] = el === 8 ? view.getBigUint64(i * 8, true) : view.getBigInt64(i * 8, true)
    return out
  }
  const out: number[] = new Array(n)
  for (let i = 0; i < n; i++) {
    switch (el) {
      case 1: out[i] = view.getInt8(i); break
      case 5: out[i] = bytes[i]; break
      case 2: out[i] = view.getInt16(i * 2, true); break
      case 6: out[i] = view.getUint16(i * 2, true); break
      case 3: out[i] = view.getInt32(i * 4, true); break
      case 7: out[i] = view.getUint32(i * 4, true); break
      case 9: out[i] = view.getFloat32(i * 4, true); break
      default: out[i] = view.getFloat64(i * 8, true)
    }
  }
  return out
}

function unpackBooleans(bytes: Uint8Array): boolean[] {
  if (bytes.length < 4) throw new PayloadError(`BooleanArray needs a 4-byte count, got ${bytes.length} bytes`)
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true)
  const expected = 4 + Math.ceil(n / 8)
  if (bytes.length !== expected) {
    throw new PayloadError(`BooleanArray of ${n} values needs ${expected} bytes, got ${bytes.length}`)
  }
  const out: boolean[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = (bytes[4 + (i >> 3)] & (0x80 >> (i & 7))) !== 0
  return out
}

function unpackStrings(bytes: Uint8Array): string[] {
  const out: string[] = []
  if (bytes.length === 0) return out
  if (bytes[bytes.length - 1] !== 0) throw new PayloadError('StringArray must end with a 0x00 terminator')
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue
    try {
      out.push(utf8Decoder.decode(bytes.subarray(start, i)))
    } catch {
      throw new PayloadError(`StringArray element ${out.length} is not valid UTF-8`)
    }
    start = i + 1
  }
  return out
}
