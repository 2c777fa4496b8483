/** The parsed configuration of one Modbus device, and every default in one place. */
import type { ModbusPoint } from './point.js'

export type Kind = 'modbus-tcp' | 'modbus-rtu' | 'modbus-rtu-over-tcp'
export const kinds: readonly Kind[] = ['modbus-tcp', 'modbus-rtu', 'modbus-rtu-over-tcp']

export type Parity = 'none' | 'even' | 'odd'

/** How the bytes reach the device. */
export type Transport =
  | { readonly type: 'tcp'; readonly host: string; readonly port: number; readonly connectTimeoutMs: number }
  | { readonly type: 'rtu-over-tcp'; readonly host: string; readonly port: number; readonly connectTimeoutMs: number }
  | {
      readonly type: 'rtu'
      /** Serial device path, e.g. /dev/ttyUSB0. */
      readonly path: string
      readonly baudRate: number
      readonly parity: Parity
      readonly dataBits: 7 | 8
      readonly stopBits: 1 | 2
      /** Silence kept on the line after each reply before the next request. */
      readonly interFrameDelayMs: number
    }

/** Limits for merging tags into block reads. */
export interface ScanLimits {
  /** Unused registers a block read may span between two tags. */
  readonly maxGap: number
  /** Unused coils/inputs a block read may span between two tags. */
  readonly maxBitGap: number
  /** Registers per read request, 1..125 (the protocol maximum). */
  readonly maxRegistersPerRead: number
  /** Coils/inputs per read request, 1..2000 (the protocol maximum). */
  readonly maxBitsPerRead: number
}

export interface ModbusDeviceConfig {
  readonly kind: Kind
  readonly transport: Transport
  /** Modbus unit id (slave address) of this device. */
  readonly unitId: number
  /** How long one request waits for its reply. */
  readonly timeoutMs: number
  /** TCP: several devices with the same host:port share one connection (a gateway to RS-485). Always true for RTU. */
  readonly sharedConnection: boolean
  readonly limits: ScanLimits
  /** Points in tag-file order. */
  readonly points: readonly ModbusPoint[]
}

export const defaults = {
  tcpPort: 502,
  unitId: 1,
  timeout: '1s',
  connectTimeout: '3s',
  baudRate: 9600,
  parity: 'none' as Parity,
  dataBits: 8 as const,
  stopBits: 1 as const,
  interFrameDelay: '0ms',
  sharedConnection: false,
  maxGap: 16,
  maxBitGap: 256,
  maxRegistersPerRead: 125,
  maxBitsPerRead: 2000,
  order: 'ABCD' as const,
  stringOrder: 'AB' as const,
  /** Scans after which a tag the device rejected is tried again inside a block. */
  reprobeEvery: 60,
}

/** The key of the bus a device shares with others (its serial port, or a shared TCP host:port); null = a bus of its own. */
export function sharedBusKey(config: Pick<ModbusDeviceConfig, 'transport' | 'sharedConnection'>): string | null {
  const t = config.transport
  if (t.type === 'rtu') return `rtu:${t.path}`
  return config.sharedConnection ? `${t.type}:${t.host}:${t.port}` : null
}
