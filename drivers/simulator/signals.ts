/**
 * The values a simulated tag produces. Time-based signals are pure functions of the clock, so a
 * test can ask for the value at any instant and a restarted gateway carries on where it left off.
 */
import { integerRange, is64BitInteger } from '../../gateway/base/integer-ranges.js'
import type { SparkplugType, Value } from '../../gateway/model/value.js'
import type { SimTag, WalkTag } from './types.js'

/** The instant every time-based signal counts from: 2026-01-01T00:00:00Z. */
export const SIGNAL_EPOCH_MS = Date.UTC(2026, 0, 1)

/** Tags whose value depends only on the time of the read. */
export type TimedTag = Exclude<SimTag, { signal: 'random-walk' | 'setpoint' }>

/** Whether `value` is a valid value of `type`: the right JS type and, for integers, in range. */
export function fits(type: SparkplugType, value: Value): boolean {
  const range = integerRange(type)
  if (range !== undefined) {
    if (is64BitInteger(type)) return typeof value === 'bigint' && value >= range[0] && value <= range[1]
    return typeof value === 'number' && Number.isInteger(value) && value >= Number(range[0]) && value <= Number(range[1])
  }
  switch (type) {
    case 'Float':
    case 'Double':
      return typeof value === 'number'
    case 'Boolean':
      return typeof value === 'boolean'
    case 'String':
    case 'Text':
      return typeof value === 'string'
    default:
      return false
  }
}

/** A number as a device of `type` would hold it: rounded for integers, single precision for Float. */
export function asType(type: SparkplugType, x: number): number {
  if (type === 'Float') return Math.fround(x)
  return integerRange(type) === undefined ? x : Math.round(x)
}

/** The value of a time-based tag at `nowMs` (UTC ms). */
export function valueAt(tag: TimedTag, nowMs: number): Value {
  const elapsed = nowMs - SIGNAL_EPOCH_MS
  const cycles = Math.floor(elapsed / tag.periodMs)
  const phase = modulo(elapsed, tag.periodMs) / tag.periodMs
  switch (tag.signal) {
    case 'counter':
      return counterValue(tag.type, cycles)
    case 'ramp':
      return asType(tag.type, tag.low + (tag.high - tag.low) * phase)
    case 'sine': {
      const middle = (tag.low + tag.high) / 2
      return asType(tag.type, middle + ((tag.high - tag.low) / 2) * Math.sin(2 * Math.PI * phase))
    }
    case 'boolean':
      return modulo(cycles, 2) === 1
    case 'string':
      return tag.values[modulo(cycles, tag.values.length)]
  }
}

// A counter wraps to 0 past the largest positive value of its type, as a device register does.
function counterValue(type: SparkplugType, cycles: number): Value {
  const range = integerRange(type)
  const wrap = range === undefined ? 2n ** 53n : range[1] + 1n
  if (is64BitInteger(type)) return ((BigInt(cycles) % wrap) + wrap) % wrap
  return modulo(cycles, Number(wrap))
}

/**
 * A random walk between `low` and `high`: each call takes one step of at most `step` and bounces
 * off the bounds. Seeded from the tag name, so the same tag walks the same path every run.
 */
export function createRandomWalk(tag: WalkTag): () => number {
  const random = mulberry32(fnv1a(tag.name))
  let x = tag.initial
  return () => {
    x += (2 * random() - 1) * tag.step
    if (x > tag.high) x = 2 * tag.high - x
    if (x < tag.low) x = 2 * tag.low - x
    x = Math.min(tag.high, Math.max(tag.low, x))
    return asType(tag.type, x)
  }
}

// The % operator keeps the sign of the dividend; instants before the epoch need a positive result.
function modulo(a: number, m: number): number {
  return ((a % m) + m) % m
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

// mulberry32: tiny, fast and good enough for test data; Math.random cannot be seeded.
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** What a value of `type` must be, for messages: "an integer from 0 to 255 (UInt8)". */
export function describeType(type: SparkplugType): string {
  const range = integerRange(type)
  if (range !== undefined) return `an integer from ${range[0]} to ${range[1]} (${type})`
  if (type === 'Boolean') return 'true or false (Boolean)'
  if (type === 'Float' || type === 'Double') return `a number (${type})`
  return `a string (${type})`
}
