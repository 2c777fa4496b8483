/**
 * The simulator's configuration: the `connection` section and the simulator keys of each tag,
 * validated into typed tags. No I/O: the dark file is only named here, never looked at.
 */
import type { RawDevice } from '../driver.js'
import type { ConfigError, ConfigPath, Result } from '../../gateway/model/result.js'
import type { SparkplugType, Value } from '../../gateway/model/value.js'
import { parseDuration } from '../../gateway/base/units.js'
import { integerRange, is64BitInteger } from '../../gateway/base/integer-ranges.js'
import { describeType, fits } from './signals.js'
import type { Signal, SimTag, SimulatorConfig } from './types.js'

const integerTypes: readonly SparkplugType[] = ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64']
const analogTypes: readonly SparkplugType[] = ['Double', 'Float', 'Int8', 'Int16', 'Int32', 'UInt8', 'UInt16', 'UInt32']

/** Every default of the simulator, in one place (the README's table repeats them). */
export const simulatorDefaults = {
  latencyMs: 0,
  low: 0,
  high: 100,
  /** random-walk step as a fraction of high - low. */
  stepFraction: 0.01,
  type: {
    counter: 'Int32', ramp: 'Double', sine: 'Double', 'random-walk': 'Double',
    boolean: 'Boolean', string: 'String', setpoint: 'Double',
  } satisfies Record<Signal, SparkplugType>,
  periodMs: { counter: 1000, ramp: 60_000, sine: 60_000, boolean: 10_000, string: 10_000 },
} as const

/** The SparkplugTypes each signal can produce. */
export const signalTypes: Readonly<Record<Signal, readonly SparkplugType[]>> = {
  counter: integerTypes,
  ramp: analogTypes,
  sine: analogTypes,
  'random-walk': analogTypes,
  boolean: ['Boolean'],
  string: ['String', 'Text'],
  setpoint: ['Double', 'Float', ...integerTypes, 'Boolean', 'String', 'Text'],
}

type TagKey = 'type' | 'period' | 'low' | 'high' | 'step' | 'values' | 'initial'

/** The simulator tag keys each signal takes. */
export const signalKeys: Readonly<Record<Signal, readonly TagKey[]>> = {
  counter: ['type', 'period'],
  ramp: ['type', 'low', 'high', 'period'],
  sine: ['type', 'low', 'high', 'period'],
  'random-walk': ['type', 'low', 'high', 'step', 'initial'],
  boolean: ['type', 'period'],
  string: ['type', 'values', 'period'],
  setpoint: ['type', 'initial'],
}

const signals = Object.keys(signalKeys) as Signal[]
const tagKeys: readonly TagKey[] = ['type', 'period', 'low', 'high', 'step', 'values', 'initial']

/**
 * Validates `connection` and the simulator keys of every tag, collecting every error with its
 * path; a tag `poll` on a pushing device (never polled) is a warning.
 */
export function parseSimulatorConfig(raw: RawDevice, at: ConfigPath, warnings: ConfigError[] = []): Result<SimulatorConfig, ConfigError[]> {
  const errors: ConfigError[] = []
  const connection = parseConnection(raw.connection, [...at, 'connection'], errors)
  const tags = raw.tags.map((tag, i) => parseTag(tag, [...at, 'tags', i], errors))
  const pushMs = connection.pushMs
  if (pushMs !== undefined) {
    raw.tags.forEach((tag, i) => {
      if (tag.poll !== undefined && tag.poll !== null && tag.poll !== '') {
        warnings.push({ path: [...at, 'tags', i, 'poll'], message: `has no effect: this simulator device pushes every ${pushMs} ms (connection.push), it is not polled` })
      }
    })
  }
  if (errors.length > 0) return { ok: false, error: errors }
  return { ok: true, value: { ...connection, tags: tags.filter((tag): tag is SimTag => tag !== undefined) } }
}

// Reports a problem at a key (or a key and an index) below the current path.
type Report = (key: string | readonly (string | number)[], message: string) => void

function reporter(path: ConfigPath, errors: ConfigError[]): Report {
  return (key, message) => errors.push({ path: [...path, ...(typeof key === 'string' ? [key] : key)], message })
}

function parseConnection(raw: unknown, path: ConfigPath, errors: ConfigError[]): Omit<SimulatorConfig, 'tags'> {
  if (raw === undefined || raw === null) return { latencyMs: simulatorDefaults.latencyMs }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push({ path, message: 'expected a mapping with the optional keys darkFile, latency and push' })
    return { latencyMs: simulatorDefaults.latencyMs }
  }
  const fields = raw as Record<string, unknown>
  const report = reporter(path, errors)
  for (const key of Object.keys(fields)) {
    if (key !== 'darkFile' && key !== 'latency' && key !== 'push') report(key, `unknown key ${key}: the simulator's connection takes darkFile, latency and push`)
  }
  const darkFile = fields.darkFile
  if (darkFile !== undefined && (typeof darkFile !== 'string' || darkFile === '')) report('darkFile', `expected a file path, got ${show(darkFile)}`)
  let latencyMs: number = simulatorDefaults.latencyMs
  if (fields.latency !== undefined) {
    const ms = parseDuration(fields.latency)
    if (ms === undefined) report('latency', `expected a duration such as 0ms, 250ms or 2s, got ${show(fields.latency)}`)
    else latencyMs = ms
  }
  let pushMs: number | undefined
  if (fields.push !== undefined) {
    const ms = parseDuration(fields.push)
    if (ms === undefined || ms < 10) report('push', `expected a duration of at least 10ms such as 100ms or 1s, got ${show(fields.push)}`)
    else pushMs = ms
  }
  return { ...(typeof darkFile === 'string' && darkFile !== '' ? { darkFile } : {}), latencyMs, ...(pushMs === undefined ? {} : { pushMs }) }
}

function parseTag(raw: Readonly<Record<string, unknown>>, path: ConfigPath, errors: ConfigError[]): SimTag | undefined {
  const report = reporter(path, errors)
  const signal = raw.signal
  if (typeof signal !== 'string' || !(signals as string[]).includes(signal)) {
    const got = signal === undefined ? 'missing signal' : `unknown signal ${show(signal)}`
    report('signal', `${got}: expected one of ${signals.join(', ')}`)
    return undefined
  }
  const kind = signal as Signal
  for (const key of tagKeys) {
    if (raw[key] !== undefined && !signalKeys[kind].includes(key)) {
      report(key, `${key} does not apply to a ${kind} signal, which takes ${signalKeys[kind].join(', ')}`)
    }
  }
  const name = String(raw.name ?? '')
  const type = parseType(raw.type, kind, report)
  switch (kind) {
    case 'counter':
    case 'boolean':
      return { name, signal: kind, type, periodMs: parsePeriod(raw.period, kind, report) }
    case 'ramp':
    case 'sine':
      return { name, signal: kind, type, ...parseBounds(raw, type, report), periodMs: parsePeriod(raw.period, kind, report) }
    case 'random-walk': {
      const { low, high } = parseBounds(raw, type, report)
      const step = parseNumber(raw.step, (high - low) * simulatorDefaults.stepFraction, 'step', report)
      if (step <= 0) report('step', `expected a number above 0, got ${step}`)
      const initial = parseNumber(raw.initial, (low + high) / 2, 'initial', report)
      if (initial < low || initial > high) report('initial', `expected a number from low (${low}) to high (${high}), got ${initial}`)
      return { name, signal: kind, type, low, high, step, initial }
    }
    case 'string':
      return { name, signal: kind, type, values: parseValues(raw.values, report), periodMs: parsePeriod(raw.period, kind, report) }
    case 'setpoint':
      return { name, signal: kind, type, initial: parseInitial(raw.initial, type, report), writable: raw.writable === true || raw.writable === 'true' }
  }
}

function parseType(raw: unknown, signal: Signal, report: Report): SparkplugType {
  const fallback = simulatorDefaults.type[signal]
  if (raw === undefined) return fallback
  const allowed = signalTypes[signal]
  if (typeof raw === 'string' && (allowed as string[]).includes(raw)) return raw as SparkplugType
  report('type', `expected one of ${allowed.join(', ')} for a ${signal} signal, got ${show(raw)}`)
  return fallback
}

function parsePeriod(raw: unknown, signal: keyof typeof simulatorDefaults.periodMs, report: Report): number {
  if (raw === undefined) return simulatorDefaults.periodMs[signal]
  const ms = parseDuration(raw)
  if (ms !== undefined && ms > 0) return ms
  report('period', `expected a duration above 0 such as 500ms, 1s or 2m, got ${show(raw)}`)
  return simulatorDefaults.periodMs[signal]
}

function parseBounds(raw: Readonly<Record<string, unknown>>, type: SparkplugType, report: Report): { low: number; high: number } {
  const low = parseNumber(raw.low, simulatorDefaults.low, 'low', report)
  const high = parseNumber(raw.high, simulatorDefaults.high, 'high', report)
  if (!(high > low)) report('high', `expected a number above low (${low}), got ${high}`)
  const range = integerRange(type)
  if (range !== undefined) {
    if (low < Number(range[0])) report('low', `expected at least ${range[0]}, the lowest ${type}, got ${low}`)
    if (high > Number(range[1])) report('high', `expected at most ${range[1]}, the highest ${type}, got ${high}`)
  }
  return { low, high }
}

function parseValues(raw: unknown, report: Report): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    report('values', 'expected a non-empty list of strings, e.g. [auto, manual, off]')
    return []
  }
  raw.forEach((value, i) => {
    if (typeof value !== 'string') report(['values', i], `expected a string, got ${show(value)} (quote it)`)
  })
  return raw.map(String)
}

function parseInitial(raw: unknown, type: SparkplugType, report: Report): Value {
  const value = raw === undefined ? zeroOf(type) : coerce(raw, type)
  if (value !== undefined && fits(type, value)) return value
  report('initial', `expected ${describeType(type)}, got ${show(raw)}`)
  return zeroOf(type)
}

function zeroOf(type: SparkplugType): Value {
  return is64BitInteger(type) ? 0n : type === 'Boolean' ? false : type === 'String' || type === 'Text' ? '' : 0
}

// Tag lists may come from CSV, where every cell is text: accept "42" and "true" as well as 42 and true.
function coerce(raw: unknown, type: SparkplugType): Value | undefined {
  if (is64BitInteger(type)) {
    if (typeof raw === 'bigint') return raw
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw)
    return typeof raw === 'string' && /^[-+]?\d+$/.test(raw.trim()) ? BigInt(raw.trim()) : undefined
  }
  if (type === 'Boolean') return raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined
  if (type === 'String' || type === 'Text') return typeof raw === 'string' ? raw : undefined
  const number = toNumber(raw)
  return number === undefined ? undefined : type === 'Float' ? Math.fround(number) : number
}

function parseNumber(raw: unknown, fallback: number, key: string, report: Report): number {
  if (raw === undefined) return fallback
  const number = toNumber(raw)
  if (number !== undefined) return number
  report(key, `expected a number, got ${show(raw)}`)
  return fallback
}

function toNumber(raw: unknown): number | undefined {
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN
  return Number.isFinite(number) ? number : undefined
}

function show(raw: unknown): string {
  return typeof raw === 'bigint' ? raw.toString() : JSON.stringify(raw) ?? String(raw)
}
