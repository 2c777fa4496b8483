import { readFileSync } from 'node:fs'
import { arch, release, type } from 'node:os'
import type { Metric, SparkplugType, Value } from '../model/value.js'

/** A node-level metric of the NBIRTH. `aliased: false` for the ones Sparkplug says carry no alias. */
export interface NodeMetricDef {
  readonly name: string
  readonly type: SparkplugType
  readonly value: Value
  readonly aliased: boolean
  readonly writable: boolean
}

export const REBIRTH = 'Node Control/Rebirth'
export const REBOOT = 'Node Control/Reboot'
export const NEXT_SERVER = 'Node Control/Next Server'
export const SCAN_RATE = 'Node Control/Scan Rate'
/**
 * Declared in NBIRTH where the upstream has no will (NATS): the node publishes something at least
 * this often (an NDATA repeating this metric when idle), so silence for 3 intervals means dead.
 */
export const HEARTBEAT_INTERVAL = 'Properties/Heartbeat Interval'

/** package.json's version, read once when the gateway loads. */
export const softwareVersion = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
    return pkg.version
  } catch {
    return 'unknown'
  }
})()

function hardware(): string {
  try {
    // Raspberry Pi and most ARM boards name themselves here ("Raspberry Pi 4 Model B Rev 1.5").
    return readFileSync('/proc/device-tree/model', 'utf8').replace(/\0/g, '').trim()
  } catch {
    return arch()
  }
}

/**
 * The node metrics every NBIRTH carries besides bdSeq: node controls and descriptive properties,
 * and the heartbeat interval when there is one (`heartbeatMs` above 0).
 */
export function nodeMetricDefs(scanRateMs: number, heartbeatMs = 0): NodeMetricDef[] {
  const control = (name: string, type: SparkplugType, value: Value): NodeMetricDef => ({ name, type, value, aliased: false, writable: true })
  const property = (name: string, value: string): NodeMetricDef => ({ name, type: 'String', value, aliased: true, writable: false })
  return [
    control(REBIRTH, 'Boolean', false),
    control(REBOOT, 'Boolean', false),
    control(NEXT_SERVER, 'Boolean', false),
    control(SCAN_RATE, 'Int64', BigInt(scanRateMs)),
    property('Properties/Software', 'sparkplug-gateway'),
    property('Properties/Software Version', softwareVersion),
    property('Properties/Hardware', hardware()),
    property('Properties/OS', `${type()} ${release()} ${arch()}`),
    ...(heartbeatMs > 0 ? [{ name: HEARTBEAT_INTERVAL, type: 'Int64', value: BigInt(heartbeatMs), aliased: true, writable: false } as const] : []),
  ]
}

export function heartbeatMetric(ms: number, at: number): Metric {
  return { name: HEARTBEAT_INTERVAL, type: 'Int64', value: BigInt(ms), at }
}

export function scanRateMetric(ms: number, at: number): Metric {
  return { name: SCAN_RATE, type: 'Int64', value: BigInt(ms), at }
}
