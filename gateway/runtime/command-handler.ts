import type { Command, CommandOutcome } from '../sparkplug/commands.js'
import { REBOOT, SCAN_RATE, scanRateMetric } from '../node/node-metrics.js'
import type { Recorder } from '../node/recorder.js'
import type { CommandAudit } from './audit.js'
import type { DeviceSet } from './device-set.js'

/**
 * The commands the pump hands on, each applied and written to the audit log: a write goes to its
 * device's poll loop (which reads it back), Scan Rate to every loop, Reboot to the service.
 */
export function commandHandler(devices: DeviceSet, recorder: Recorder, audit: CommandAudit, onReboot?: () => void) {
  return async (command: Command, origin: string): Promise<CommandOutcome> => {
    if (command.type === 'write') {
      const loop = devices.loop(command.deviceId)
      if (loop === undefined) return { metric: command.tag.name, applied: false, reason: `device ${command.deviceId} was removed by a reload` }
      const outcome = await loop.write(command.tag, command.value)
      const fields = { topic: origin, metric: command.tag.name, value: String(command.value) }
      if (!outcome.ok) {
        audit.onRefused({ ...fields, reason: outcome.reason })
        return { metric: command.tag.name, applied: false, reason: outcome.reason }
      }
      audit.onAccepted({ ...fields, old: String(outcome.old), readBack: String(outcome.now) })
      return { metric: command.tag.name, applied: true, value: outcome.now }
    }
    if (command.type === 'reboot') {
      audit.onAccepted({ topic: origin, metric: REBOOT, value: true })
      onReboot?.()
      return { metric: REBOOT, applied: true }
    }
    if (command.type === 'scan-rate') {
      audit.onAccepted({ topic: origin, metric: SCAN_RATE, value: command.ms })
      for (const loop of devices.loops()) loop.setScanRate(command.ms)
      recorder.data(null, [scanRateMetric(command.ms, Date.now())])
      return { metric: SCAN_RATE, applied: true, value: command.ms }
    }
    return { metric: command.type, applied: false, reason: 'handled by the pump' }
  }
}
