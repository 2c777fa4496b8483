/**
 * A Sparkplug B payload as plain TypeScript values, one-to-one with the protobuf message
 * (proto2: an absent field is `undefined`, a present zero is 0). `codec.ts` turns it into bytes
 * and back. Every datatype of the 3.0 specification is representable, including DataSet,
 * Template, PropertySet and the array types.
 */
import type { Value } from '../model/value.js'

/** Datatype names of the specification (b.2), including the ones only payloads carry. */
export type DataTypeName =
  | 'Unknown'
  | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64'
  | 'Float' | 'Double' | 'Boolean' | 'String' | 'DateTime' | 'Text' | 'UUID'
  | 'DataSet' | 'Bytes' | 'File' | 'Template' | 'PropertySet' | 'PropertySetList'
  | 'Int8Array' | 'Int16Array' | 'Int32Array' | 'Int64Array'
  | 'UInt8Array' | 'UInt16Array' | 'UInt32Array' | 'UInt64Array'
  | 'FloatArray' | 'DoubleArray' | 'BooleanArray' | 'StringArray' | 'DateTimeArray'

export interface Payload {
  /** UTC ms. */
  timestamp?: number
  metrics: PayloadMetric[]
  /** 0..255; absent on NDEATH and commands. */
  seq?: number
  uuid?: string
  body?: Uint8Array
}

export interface PayloadMetric {
  name?: string
  alias?: number
  /** UTC ms. */
  timestamp?: number
  datatype?: DataTypeName
  /**
   * The datatype to encode `value` with when `datatype` is absent: DATA messages SHOULD NOT carry
   * datatype on the wire (tck-id payloads-metric-datatype-not-req), yet the value field depends on it.
   * Never written; never set by decoding.
   */
  valueType?: DataTypeName
  /**
   * Set only by decoding, on a metric without datatype whose value came from int_value or
   * long_value: `value` is then the field's unsigned reading (uint32 number, uint64 bigint), and
   * only the type the metric was born with says whether those bits are signed (Int16 -1 arrives
   * as 4294967295). Never written.
   */
  unsignedField?: 'int_value' | 'long_value'
  isHistorical?: boolean
  isTransient?: boolean
  isNull?: boolean
  metadata?: MetaData
  properties?: PropertySet
  /** Absent when `isNull`; for DataSet/Template a structured value. */
  value?: MetricValue
}

export type MetricValue = Value | DataSet | Template

export interface MetaData {
  isMultiPart?: boolean
  contentType?: string
  size?: bigint
  seq?: bigint
  fileName?: string
  fileType?: string
  md5?: string
  description?: string
}

/** Ordered key/value pairs; keys are unique. */
export type PropertySet = Record<string, PropertyValue>

export interface PropertyValue {
  type: DataTypeName
  isNull?: boolean
  value?: number | bigint | boolean | string | PropertySet | PropertySet[]
}

export interface DataSet {
  readonly kind: 'DataSet'
  columns: string[]
  types: DataTypeName[]
  rows: (number | bigint | boolean | string)[][]
}

export interface Template {
  readonly kind: 'Template'
  version?: string
  templateRef?: string
  isDefinition: boolean
  metrics: PayloadMetric[]
  parameters: TemplateParameter[]
}

export interface TemplateParameter {
  name: string
  type: DataTypeName
  value?: number | bigint | boolean | string
}

/** Encoding choices that the specification leaves open. */
export interface CodecOptions {
  /** Where UInt32 metric values go: the spec's int_value or long_value (Ignition, Tahu Java, TCK after PR #529). Both decode. */
  readonly uint32Field: 'int_value' | 'long_value'
}
