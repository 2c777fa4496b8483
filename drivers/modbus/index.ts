/** The Modbus driver module: modbus-tcp, modbus-rtu and modbus-rtu-over-tcp devices. See README.md. */
import type { DriverModule } from '../driver.js'
import { checkTogether } from './check-together.js'
import { kinds, sharedBusKey, type ModbusDeviceConfig } from './config.js'
import { createModbusDriver } from './modbus-driver.js'
import { parseModbusDevice } from './parse.js'
import { connectionSchema, tagProperties } from './schema.js'

export type { ModbusDeviceConfig } from './config.js'
export type { ModbusPoint } from './point.js'

export const modbusModule: DriverModule<ModbusDeviceConfig> = {
  kinds,
  schema: { connection: connectionSchema, tagProperties },
  parse: parseModbusDevice,
  create: createModbusDriver,
  checkTogether,
  sharedBus(config) {
    const key = sharedBusKey(config)
    return key === null ? null : { key, settings: JSON.stringify(config.transport) }
  },
}
