import type { DeviceConfig, GatewayConfig } from '../config/types.js'

/** What a reload changes: devices by id, and the node-level settings that only a restart applies. */
export interface ReloadPlan {
  readonly added: readonly DeviceConfig[]
  readonly removed: readonly string[]
  /** New files of devices that keep their id (and devices sharing a bus with one whose line settings changed). */
  readonly changed: readonly DeviceConfig[]
  readonly unchanged: readonly string[]
  /** gateway.yaml sections that differ from the running ones, e.g. `upstream`, `sparkplug`. */
  readonly needsRestart: readonly string[]
}

/** A field connection several devices share: which one, and the settings it is opened with. */
export interface SharedBus {
  readonly key: string
  readonly settings: string
}

/** gateway.yaml sections the running gateway cannot take without a restart (identity, connections, files). */
const nodeSections = ['sparkplug', 'upstream', 'buffer', 'stateDir', 'http', 'log', 'commands'] as const

/**
 * Compares the running configuration with a newly loaded one. Devices compare by what they do
 * (driver, connection, periods, tags), not by file name. `busOf` names the field connection a
 * device shares with others (a serial port): when a device changes the line settings of its bus,
 * every device on that bus is reopened, since the bus is opened once for all of them.
 */
export function planReload(current: GatewayConfig, next: GatewayConfig, busOf: (device: DeviceConfig) => SharedBus | null): ReloadPlan {
  const before = new Map(current.devices.map((d) => [d.deviceId, d]))
  const after = new Map(next.devices.map((d) => [d.deviceId, d]))
  const added = next.devices.filter((d) => !before.has(d.deviceId))
  const removed = current.devices.filter((d) => !after.has(d.deviceId)).map((d) => d.deviceId)
  const changedIds = new Set(next.devices.filter((d) => before.has(d.deviceId) && fingerprint(before.get(d.deviceId)!) !== fingerprint(d)).map((d) => d.deviceId))
  // A bus whose line settings changed is reopened with every device on it.
  const retuned = new Set<string>()
  for (const id of changedIds) {
    const [old, now] = [busOf(before.get(id)!), busOf(after.get(id)!)]
    if (old !== null && now !== null && old.key === now.key && old.settings !== now.settings) retuned.add(now.key)
  }
  for (const d of next.devices) {
    const bus = busOf(d)
    if (before.has(d.deviceId) && bus !== null && retuned.has(bus.key)) changedIds.add(d.deviceId)
  }
  const changed = next.devices.filter((d) => changedIds.has(d.deviceId))
  const unchanged = next.devices.filter((d) => before.has(d.deviceId) && !changedIds.has(d.deviceId)).map((d) => d.deviceId)
  const needsRestart = nodeSections.filter((key) => stable(current[key]) !== stable(next[key]))
  return { added, removed, changed, unchanged, needsRestart }
}

function fingerprint(device: DeviceConfig): string {
  const { file: _file, ...rest } = device
  return stable(rest)
}

// JSON with bigint (64-bit tag limits) as text; key order is the parser's, which is fixed.
function stable(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}
