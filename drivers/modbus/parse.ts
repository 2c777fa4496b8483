/** A raw Modbus device (connection + tags) -> ModbusDeviceConfig with every error found. No I/O. */
import type { RawDevice } from '../driver.js'
import { type ConfigError, type ConfigPath, fail, ok, type Result } from '../../gateway/model/result.js'
import { type Kind, kinds, type ModbusDeviceConfig } from './config.js'
import { isRecord } from '../../gateway/base/fields.js'
import { parseConnection } from './parse-connection.js'
import { parseTag } from './parse-tag.js'
import type { ModbusPoint } from './point.js'
import { sharingConflict } from './shared-registers.js'

export function parseModbusDevice(raw: RawDevice, at: ConfigPath, warnings: ConfigError[] = []): Result<ModbusDeviceConfig, ConfigError[]> {
  const errors: ConfigError[] = []
  const kind = kinds.find((k) => k === raw.driver)
  if (kind === undefined) errors.push({ path: [...at, 'driver'], message: `expected one of ${kinds.join(' | ')}, got ${JSON.stringify(raw.driver)}` })
  const connection = parseConnection(kind ?? 'modbus-tcp', raw.connection, at, errors)
  const points: ModbusPoint[] = []
  const placed: Placed[] = []
  raw.tags.forEach((tag, i) => {
    const path = [...at, 'tags', i]
    if (!isRecord(tag)) {
      errors.push({ path, message: 'expected a tag mapping with name and address' })
      return
    }
    const point = parseTag(tag, path, errors, warnings)
    if (point === null) return
    if (point.count > connection.limits.maxRegistersPerRead) {
      errors.push({ path: [...path, 'length'], message: `"${point.name}" spans ${point.count} registers, more than maxRegistersPerRead (${connection.limits.maxRegistersPerRead}) allows in one read` })
    }
    const conflict = placed.map((p) => sharingConflict(p.point, point, p.index)).find((m) => m !== null)
    if (conflict) errors.push({ path: [...path, 'address'], message: conflict })
    placed.push({ point, index: i })
    points.push(point)
  })
  if (errors.length > 0) return fail(errors)
  return ok({ kind: kind as Kind, ...connection, points })
}

interface Placed {
  readonly point: ModbusPoint
  readonly index: number
}
