/** A raw OPC UA device (connection + tags) -> OpcuaDeviceConfig with every error found. No I/O. */
import type { RawDevice } from '../driver.js'
import { type ConfigError, type ConfigPath, fail, ok, type Result } from '../../gateway/model/result.js'
import { isRecord } from '../modbus/fields.js'
import type { OpcuaDeviceConfig, OpcuaPoint } from './config.js'
import { parseConnection } from './parse-connection.js'
import { parseTag } from './parse-tag.js'

export function parseOpcuaDevice(raw: RawDevice, at: ConfigPath): Result<OpcuaDeviceConfig, ConfigError[]> {
  const errors: ConfigError[] = []
  if (raw.driver !== 'opcua') errors.push({ path: [...at, 'driver'], message: `expected opcua, got ${JSON.stringify(raw.driver)}` })
  const connection = parseConnection(raw.connection, at, errors)
  const points: OpcuaPoint[] = []
  raw.tags.forEach((tag, i) => {
    const path = [...at, 'tags', i]
    if (!isRecord(tag)) {
      errors.push({ path, message: 'expected a tag mapping with name and nodeId' })
      return
    }
    const point = parseTag(tag, path, errors)
    if (point !== null) points.push(point)
  })
  if (errors.length > 0) return fail(errors)
  return ok({ ...connection, points })
}
