/**
 * The Sparkplug B DataType enum: names, wire codes and the groups the
 * specification puts them in. Lookups are plain tables so the codec pays one index per metric.
 */
import type { SparkplugType } from '../model/value.js'
import type { DataTypeName } from './payload.js'

/** Every DataType name, indexed by its wire code (0..34). */
export const dataTypeNames: readonly DataTypeName[] = [
  'Unknown',
  'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64',
  'Float', 'Double', 'Boolean', 'String', 'DateTime', 'Text', 'UUID',
  'DataSet', 'Bytes', 'File', 'Template', 'PropertySet', 'PropertySetList',
  'Int8Array', 'Int16Array', 'Int32Array', 'Int64Array',
  'UInt8Array', 'UInt16Array', 'UInt32Array', 'UInt64Array',
  'FloatArray', 'DoubleArray', 'BooleanArray', 'StringArray', 'DateTimeArray',
]

/** Wire code of each DataType name. */
export const dataTypeCodes: Readonly<Record<DataTypeName, number>> = Object.fromEntries(
  dataTypeNames.map((name, code) => [name, code]),
) as Record<DataTypeName, number>

/** Wire code of `name`. */
export function dataTypeCode(name: DataTypeName): number {
  return dataTypeCodes[name]
}

/** DataType name of a wire code, or `undefined` for a code the specification does not define. */
export function dataTypeName(code: number): DataTypeName | undefined {
  return dataTypeNames[code]
}

/** True for any of the 35 names of the DataType enum. */
export function isDataTypeName(name: string): name is DataTypeName {
  return Object.hasOwn(dataTypeCodes, name)
}

const metricValueTypes = new Set<string>(dataTypeNames.filter((n) => {
  const code = dataTypeCodes[n]
  return (code >= 1 && code <= 15) || code === 17 || code === 18 || code >= 22
}))

/**
 * True for the datatypes the gateway's data path carries (`SparkplugType`): the scalars, Bytes,
 * File and the arrays; not Unknown, DataSet, Template or the property-only types.
 */
export function isSparkplugType(name: string): name is SparkplugType {
  return metricValueTypes.has(name)
}

/** Basic types (codes 1..14): the only ones allowed for DataSet columns, Template parameters and plain PropertyValues. */
export function isBasicType(name: DataTypeName): boolean {
  const code = dataTypeCodes[name]
  return code >= 1 && code <= 14
}

/** The array types (codes 22..34), all carried packed in `bytes_value`. */
export function isArrayType(name: DataTypeName): boolean {
  return dataTypeCodes[name] >= 22
}

/** Types whose TypeScript value is `bigint` (64-bit integers and DateTime, and their arrays hold bigint). */
export function isBigIntType(name: DataTypeName): boolean {
  const code = dataTypeCodes[name]
  return code === 4 || code === 8 || code === 13
}
