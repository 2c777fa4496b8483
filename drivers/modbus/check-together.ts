/** Checks across devices: two devices on one bus must not claim the same unit id, and one serial line has one set of line settings. */
import type { ConfigError } from '../../gateway/model/result.js'
import { type ModbusDeviceConfig, sharedBusKey } from './config.js'

interface Device {
  readonly file: string
  readonly deviceId: string
  readonly config: ModbusDeviceConfig
}

export function checkTogether(devices: readonly Device[]): ConfigError[] {
  const errors: ConfigError[] = []
  const seen = new Map<string, Device[]>()
  for (const device of devices) {
    const key = sharedBusKey(device.config)
    if (key === null) continue
    const earlier = seen.get(key) ?? []
    const where = busName(device.config)
    const sameUnit = earlier.find((d) => d.config.unitId === device.config.unitId)
    if (sameUnit) {
      errors.push({
        file: device.file,
        path: ['connection', 'unitId'],
        message: `unit id ${device.config.unitId} on ${where} is already used by device "${sameUnit.deviceId}" (${sameUnit.file}); each device on one bus needs its own unit id`,
      })
    }
    const first = earlier[0]
    if (first && lineSettings(first.config) !== lineSettings(device.config)) {
      errors.push({
        file: device.file,
        path: ['connection'],
        message: `${where} is set to ${lineSettings(device.config)} here but ${lineSettings(first.config)} by device "${first.deviceId}" (${first.file}); devices on one serial line need the same settings`,
      })
    }
    seen.set(key, [...earlier, device])
  }
  return errors
}

function busName(config: ModbusDeviceConfig): string {
  const t = config.transport
  return t.type === 'rtu' ? `serial port ${t.path}` : `shared connection ${t.host}:${t.port}`
}

function lineSettings(config: ModbusDeviceConfig): string {
  const t = config.transport
  return t.type === 'rtu' ? `${t.baudRate} baud ${t.dataBits}${t.parity[0].toUpperCase()}${t.stopBits}` : t.type
}
