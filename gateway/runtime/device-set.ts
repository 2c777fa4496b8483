import { drivers } from '../../drivers/registry.js'
import type { DeviceConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import { derivedTagDefs } from '../normalise/derived.js'
import { tagDefs } from '../normalise/tag-def.js'
import type { DeviceStats } from '../base/status.js'
import type { Recorder } from '../node/recorder.js'
import { startPollLoop, type PollLoop, type PollOptions } from './poll.js'

/**
 * The devices the gateway runs: per device its configuration and the poll loop that owns its
 * driver. Devices are started, stopped and replaced here, so that a reload touches only the
 * devices whose files changed while the others publish on.
 */
export class DeviceSet {
  private readonly running = new Map<string, { readonly config: DeviceConfig; readonly loop: PollLoop }>()

  constructor(
    private readonly recorder: Recorder,
    private readonly log: Log,
    private readonly options: Partial<PollOptions>,
    /** Handed to drivers for files of their own (OPC UA certificates). */
    private readonly stateDir: string,
  ) {}

  /** Declares the device (offline until its first good scan) and starts polling it. */
  start(device: DeviceConfig, declare: 'add' | 'replace' = 'add'): void {
    const log = this.log.child({ device: device.deviceId })
    const driver = drivers[device.driver]!.create(device.driverConfig, log, { stateDir: this.stateDir })
    const tags = tagDefs(device.tags, driver.points)
    this.recorder.declare({ deviceId: device.deviceId, tags: [...tags, ...derivedTagDefs(device.derived, device.pollMs)], instances: device.instances, templates: device.templates }, declare)
    this.running.set(device.deviceId, { config: device, loop: startPollLoop(device, driver, tags, this.recorder, log, this.options) })
  }

  /** Stops polling a device and closes its driver; a device that was online dies (DDEATH). */
  async stop(deviceId: string): Promise<void> {
    const device = this.running.get(deviceId)
    if (device === undefined) return
    this.running.delete(deviceId)
    await device.loop.stop()
    this.recorder.deviceOffline(deviceId)
  }

  /**
   * Stops a device for good: DDEATH, driver closed, its metrics forgotten, and what it still had
   * in the buffer dropped (a host would reject data of a device it has no birth for). Returns
   * how many records were dropped.
   */
  async remove(deviceId: string): Promise<number> {
    await this.stop(deviceId)
    return this.recorder.remove(deviceId)
  }

  /** The device's new file: DDEATH, driver closed, reopened with the new settings, DBIRTH after its first good scan. */
  async replace(device: DeviceConfig): Promise<void> {
    await this.stop(device.deviceId)
    this.start(device, 'replace')
  }

  config(deviceId: string): DeviceConfig | undefined {
    return this.running.get(deviceId)?.config
  }

  loop(deviceId: string): PollLoop | undefined {
    return this.running.get(deviceId)?.loop
  }

  loops(): PollLoop[] {
    return [...this.running.values()].map((d) => d.loop)
  }

  loopsById(): [string, PollLoop][] {
    return [...this.running].map(([id, d]) => [id, d.loop])
  }

  configs(): DeviceConfig[] {
    return [...this.running.values()].map((d) => d.config)
  }

  stats(): Record<string, DeviceStats> {
    return Object.fromEntries([...this.running].map(([id, d]) => [id, d.loop.stats()]))
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((d) => d.loop.stop()))
  }
}
