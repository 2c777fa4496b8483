/**
 * The value of a write command, checked as it came off the wire and before any conversion: a
 * value that does not fit the datatype the host declared, the tag's type, the
 * register behind the tag, `min`/`max` or the allowed values is refused, never wrapped or rounded.
 */
import { fail, ok, type Result } from '../model/result.js'
import type { SparkplugType, Value } from '../model/value.js'
import { rawMisfit } from '../normalise/convert.js'
import { isIntegerType, misfit } from '../normalise/fits.js'
import { isNumericType, type TagDef } from '../normalise/tag-def.js'
import { valueAs } from './codec-metric.js'
import { isSparkplugType } from './datatypes.js'
import type { PayloadMetric } from './payload.js'

const bigintTypes = new Set<SparkplugType>(['Int64', 'UInt64'])

/**
 * The value to write to `tag`, in the JS representation of the tag's type, or why it is refused.
 * A declared datatype other than the tag's is accepted when the value fits both.
 */
export function writeValue(tag: TagDef, metric: PayloadMetric): Result<Value, string> {
  const value = metric.value
  if (isNumericType(tag.type)) {
    if (typeof value !== 'number' && typeof value !== 'bigint') return fail(`expected a number for ${tag.type}, got ${describe(metric)}`)
    // Without a declared datatype the tag's type gives int_value/long_value their sign.
    const wire = valueAs(metric, tag.type) as number | bigint
    const declared = metric.datatype
    const why = (declared !== undefined && declared !== tag.type && isSparkplugType(declared) ? misfit(declared, wire) : undefined) ?? misfit(tag.type, wire)
      ?? outsideLimits(tag, wire) ?? rawMisfit(tag, wire)
    if (why !== undefined) return fail(why)
    return allowed(tag, bigintTypes.has(tag.type) ? BigInt(wire) : Number(wire))
  }
  if (tag.type === 'Boolean') {
    return typeof value === 'boolean' ? allowed(tag, value) : fail(`expected a Boolean, got ${describe(metric)}`)
  }
  if (tag.type === 'String' || tag.type === 'Text' || tag.type === 'UUID') {
    return typeof value === 'string' ? allowed(tag, value) : fail(`expected a String, got ${describe(metric)}`)
  }
  return fail(`writing ${tag.type} tags is not supported`)
}

// Compared exactly: a 64-bit value just past a bound must not round onto it.
function outsideLimits(tag: TagDef, value: number | bigint): string | undefined {
  const exact = typeof value === 'bigint' || isIntegerType(tag.type)
  if (tag.min !== undefined && (exact ? BigInt(value) < BigInt(Math.ceil(tag.min)) : value < tag.min)) {
    return `${value} is below the minimum ${tag.min}`
  }
  if (tag.max !== undefined && (exact ? BigInt(value) > BigInt(Math.floor(tag.max)) : value > tag.max)) {
    return `${value} is above the maximum ${tag.max}`
  }
  return undefined
}

function allowed(tag: TagDef, value: Value): Result<Value, string> {
  if (tag.allowed === undefined || tag.allowed.some((a) => sameAllowed(a, value))) return ok(value)
  return fail(`${String(value)} is not one of the allowed values ${tag.allowed.map(String).join(', ')}`)
}

// 5 and 5n are the same setpoint whichever way the host encoded it.
function sameAllowed(allowed: Value, value: Value): boolean {
  const numeric = (v: Value) => typeof v === 'number' || typeof v === 'bigint'
  return allowed === value || (numeric(allowed) && numeric(value) && Number(allowed) === Number(value))
}

/** A metric's value for a refusal: strings quoted, with the declared datatype when there is one. */
export function describe(metric: PayloadMetric): string {
  const v = metric.value
  const shown = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? (v instanceof Uint8Array ? 'bytes' : 'a structure') : String(v)
  return metric.datatype !== undefined ? `${metric.datatype} ${shown}` : shown
}
