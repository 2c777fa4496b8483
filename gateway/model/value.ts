/**
 * The vocabulary shared by every stage of the data path. Types only, no behaviour:
 * drivers import these with `import type`.
 */

/** Sparkplug B 3.0 metric datatypes that the data path carries (spec §6.4.16, codes in `datatypes.ts`). */
export type SparkplugType =
  | 'Int8' | 'Int16' | 'Int32' | 'Int64'
  | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64'
  | 'Float' | 'Double' | 'Boolean' | 'String' | 'DateTime' | 'Text' | 'UUID' | 'Bytes' | 'File'
  | 'Int8Array' | 'Int16Array' | 'Int32Array' | 'Int64Array'
  | 'UInt8Array' | 'UInt16Array' | 'UInt32Array' | 'UInt64Array'
  | 'FloatArray' | 'DoubleArray' | 'BooleanArray' | 'StringArray' | 'DateTimeArray'

/**
 * A metric value. 64-bit integer types (Int64, UInt64, DateTime and their arrays) are `bigint`
 * so that no precision is lost; every other integer and floating type is `number`.
 * Bytes and File are `Uint8Array`; the array types are plain arrays of their element value.
 */
export type Value =
  | number | bigint | boolean | string | Uint8Array
  | readonly number[] | readonly bigint[] | readonly boolean[] | readonly string[]

/**
 * One metric as it travels from the normaliser to the upstream. `value: null` means the value
 * could not be read: it is sent with `is_null` and a BAD quality property, never as a stale number.
 */
export interface Metric {
  readonly name: string
  readonly type: SparkplugType
  readonly value: Value | null
  /** When the value was acquired, UTC ms. */
  readonly at: number
  /** The device doubts the value (published with Sparkplug quality 64 instead of 192). */
  readonly uncertain?: true
}

/** A batch of metric changes of the node (`deviceId: null`) or of one device: one future NDATA/DDATA. */
export interface DataRecord {
  readonly deviceId: string | null
  /** When the record was made, UTC ms; decides whether it is sent as historical. */
  readonly at: number
  readonly metrics: readonly Metric[]
}
