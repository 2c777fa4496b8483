/**
 * One metric to and from its wire form, and Template values, whose members are metrics.
 * The value field is chosen by a switch on the datatype code; a metric without a datatype
 * (allowed in DATA) decodes from whichever field is set.
 */
import { PayloadError, withContext } from './codec-error.js'
import { packArray, unpackArray } from './codec-arrays.js'
import { decodeDataSet, encodeDataSet } from './codec-dataset.js'
import { decodeMetaData, decodePropertySet, encodeMetaData, encodePropertySet } from './codec-properties.js'
import { inferredField, inferScalar, mismatch, readScalar, writeScalar } from './codec-values.js'
import { bigIntToU64, has, u64ToNumber, type WireMetric, type WireTemplate, type WireU64, type WireValue } from './codec-wire.js'
import { dataTypeCodes, dataTypeNames } from './datatypes.js'
import type { DataSet, DataTypeName, MetricValue, PayloadMetric, Template, TemplateParameter } from './payload.js'

/** Human name of a metric for error messages. */
export function metricLabel(m: { name?: string | null; alias?: unknown }, index: number): string {
  if (typeof m.name === 'string' && m.name !== '') return `metric '${m.name}'`
  return m.alias != null ? `metric #${index} (alias ${String(m.alias)})` : `metric #${index}`
}

/** Metrics → wire. Throws PayloadError prefixed with the failing metric's name or alias. */
export function encodeMetrics(metrics: readonly PayloadMetric[], uint32Long: boolean): WireMetric[] {
  const out: WireMetric[] = new Array(metrics.length)
  let i = 0
  try {
    for (; i < metrics.length; i++) out[i] = encodeMetric(metrics[i], uint32Long)
  } catch (error) {
    throw withContext(metricLabel(metrics[i], i), error)
  }
  return out
}

function encodeMetric(m: PayloadMetric, uint32Long: boolean): WireMetric {
  const w: WireMetric = {}
  if (m.name !== undefined) w.name = m.name
  if (m.alias !== undefined) w.alias = m.alias
  if (m.timestamp !== undefined) w.timestamp = m.timestamp
  let code = -1
  const type = m.datatype ?? m.valueType
  if (type !== undefined) {
    code = dataTypeCodes[type]
    if (code === undefined) throw new PayloadError(`unknown datatype '${String(type)}'`)
    if (m.datatype !== undefined) w.datatype = code
  }
  if (m.isHistorical !== undefined) w.isHistorical = m.isHistorical
  if (m.isTransient !== undefined) w.isTransient = m.isTransient
  if (m.isNull !== undefined) w.isNull = m.isNull
  if (m.metadata !== undefined) w.metadata = encodeMetaData(m.metadata)
  if (m.properties !== undefined) w.properties = encodePropertySet(m.properties)
  const v = m.value
  if (v === undefined || v === null) return w
  if (code <= 15) {
    if (code === -1) throw new PayloadError('has a value but no datatype to encode it with')
    writeScalar(w, code, v, uint32Long)
  } else if (code >= 22) {
    w.bytesValue = packArray(code, v)
  } else if (code === 17 || code === 18) {
    if (!(v instanceof Uint8Array)) throw new PayloadError(`${type} value must be a Uint8Array`)
    w.bytesValue = v
  } else if (code === 16) {
    w.datasetValue = encodeDataSet(v as DataSet, uint32Long)
  } else if (code === 19) {
    w.templateValue = encodeTemplate(v as Template, uint32Long)
  } else {
    throw new PayloadError(`${type} is a property type, not a metric datatype`)
  }
  return w
}

/**
 * The value of a metric decoded without datatype, read as `type` (the datatype its birth gave it):
 * int_value/long_value bits get the sign the type says (Int16 4294967295 is -1), exactly as if the
 * datatype had been on the wire, never wrapped. Other values, and a type the field cannot carry, as decoded.
 */
export function valueAs(m: PayloadMetric, type: DataTypeName): MetricValue | undefined {
  const code = dataTypeCodes[type]
  if (m.unsignedField === undefined || code < 1 || code > 15 || (typeof m.value !== 'number' && typeof m.value !== 'bigint')) return m.value
  const src: WireValue = m.unsignedField === 'int_value' ? { intValue: Number(m.value) } : { longValue: bigIntToU64(BigInt(m.value)) }
  try {
    return readScalar(src, code)
  } catch {
    return m.value
  }
}

/** Wire → metrics. Throws PayloadError prefixed with the failing metric's name or alias. */
export function decodeMetrics(metrics: readonly WireMetric[]): PayloadMetric[] {
  const out: PayloadMetric[] = new Array(metrics.length)
  let i = 0
  try {
    for (; i < metrics.length; i++) out[i] = decodeMetric(metrics[i])
  } catch (error) {
    throw withContext(metricLabel(metrics[i], i), error)
  }
  return out
}

function decodeMetric(w: WireMetric): PayloadMetric {
  const m: PayloadMetric = {}
  if (has(w, 'name')) m.name = w.name
  if (has(w, 'alias')) m.alias = u64ToNumber(w.alias as WireU64)
  if (has(w, 'timestamp')) m.timestamp = u64ToNumber(w.timestamp as WireU64)
  let code = -1
  if (has(w, 'datatype')) {
    code = w.datatype as number
    const name = dataTypeNames[code]
    if (name === undefined) throw new PayloadError(`datatype ${code} is not a Sparkplug datatype`)
    m.datatype = name
  }
  if (has(w, 'isHistorical')) m.isHistorical = w.isHistorical
  if (has(w, 'isTransient')) m.isTransient = w.isTransient
  if (has(w, 'isNull')) m.isNull = w.isNull
  if (w.metadata != null) m.metadata = decodeMetaData(w.metadata)
  if (w.properties != null) m.properties = decodePropertySet(w.properties)
  const value = decodeValue(w, code)
  if (value !== undefined) m.value = value
  if (code <= 0 && (typeof value === 'number' || typeof value === 'bigint')) {
    const field = inferredField(w)
    if (field === 'intValue') m.unsignedField = 'int_value'
    else if (field === 'longValue') m.unsignedField = 'long_value'
  }
  return m
}

function decodeValue(w: WireMetric, code: number): MetricValue | undefined {
  if (code >= 1 && code <= 15) return readScalar(w, code)
  if (code >= 22) {
    if (w.bytesValue != null) return unpackArray(code, w.bytesValue)
  } else if (code === 17 || code === 18) {
    if (w.bytesValue != null) return new Uint8Array(w.bytesValue)
  } else if (code === 16) {
    if (w.datasetValue != null) return decodeDataSet(w.datasetValue)
  } else if (code === 19) {
    if (w.templateValue != null) return decodeTemplate(w.templateValue)
  } else if (code === 20 || code === 21) {
    throw new PayloadError(`${dataTypeNames[code]} is a property type, not a metric datatype`)
  } else {
    // No datatype, or Unknown: take whichever field is set.
    if (w.bytesValue != null) return new Uint8Array(w.bytesValue)
    if (w.datasetValue != null) return decodeDataSet(w.datasetValue)
    if (w.templateValue != null) return decodeTemplate(w.templateValue)
    return inferScalar(w)
  }
  const error = mismatch(w, code)
  if (error) throw error
  return undefined
}

function encodeTemplate(t: Template, uint32Long: boolean): WireTemplate {
  const w: WireTemplate = { metrics: encodeMetrics(t.metrics, uint32Long), parameters: [] }
  if (t.version !== undefined) w.version = t.version
  if (t.templateRef !== undefined) w.templateRef = t.templateRef
  w.isDefinition = t.isDefinition
  for (const p of t.parameters) {
    const code = dataTypeCodes[p.type]
    if (code === undefined || code < 1 || code > 14) {
      throw new PayloadError(`template parameter '${p.name}' has type ${String(p.type)}; parameters take Basic types`)
    }
    const param: WireTemplate['parameters'][number] = { name: p.name, type: code }
    try {
      if (p.value !== undefined) writeScalar(param, code, p.value, uint32Long)
    } catch (error) {
      throw withContext(`template parameter '${p.name}'`, error)
    }
    w.parameters.push(param)
  }
  return w
}

function decodeTemplate(w: WireTemplate): Template {
  const parameters: TemplateParameter[] = []
  for (const p of w.parameters) {
    const code = p.type ?? 0
    const type = dataTypeNames[code]
    if (type === undefined || code < 1 || code > 14) {
      throw new PayloadError(`template parameter '${p.name ?? ''}' has type ${code}; parameters take Basic types`)
    }
    const param: TemplateParameter = { name: p.name ?? '', type }
    try {
      const value = readScalar(p, code)
      if (value !== undefined) param.value = value
    } catch (error) {
      throw withContext(`template parameter '${param.name}'`, error)
    }
    parameters.push(param)
  }
  const t: Template = { kind: 'Template', isDefinition: w.isDefinition ?? false, metrics: decodeMetrics(w.metrics), parameters }
  if (has(w, 'version')) t.version = w.version
  if (has(w, 'templateRef')) t.templateRef = w.templateRef
  return t
}
