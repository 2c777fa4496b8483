/** `connection:` of a Modbus device file -> transport, unit id, timeouts and scan limits. */
import type { ConfigError, ConfigPath } from '../../gateway/model/result.js'
import { defaults, type Kind, type ModbusDeviceConfig, type Transport } from './config.js'
import { Fields, isRecord } from '../../gateway/base/fields.js'

const commonKeys = ['unitId', 'timeout', 'maxGap', 'maxBitGap', 'maxRegistersPerRead', 'maxBitsPerRead']
const tcpKeys = [...commonKeys, 'host', 'port', 'connectTimeout', 'sharedConnection']
const rtuKeys = [...commonKeys, 'port', 'baudRate', 'parity', 'dataBits', 'stopBits', 'interFrameDelay']

export type ParsedConnection = Omit<ModbusDeviceConfig, 'kind' | 'points'>

export function parseConnection(kind: Kind, raw: unknown, at: ConfigPath, errors: ConfigError[]): ParsedConnection {
  const path = [...at, 'connection']
  if (!isRecord(raw)) {
    const example = kind === 'modbus-rtu' ? '{ port: /dev/ttyUSB0, baudRate: 9600, unitId: 1 }' : '{ host: 192.168.1.10, port: 502, unitId: 1 }'
    errors.push({ path, message: `expected a mapping like ${example}` })
    raw = {}
  }
  const f = new Fields(raw as Record<string, unknown>, path, errors)
  f.unknownKeys(kind === 'modbus-rtu' ? rtuKeys : tcpKeys)
  const transport = kind === 'modbus-rtu' ? rtuTransport(f) : tcpTransport(kind, f)
  return {
    transport,
    // RTU addresses 1..247 on a line; TCP devices often answer on 0 or 255 as well.
    unitId: kind === 'modbus-rtu' ? f.integer('unitId', defaults.unitId, 1, 247) : f.integer('unitId', defaults.unitId, 0, 255),
    timeoutMs: positive(f, 'timeout', f.duration('timeout', defaults.timeout)),
    sharedConnection: kind === 'modbus-rtu' ? true : f.boolean('sharedConnection', defaults.sharedConnection),
    limits: {
      maxGap: f.integer('maxGap', defaults.maxGap, 0, 124),
      maxBitGap: f.integer('maxBitGap', defaults.maxBitGap, 0, 1999),
      maxRegistersPerRead: f.integer('maxRegistersPerRead', defaults.maxRegistersPerRead, 1, 125),
      maxBitsPerRead: f.integer('maxBitsPerRead', defaults.maxBitsPerRead, 1, 2000),
    },
  }
}

function tcpTransport(kind: Kind, f: Fields): Transport {
  return {
    type: kind === 'modbus-tcp' ? 'tcp' : 'rtu-over-tcp',
    host: f.requiredString('host', 'the device or gateway address, e.g. host: 192.168.1.10'),
    port: f.integer('port', defaults.tcpPort, 1, 65535),
    connectTimeoutMs: positive(f, 'connectTimeout', f.duration('connectTimeout', defaults.connectTimeout)),
  }
}

function rtuTransport(f: Fields): Transport {
  return {
    type: 'rtu',
    path: f.requiredString('port', 'the serial device, e.g. port: /dev/ttyUSB0'),
    baudRate: f.integer('baudRate', defaults.baudRate, 50, 4_000_000),
    parity: f.oneOf('parity', ['none', 'even', 'odd'] as const, defaults.parity),
    dataBits: f.oneOf('dataBits', [7, 8] as const, defaults.dataBits),
    stopBits: f.oneOf('stopBits', [1, 2] as const, defaults.stopBits),
    interFrameDelayMs: f.duration('interFrameDelay', defaults.interFrameDelay),
  }
}

function positive(f: Fields, key: string, ms: number): number {
  if (ms > 0) return ms
  f.fail(key, 'expected a duration above zero, e.g. 1s')
  return 1000
}
