/** A raw OPC UA device (connection + tags) -> OpcuaDeviceConfig with every error found. No I/O. */
import type { RawDevice } from '../driver.js'
import { type ConfigError, type ConfigPath, fail, ok, type Result } from '../../gateway/model/result.js'
import { parseDuration } from '../../gateway/base/units.js'
import { isRecord } from '../../gateway/base/fields.js'
import { coveringQueue, defaults, type OpcuaDeviceConfig, type OpcuaPoint } from './config.js'
import { parseConnection } from './parse-connection.js'
import { type ParsedPoint, parseTag } from './parse-tag.js'
import { modeProblems } from './mode-keys.js'

export function parseOpcuaDevice(raw: RawDevice, at: ConfigPath, warnings: ConfigError[] = []): Result<OpcuaDeviceConfig, ConfigError[]> {
  const errors: ConfigError[] = []
  if (raw.driver !== 'opcua') errors.push({ path: [...at, 'driver'], message: `expected opcua, got ${JSON.stringify(raw.driver)}` })
  const connection = parseConnection(raw.connection, at, errors)
  const parsed: (ParsedPoint | null)[] = raw.tags.map((tag, i) => {
    const path = [...at, 'tags', i]
    if (!isRecord(tag)) {
      errors.push({ path, message: 'expected a tag mapping with name and nodeId' })
      return null
    }
    return parseTag(tag, path, errors, raw.pollMs ?? defaults.pollMs)
  })
  modeProblems(raw, at, connection, errors, warnings)
  if (errors.length > 0) return fail(errors)
  const kept = parsed.filter((p): p is ParsedPoint => p !== null)
  // Publishes follow the fastest poll of the device: a value sampled at that rate reaches the
  // gateway at that rate, not at a publishing interval the user never wrote.
  const publishingIntervalMs = connection.publishingIntervalMs
    ?? (kept.length === 0 ? parseDuration(defaults.publishingInterval)! : Math.min(...kept.map((p) => p.pollMs)))
  const points: OpcuaPoint[] = parsed.flatMap((p, i) => {
    if (p === null) return []
    const { pollMs: _, ...point } = p
    const needed = Math.min(coveringQueue(publishingIntervalMs, p.samplingIntervalMs), defaults.maxQueueSize)
    if (connection.mode === 'subscription') queueWarning(p, needed, publishingIntervalMs, [...at, 'tags', i], warnings)
    return [{ ...point, queueSize: p.queueSize ?? needed }]
  })
  return ok({ ...connection, publishingIntervalMs, points })
}

/** A queue that cannot hold the samples of one publishing interval drops all but the newest. */
function queueWarning(p: ParsedPoint, needed: number, publishingIntervalMs: number, path: ConfigPath, warnings: ConfigError[]): void {
  if (p.samplingIntervalMs <= 0) return
  const samples = Math.ceil(publishingIntervalMs / p.samplingIntervalMs)
  const kept = p.queueSize ?? needed
  if (kept >= samples) return
  const fix = samples + 1 <= defaults.maxQueueSize ? `raise queueSize to ${samples + 1} or shorten connection.publishingInterval` : 'shorten connection.publishingInterval'
  warnings.push({
    path: [...path, p.queueSize === null ? 'samplingInterval' : 'queueSize'],
    message: `the server keeps ${kept} of the ${samples} samples taken every ${p.samplingIntervalMs} ms in each publishingInterval ${publishingIntervalMs} ms and drops the rest; ${fix}`,
  })
}
