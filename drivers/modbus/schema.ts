/** JSON Schema of a Modbus device's `connection` and of the tag keys this driver reads (for `sparkplug-gateway schema`). */
import type { JsonSchema } from '../driver.js'
import { dataTypeNames } from './types.js'

const duration: JsonSchema = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$', description: "e.g. '250ms', '1s'" }
const int = (minimum: number, maximum: number, description: string, def?: number): JsonSchema =>
  ({ type: 'integer', minimum, maximum, description, ...(def === undefined ? {} : { default: def }) })

const scan: Record<string, JsonSchema> = {
  unitId: int(0, 255, 'Modbus unit id (slave address); RTU 1..247', 1),
  timeout: { ...duration, default: '1s' },
  maxGap: int(0, 124, 'unused registers a block read may bridge between tags', 16),
  maxBitGap: int(0, 1999, 'unused coils/inputs a block read may bridge between tags', 256),
  maxRegistersPerRead: int(1, 125, 'registers per read request', 125),
  maxBitsPerRead: int(1, 2000, 'coils/inputs per read request', 2000),
}

export const connectionSchema: JsonSchema = {
  oneOf: [
    {
      title: 'modbus-tcp, modbus-rtu-over-tcp',
      type: 'object',
      required: ['host'],
      additionalProperties: false,
      properties: {
        host: { type: 'string' },
        port: int(1, 65535, 'TCP port', 502),
        connectTimeout: { ...duration, default: '3s' },
        sharedConnection: { type: 'boolean', default: false, description: 'share one connection with other devices at this host:port' },
        ...scan,
      },
    },
    {
      title: 'modbus-rtu',
      type: 'object',
      required: ['port'],
      additionalProperties: false,
      properties: {
        port: { type: 'string', description: 'serial device, e.g. /dev/ttyUSB0' },
        baudRate: { type: 'integer', default: 9600 },
        parity: { enum: ['none', 'even', 'odd'], default: 'none' },
        dataBits: { enum: [7, 8], default: 8 },
        stopBits: { enum: [1, 2], default: 1 },
        interFrameDelay: { ...duration, default: '0ms' },
        ...scan,
      },
    },
  ],
}

export const tagProperties: Readonly<Record<string, JsonSchema>> = {
  address: { type: ['string', 'integer'], description: 'HR100 (0-based), 40101 / 400101 (Modicon, 1-based), HR100.3 (bit)' },
  type: { enum: dataTypeNames, description: 'boolean for coils, inputs and register bits; uint16 otherwise by default' },
  order: { enum: ['ABCD', 'BADC', 'CDAB', 'DCBA', 'ABCDEFGH', 'BADCFEHG', 'GHEFCDAB', 'HGFEDCBA'], default: 'ABCD' },
  length: int(1, 125, 'registers of a string (2 characters each)'),
  stringOrder: { enum: ['AB', 'BA'], default: 'AB' },
}
