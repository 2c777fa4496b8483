/** One raw tag (a YAML mapping or a CSV row) -> OpcuaPoint, collecting every problem with its path. */
import type { ConfigError, ConfigPath } from '../../gateway/model/result.js'
import { Fields } from '../../gateway/base/fields.js'
import { parseSize, sizeHint } from '../../gateway/base/units.js'
import { defaults, type Deadband, type OpcuaPoint } from './config.js'
import { nodeIdProblem } from './node-id.js'
import { type OpcuaType, opcuaTypeNames, parseTypeName, sparkplugTypeOf } from './types.js'

/** A point before the device-wide timing is decided: `queueSize` null when the tag does not set it. */
export type ParsedPoint = Omit<OpcuaPoint, 'queueSize'> & { readonly queueSize: number | null; readonly pollMs: number }

/** `devicePollMs`: the device's `poll`, which a tag without its own `poll` or `samplingInterval` samples at. */
export function parseTag(raw: Readonly<Record<string, unknown>>, at: ConfigPath, errors: ConfigError[], devicePollMs: number): ParsedPoint | null {
  const f = new Fields(raw, at, errors)
  const before = errors.length
  const nodeId = f.requiredString('nodeId', 'the variable to read, e.g. nodeId: ns=2;s=Press4.Pressure')
  if (nodeId !== '') {
    const problem = nodeIdProblem(nodeId)
    if (problem !== null) f.fail('nodeId', problem)
  }
  const declared = declaredType(f)
  const pollMs = f.get('poll') !== undefined ? f.duration('poll', '1s') : devicePollMs
  const samplingIntervalMs = f.get('samplingInterval') !== undefined ? f.duration('samplingInterval', '0ms') : pollMs
  const queueSize = f.get('queueSize') === undefined ? null : f.integer('queueSize', 1, 1, defaults.maxQueueSize)
  const deadband = serverDeadband(f, declared)
  const writable = f.boolean('writable', false)
  const limits = {
    maxStringBytes: size(f, 'maxStringBytes', defaults.maxStringBytes, defaults.ceilingStringBytes),
    maxArrayLength: f.integer('maxArrayLength', defaults.maxArrayLength, 1, defaults.ceilingArrayLength),
  }
  if (errors.length > before) return null
  return { name: String(raw.name ?? ''), nodeId, declared, samplingIntervalMs, queueSize, pollMs, deadband, writable, limits }
}

/** A byte size (64KiB, 2MiB, or a bare number of bytes) between 1 and `ceiling`. */
export function size(f: Fields, key: string, fallback: number, ceiling: number): number {
  const value = f.get(key)
  if (value === undefined) return fallback
  const bytes = parseSize(value)
  if (bytes === undefined) f.fail(key, `${sizeHint}, got ${JSON.stringify(value)}`)
  else if (bytes < 1 || bytes > ceiling) f.fail(key, `expected at least 1 byte and at most ${ceiling / 1024 / 1024}MiB, got ${JSON.stringify(value)}`)
  else return bytes
  return fallback
}

function declaredType(f: Fields): OpcuaType | null {
  const text = f.string('type')
  if (text === undefined) return null
  const t = parseTypeName(text)
  if (t === null) {
    f.fail('type', `expected an OPC UA built-in type (${opcuaTypeNames.join(', ')}), with [] for an array, e.g. Double[]; or leave type out to take the server's; got ${JSON.stringify(text)}`)
    return null
  }
  if (sparkplugTypeOf(t) === null) f.fail('type', `${t.base}[] has no Sparkplug array type; read the elements as separate tags`)
  return t
}

/** `deadband` (common: absolute, also applied by the normaliser) and `deadbandPercent` (of the server's EURange). */
function serverDeadband(f: Fields, declared: OpcuaType | null): Deadband | null {
  const absolute = Number(f.get('deadband') ?? 0)
  const percent = f.get('deadbandPercent')
  if (percent !== undefined) {
    if (f.get('deadband') !== undefined) f.fail('deadbandPercent', 'give either deadband (absolute) or deadbandPercent, not both')
    const n = Number(percent)
    if (!(n > 0 && n <= 100)) f.fail('deadbandPercent', `expected a percentage of the variable's EURange above 0 and at most 100, got ${JSON.stringify(percent)}`)
    else return numeric(f, declared, 'deadbandPercent') ? { kind: 'percent', value: n } : null
  }
  if (absolute > 0 && numeric(f, declared, 'deadband')) return { kind: 'absolute', value: absolute }
  return null
}

function numeric(f: Fields, declared: OpcuaType | null, key: string): boolean {
  if (declared === null || ['SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float', 'Double'].includes(declared.base)) return true
  f.fail(key, `a deadband needs a numeric variable; type ${declared.base} has none`)
  return false
}
