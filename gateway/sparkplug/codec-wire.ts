/**
 * The protobuf layer: the static Tahu module generated from sparkplug_b.proto (proto2), plus the
 * shapes of the plain objects it encodes and the instances it decodes, and 64-bit conversions.
 *
 * The generated encoder writes a field when it is an own property that is not null, so building
 * objects with only the present keys keeps proto2 presence (seq 0, false, 0 stay on the wire).
 * Decoded instances carry defaults on their prototype: presence is `Object.hasOwn`, never a value test.
 */
import pkg from 'sparkplug-payload/lib/sparkplugPayloadProto.js'

/** A uint64 as protobufjs returns it (long@4 `Long`) or accepts it (`{ low, high }` or a number). */
export interface WireLong {
  readonly low: number
  readonly high: number
}
export type WireU64 = number | WireLong

/**
 * The value fields shared by Metric, PropertyValue, DataSetValue and Parameter. Here and in the
 * interfaces below, members are the proto2 fields of the Sparkplug B schema in protobufjs' camelCase.
 */
export interface WireValue {
  intValue?: number | null
  longValue?: WireU64 | null
  floatValue?: number | null
  doubleValue?: number | null
  booleanValue?: boolean | null
  stringValue?: string | null
}

export interface WireMetric extends WireValue {
  name?: string
  alias?: WireU64
  timestamp?: WireU64
  datatype?: number
  isHistorical?: boolean
  isTransient?: boolean
  isNull?: boolean
  metadata?: WireMetaData | null
  properties?: WirePropertySet | null
  bytesValue?: Uint8Array | null
  datasetValue?: WireDataSet | null
  templateValue?: WireTemplate | null
  extensionValue?: object | null
}

export interface WireMetaData {
  isMultiPart?: boolean
  contentType?: string
  size?: WireU64
  seq?: WireU64
  fileName?: string
  fileType?: string
  md5?: string
  description?: string
}

export interface WirePropertySet {
  keys: string[]
  values: WirePropertyValue[]
}

export interface WirePropertyValue extends WireValue {
  type?: number
  isNull?: boolean
  propertysetValue?: WirePropertySet | null
  propertysetsValue?: { propertyset: WirePropertySet[] } | null
}

export interface WireDataSet {
  numOfColumns?: WireU64
  columns: string[]
  types: number[]
  rows: { elements: WireValue[] }[]
}

export interface WireTemplate {
  version?: string
  templateRef?: string
  isDefinition?: boolean
  metrics: WireMetric[]
  parameters: (WireValue & { name?: string; type?: number })[]
}

export interface WirePayload {
  timestamp?: WireU64
  metrics: WireMetric[]
  seq?: WireU64
  uuid?: string
  body?: Uint8Array
}

interface WireCodec {
  encode(message: WirePayload): { finish(): Uint8Array }
  decode(bytes: Uint8Array): WirePayload
}

/** `org.eclipse.tahu.protobuf.Payload` of the static module. */
export const wirePayload: WireCodec = pkg.org.eclipse.tahu.protobuf.Payload as unknown as WireCodec

/** Own-property presence on a decoded instance (its prototype holds the proto2 defaults). */
export const has = (o: object, key: string): boolean => Object.hasOwn(o, key)

const TWO_32 = 4294967296

/** uint64 → number; exact up to 2^53 (timestamps, seq, alias). */
export function u64ToNumber(v: WireU64): number {
  return typeof v === 'number' ? v : (v.high >>> 0) * TWO_32 + (v.low >>> 0)
}

/** uint64 → unsigned bigint, exact over the whole range. */
export function u64ToBigInt(v: WireU64): bigint {
  if (typeof v === 'number') return BigInt(v)
  const high = v.high >>> 0
  return high === 0 ? BigInt(v.low >>> 0) : (BigInt(high) << 32n) | BigInt(v.low >>> 0)
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** bigint (signed or unsigned, 64 bits) → what the writer takes; numbers pass through. */
export function bigIntToU64(v: bigint): WireU64 {
  if (v >= -SAFE && v <= SAFE) return Number(v)
  const u = BigInt.asUintN(64, v)
  return { low: Number(u & 0xffffffffn), high: Number(u >> 32n) }
}
