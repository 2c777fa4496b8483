/** The OPC UA driver module (`driver: opcua`). See README.md. node-opcua is loaded by `open()`, never here. */
import type { DriverModule } from '../driver.js'
import type { OpcuaDeviceConfig } from './config.js'
import { createOpcuaDriver } from './opcua-driver.js'
import { parseOpcuaDevice } from './parse.js'
import { connectionSchema, tagProperties } from './schema.js'

export type { OpcuaDeviceConfig } from './config.js'
export type { OpcuaDriver } from './opcua-driver.js'

export const opcuaModule: DriverModule<OpcuaDeviceConfig> = {
  kinds: ['opcua'],
  schema: { connection: connectionSchema, tagProperties },
  parse: parseOpcuaDevice,
  create: createOpcuaDriver,
}
