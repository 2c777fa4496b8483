/**
 * OPC UA built-in types <-> Sparkplug datatypes and values. node-opcua's representations at this
 * edge: 64-bit integers are [high, low] 32-bit words, DateTime a Date, ByteString a Buffer,
 * LocalizedText { text }, QualifiedName { namespaceIndex, name }, NodeId and Guid objects/strings
 * with toString(). A value is converted to the tag's Sparkplug type, never wrapped or truncated.
 */
import { integerRange, is64BitInteger } from '../../gateway/base/integer-ranges.js'
import type { SparkplugType, Value } from '../../gateway/model/value.js'

/** OPC UA built-in type ids (Part 6 §5.1.2) that the driver maps, by name. */
export const builtInIds = {
  Boolean: 1, SByte: 2, Byte: 3, Int16: 4, UInt16: 5, Int32: 6, UInt32: 7, Int64: 8, UInt64: 9,
  Float: 10, Double: 11, String: 12, DateTime: 13, Guid: 14, ByteString: 15, XmlElement: 16,
  NodeId: 17, ExpandedNodeId: 18, StatusCode: 19, QualifiedName: 20, LocalizedText: 21,
} as const
export type OpcuaTypeName = keyof typeof builtInIds
export const opcuaTypeNames = Object.keys(builtInIds) as OpcuaTypeName[]

/** A variable's type: a built-in scalar, or a one-dimensional array of it (`Double[]`). */
export interface OpcuaType {
  readonly base: OpcuaTypeName
  readonly array: boolean
}

const scalarTypes: Readonly<Record<OpcuaTypeName, SparkplugType>> = {
  Boolean: 'Boolean', SByte: 'Int8', Byte: 'UInt8', Int16: 'Int16', UInt16: 'UInt16', Int32: 'Int32', UInt32: 'UInt32',
  Int64: 'Int64', UInt64: 'UInt64', Float: 'Float', Double: 'Double', String: 'String', DateTime: 'DateTime',
  Guid: 'UUID', ByteString: 'Bytes', XmlElement: 'String', NodeId: 'String', ExpandedNodeId: 'String',
  StatusCode: 'UInt32', QualifiedName: 'String', LocalizedText: 'String',
}

const arrayTypes: Readonly<Partial<Record<OpcuaTypeName, SparkplugType>>> = {
  Boolean: 'BooleanArray', SByte: 'Int8Array', Byte: 'UInt8Array', Int16: 'Int16Array', UInt16: 'UInt16Array',
  Int32: 'Int32Array', UInt32: 'UInt32Array', Int64: 'Int64Array', UInt64: 'UInt64Array', Float: 'FloatArray',
  Double: 'DoubleArray', String: 'StringArray', DateTime: 'DateTimeArray', Guid: 'StringArray', XmlElement: 'StringArray',
  NodeId: 'StringArray', ExpandedNodeId: 'StringArray', StatusCode: 'UInt32Array', QualifiedName: 'StringArray',
  LocalizedText: 'StringArray',
}

/** The Sparkplug datatype a variable of `t` is published as; null when Sparkplug has none (ByteString[]). */
export function sparkplugTypeOf(t: OpcuaType): SparkplugType | null {
  return (t.array ? arrayTypes[t.base] : scalarTypes[t.base]) ?? null
}

/** `Double`, `double[]` -> OpcuaType; null for anything else. */
export function parseTypeName(text: string): OpcuaType | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(\[\])?\s*$/.exec(text)
  const base = m && opcuaTypeNames.find((n) => n.toLowerCase() === m[1].toLowerCase())
  return base ? { base, array: m[2] !== undefined } : null
}

export const typeName = (t: OpcuaType): string => t.base + (t.array ? '[]' : '')

/** The OpcuaType of a node-opcua Variant (dataType id, arrayType 0 scalar / 1 array); null for types we do not map. */
export function typeOfVariant(dataType: number, arrayType: number): OpcuaType | null {
  const base = opcuaTypeNames.find((n) => builtInIds[n] === dataType)
  if (base === undefined || arrayType > 1) return null
  // An enumeration arrives as Int32, an abstract Number as its concrete type: both are covered above.
  return { base, array: arrayType === 1 }
}

/** Good, Uncertain or Bad from the severity bits of an OPC UA status code. */
export function severity(statusCode: number): 'good' | 'uncertain' | 'bad' {
  const bits = statusCode >>> 30
  return bits === 0 ? 'good' : bits === 1 ? 'uncertain' : 'bad'
}

export type Converted = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly message: string }

const elementOf: Readonly<Partial<Record<SparkplugType, SparkplugType>>> = {
  Int8Array: 'Int8', Int16Array: 'Int16', Int32Array: 'Int32', Int64Array: 'Int64', UInt8Array: 'UInt8',
  UInt16Array: 'UInt16', UInt32Array: 'UInt32', UInt64Array: 'UInt64', FloatArray: 'Float', DoubleArray: 'Double',
  BooleanArray: 'Boolean', StringArray: 'String', DateTimeArray: 'DateTime',
}

/** A value as node-opcua delivers it (of OPC UA type `from`) -> the JS value of Sparkplug type `to`. */
export function fromOpcua(raw: unknown, from: OpcuaType, to: SparkplugType): Converted {
  const element = elementOf[to]
  if (from.array !== (element !== undefined)) {
    return { ok: false, message: `the server sends ${typeName(from)}, which does not fit ${to}` }
  }
  if (element === undefined) return toSparkplug(natural(raw, from.base), to)
  const items: Value[] = []
  for (const item of Array.from(raw as ArrayLike<unknown>)) {
    const one = toSparkplug(natural(item, from.base), element)
    if (!one.ok) return one
    items.push(one.value)
  }
  return { ok: true, value: items as Value }
}

/** Any value as text, arrays as JSON: for a tag published before its type is resolved. */
export function toText(raw: unknown, from: OpcuaType): string {
  const text = (v: number | bigint | boolean | string | Uint8Array): string | number | boolean =>
    v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? v.toString() : v
  if (!from.array) return String(text(natural(raw, from.base)))
  return JSON.stringify(Array.from(raw as ArrayLike<unknown>, (item) => text(natural(item, from.base))))
}

/** One OPC UA value -> its plain JS form: number, bigint, boolean, string or Uint8Array. */
function natural(raw: unknown, base: OpcuaTypeName): number | bigint | boolean | string | Uint8Array {
  switch (base) {
    case 'Int64':
    case 'UInt64': {
      const [high, low] = raw as [number, number]
      const u = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)
      return base === 'Int64' ? BigInt.asIntN(64, u) : u
    }
    case 'DateTime':
      return BigInt((raw as Date).getTime())
    case 'ByteString':
      return raw === null ? new Uint8Array() : new Uint8Array(raw as Buffer)
    case 'LocalizedText':
      return (raw as { text?: string | null } | null)?.text ?? ''
    case 'QualifiedName': {
      const q = raw as { namespaceIndex: number; name?: string | null }
      return q.namespaceIndex === 0 ? (q.name ?? '') : `${q.namespaceIndex}:${q.name ?? ''}`
    }
    case 'StatusCode':
      return typeof raw === 'number' ? raw : (raw as { value: number }).value
    case 'Guid':
    case 'NodeId':
    case 'ExpandedNodeId':
    case 'XmlElement':
    case 'String':
      return raw === null || raw === undefined ? '' : String(raw)
    default:
      return raw as number | boolean
  }
}

/** A plain JS value -> the representation of `to`, refused when it does not fit. */
function toSparkplug(v: number | bigint | boolean | string | Uint8Array, to: SparkplugType): Converted {
  const refuse = (why: string): Converted => ({ ok: false, message: `${typeof v === 'string' ? JSON.stringify(v) : String(v)} does not fit ${to}: ${why}` })
  const range = integerRange(to)
  if (range !== undefined) {
    if (typeof v === 'boolean') v = v ? 1 : 0
    if (typeof v === 'number' && !Number.isInteger(v)) return refuse('not a whole number')
    if (typeof v !== 'number' && typeof v !== 'bigint') return refuse('not a number')
    const big = BigInt(v)
    if (big < range[0] || big > range[1]) return refuse(`outside ${range[0]}..${range[1]}`)
    return { ok: true, value: is64BitInteger(to) ? big : Number(big) }
  }
  switch (to) {
    case 'Float':
    case 'Double':
      return typeof v === 'number' || typeof v === 'bigint' ? { ok: true, value: Number(v) } : refuse('not a number')
    case 'Boolean':
      return typeof v === 'boolean' ? { ok: true, value: v } : refuse('not true or false')
    case 'DateTime':
      return typeof v === 'bigint' ? { ok: true, value: v } : refuse('not a date and time')
    case 'Bytes':
      return v instanceof Uint8Array ? { ok: true, value: v } : refuse('not a byte string')
    case 'String':
    case 'Text':
    case 'UUID':
      return v instanceof Uint8Array ? refuse('a byte string') : { ok: true, value: String(v) }
    default:
      return refuse('no OPC UA value maps to it')
  }
}

/**
 * A value to write (already checked against the tag's Sparkplug type by the command path) -> what
 * node-opcua's Variant takes for the node's OPC UA type `t`. Refused, never wrapped, when it does not fit.
 */
export function toOpcua(value: Value, t: OpcuaType): Converted & { readonly opcua?: unknown } {
  const one = (v: unknown): { ok: true; opcua: unknown } | { ok: false; message: string } => {
    const target = scalarTypes[t.base]
    if (t.base === 'DateTime') {
      const ms = typeof v === 'bigint' || typeof v === 'number' ? Number(v) : NaN
      return Number.isFinite(ms) ? { ok: true, opcua: new Date(ms) } : { ok: false, message: `${String(v)} is not a date and time (ms since 1970)` }
    }
    if (t.base === 'LocalizedText') return { ok: true, opcua: { text: String(v) } }
    if (t.base === 'ByteString') return v instanceof Uint8Array ? { ok: true, opcua: Buffer.from(v) } : { ok: false, message: 'expected bytes' }
    const converted = toSparkplug(v as number | bigint | boolean | string | Uint8Array, target)
    if (!converted.ok) return converted
    if (t.base === 'Int64' || t.base === 'UInt64') {
      const u = BigInt.asUintN(64, converted.value as bigint)
      return { ok: true, opcua: [Number(u >> 32n), Number(u & 0xffffffffn)] }
    }
    return { ok: true, opcua: converted.value }
  }
  if (!t.array) {
    const r = one(value)
    return r.ok ? { ok: true, value, opcua: r.opcua } : r
  }
  if (!Array.isArray(value)) return { ok: false, message: `expected an array for ${typeName(t)}` }
  const out: unknown[] = []
  for (const item of value as unknown[]) {
    const r = one(item)
    if (!r.ok) return r
    out.push(r.opcua)
  }
  return { ok: true, value, opcua: out }
}
