import { drivers } from '../../drivers/registry.js'
import type { DeviceConfig, GatewayConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import type { DeviceSet } from './device-set.js'
import { planReload, type ReloadPlan, type SharedBus } from './reload-plan.js'

/**
 * Applies a newly loaded configuration to the running devices: removed ones die and their
 * buffered records are dropped, changed ones are reopened (DDEATH, DBIRTH), added ones start;
 * untouched devices go on without a gap. Node-level changes are logged as needing a restart.
 * Returns the plan and the configuration now running.
 */
export async function applyReload(devices: DeviceSet, running: GatewayConfig, next: GatewayConfig, log: Log): Promise<{ plan: ReloadPlan; running: GatewayConfig }> {
  const plan = planReload(running, next, sharedBusOf)
  for (const deviceId of plan.removed) {
    const dropped = await devices.remove(deviceId)
    log.info('device removed', { device: deviceId, droppedRecords: dropped })
  }
  for (const device of plan.changed) {
    await devices.replace(device)
    log.info('device reopened with its new settings', { device: device.deviceId })
  }
  for (const device of plan.added) {
    devices.start(device)
    log.info('device added', { device: device.deviceId })
  }
  for (const section of plan.needsRestart) log.warn('a restart is needed to apply this change; the running settings stay', { section: `${section} in ${next.file}` })
  return { plan, running: { ...running, devices: next.devices, devicesDir: next.devicesDir } }
}

function sharedBusOf(device: DeviceConfig): SharedBus | null {
  return drivers[device.driver]?.sharedBus?.(device.driverConfig) ?? null
}
