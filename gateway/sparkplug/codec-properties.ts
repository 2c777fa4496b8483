/**
 * PropertySet (with nested PropertySet and PropertySetList values) and MetaData.
 * UInt32 property values always go in int_value: the TCK's switch to long_value (PR #529) is
 * for metric values only.
 */
import { PayloadError, withContext } from './codec-error.js'
import { readScalar, writeScalar } from './codec-values.js'
import { bigIntToU64, has, u64ToBigInt, type WireMetaData, type WirePropertySet, type WirePropertyValue, type WireU64 } from './codec-wire.js'
import { dataTypeCodes, dataTypeNames } from './datatypes.js'
import type { MetaData, PropertySet, PropertyValue } from './payload.js'

/** PropertySet → wire keys/values, in key order. Throws PayloadError naming the property. */
export function encodePropertySet(set: PropertySet): WirePropertySet {
  const keys = Object.keys(set)
  const values: WirePropertyValue[] = new Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    try {
      values[i] = encodePropertyValue(set[keys[i]])
    } catch (error) {
      throw withContext(`property '${keys[i]}'`, error)
    }
  }
  return { keys, values }
}

function encodePropertyValue(p: PropertyValue): WirePropertyValue {
  const code = dataTypeCodes[p.type]
  if (code === undefined) throw new PayloadError(`unknown property type '${String(p.type)}'`)
  const out: WirePropertyValue = { type: code }
  if (p.isNull !== undefined) out.isNull = p.isNull
  if (p.value === undefined) return out
  if (code === 20) {
    out.propertysetValue = encodePropertySet(p.value as PropertySet)
  } else if (code === 21) {
    if (!Array.isArray(p.value)) throw new PayloadError('PropertySetList value must be an array of PropertySets')
    out.propertysetsValue = { propertyset: p.value.map(encodePropertySet) }
  } else if (code >= 1 && code <= 14) {
    writeScalar(out, code, p.value, false)
  } else {
    throw new PayloadError(`${p.type} is not a property type (Basic types, PropertySet, PropertySetList)`)
  }
  return out
}

/** Wire keys/values → PropertySet. Throws PayloadError on unequal lengths, repeated keys or bad values. */
export function decodePropertySet(w: WirePropertySet): PropertySet {
  const { keys, values } = w
  if (keys.length !== values.length) {
    throw new PayloadError(`PropertySet has ${keys.length} keys but ${values.length} values`)
  }
  const set: PropertySet = {}
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    if (Object.hasOwn(set, key)) throw new PayloadError(`PropertySet repeats key '${key}'`)
    let value: PropertyValue
    try {
      value = decodePropertyValue(values[i])
    } catch (error) {
      throw withContext(`property '${key}'`, error)
    }
    // A key named __proto__ must stay data, not replace the object's prototype.
    if (key === '__proto__') Object.defineProperty(set, key, { value, enumerable: true, writable: true, configurable: true })
    else set[key] = value
  }
  return set
}

function decodePropertyValue(w: WirePropertyValue): PropertyValue {
  if (!has(w, 'type')) throw new PayloadError('property has no type')
  const code = w.type as number
  const type = dataTypeNames[code]
  if (type === undefined) throw new PayloadError(`property type ${code} is not a Sparkplug datatype`)
  const out: PropertyValue = { type }
  if (has(w, 'isNull')) out.isNull = w.isNull
  if (code === 20) {
    if (w.propertysetValue != null) out.value = decodePropertySet(w.propertysetValue)
  } else if (code === 21) {
    if (w.propertysetsValue != null) out.value = w.propertysetsValue.propertyset.map(decodePropertySet)
  } else if (code >= 1 && code <= 14) {
    const value = readScalar(w, code)
    if (value !== undefined) out.value = value
  } else {
    throw new PayloadError(`${type} is not a property type (Basic types, PropertySet, PropertySetList)`)
  }
  return out
}

/** MetaData → wire, only the fields that are set. */
export function encodeMetaData(m: MetaData): WireMetaData {
  const out: WireMetaData = {}
  if (m.isMultiPart !== undefined) out.isMultiPart = m.isMultiPart
  if (m.contentType !== undefined) out.contentType = m.contentType
  if (m.size !== undefined) out.size = bigIntToU64(m.size)
  if (m.seq !== undefined) out.seq = bigIntToU64(m.seq)
  if (m.fileName !== undefined) out.fileName = m.fileName
  if (m.fileType !== undefined) out.fileType = m.fileType
  if (m.md5 !== undefined) out.md5 = m.md5
  if (m.description !== undefined) out.description = m.description
  return out
}

/** Wire → MetaData, only the fields present on the wire. */
export function decodeMetaData(w: WireMetaData): MetaData {
  const out: MetaData = {}
  if (has(w, 'isMultiPart')) out.isMultiPart = w.isMultiPart
  if (has(w, 'contentType')) out.contentType = w.contentType
  if (has(w, 'size')) out.size = u64ToBigInt(w.size as WireU64)
  if (has(w, 'seq')) out.seq = u64ToBigInt(w.seq as WireU64)
  if (has(w, 'fileName')) out.fileName = w.fileName
  if (has(w, 'fileType')) out.fileType = w.fileType
  if (has(w, 'md5')) out.md5 = w.md5
  if (has(w, 'description')) out.description = w.description
  return out
}
