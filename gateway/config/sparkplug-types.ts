/** The Sparkplug datatypes a tag or a template member may be published as. */
import type { SparkplugType } from '../model/value.js'

// A Record so that the compiler notices when value.ts gains a type this list lacks.
const typeNames: Record<SparkplugType, true> = {
  Int8: true, Int16: true, Int32: true, Int64: true, UInt8: true, UInt16: true, UInt32: true, UInt64: true,
  Float: true, Double: true, Boolean: true, String: true, DateTime: true, Text: true, UUID: true, Bytes: true, File: true,
  Int8Array: true, Int16Array: true, Int32Array: true, Int64Array: true,
  UInt8Array: true, UInt16Array: true, UInt32Array: true, UInt64Array: true,
  FloatArray: true, DoubleArray: true, BooleanArray: true, StringArray: true, DateTimeArray: true,
}
export const sparkplugTypes = Object.keys(typeNames) as SparkplugType[]
