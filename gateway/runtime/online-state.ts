import { DriverError, type DriverErrorKind, type Reading } from '../../drivers/driver.js'
import type { DeviceConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import type { Value } from '../model/value.js'
import { Deadband } from '../normalise/deadband.js'
import { DerivedTags } from '../normalise/derived.js'
import { normalise } from '../normalise/normalise.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { Recorder } from '../node/recorder.js'
import type { Clock } from '../base/clock.js'
import type { DeviceStats } from '../base/status.js'

// A driver's message can quote a whole device reply; /status and the page need only its start.
const LAST_ERROR_CHARS = 200

/**
 * Whether one device is online, and what its readings and failures mean for the session: the
 * first good reading after an outage is its birth (DBIRTH), later ones are data; a failed scan
 * marks the points it read bad, and after `offlineAfter` failures in a row the device dies (DDEATH).
 */
export class OnlineState {
  private online = false
  private failures = 0
  private byName: ReadonlyMap<string, TagDef>
  private readonly deadband = new Deadband()
  private readonly counts: { scans: number; failedScans: number; timeouts: number; lastScanMs: number; lastError: string | null } =
    { scans: 0, failedScans: 0, timeouts: 0, lastScanMs: 0, lastError: null }
  /** Only for a device that has derived tags: the others' readings take the plain path. */
  private readonly derived: DerivedTags | undefined

  constructor(
    private readonly device: Pick<DeviceConfig, 'deviceId' | 'offlineAfter' | 'instances' | 'templates'> & Partial<Pick<DeviceConfig, 'derived' | 'pollMs'>>,
    tags: readonly TagDef[],
    private readonly recorder: Recorder,
    private readonly log: Log,
    private readonly clock: Clock,
  ) {
    this.byName = new Map(tags.map((t) => [t.name, t]))
    this.derived = device.derived === undefined || device.derived.length === 0 ? undefined : new DerivedTags(device.derived, device.pollMs ?? 0)
  }

  get isOnline(): boolean {
    return this.online
  }

  stats(): DeviceStats {
    return { online: this.online, ...this.counts }
  }

  /** A scan that took `tookMs` answered with these readings. */
  scanned(readings: readonly Reading[], tookMs: number): void {
    this.counts.scans++
    this.counts.lastScanMs = tookMs
    this.answered(readings)
  }

  /** The device answered (a scan, or readings it pushed): online again if it was not. */
  answered(readings: readonly Reading[]): void {
    if (this.failures > 0) this.log.info('device answering again', { failedScans: this.failures })
    this.failures = 0
    this.counts.lastError = null
    if (!this.online) this.goOnline(readings)
    else this.report(readings)
  }

  /** Readings of an online device (a scan, or the read-back after a write). */
  report(readings: readonly Reading[]): void {
    this.recorder.data(this.device.deviceId, this.normalise(readings))
  }

  /**
   * A scan or a call of the driver failed. While the device stays online the points in `names`
   * are reported bad; at `offlineAfter` failures in a row it dies. Returns the kind of failure.
   */
  failed(error: unknown, names: readonly string[]): DriverErrorKind {
    const kind = error instanceof DriverError ? error.kind : 'connection'
    if (kind === 'timeout') this.counts.timeouts++
    this.counts.failedScans++
    this.counts.lastError = String((error as Error)?.message ?? error).slice(0, LAST_ERROR_CHARS)
    this.failures++
    if (this.failures === 1) this.log.warn('device not answering', { error: (error as Error).message, kind })
    if (this.online && this.failures >= this.device.offlineAfter) {
      this.goOffline()
      this.log.warn('device offline', { failedScans: this.failures })
    } else if (this.online) {
      const at = this.clock.now()
      this.report(names.map((point) => ({ point, at, error: error as DriverError })))
    }
    return kind
  }

  /** The device reported other types than declared: offline until its next reading, whose DBIRTH declares the new types. */
  retyped(tags: readonly TagDef[]): void {
    if (this.online) this.goOffline()
    this.byName = new Map(tags.map((t) => [t.name, t]))
    this.recorder.declare({ deviceId: this.device.deviceId, tags: [...tags, ...(this.derived?.defs ?? [])], instances: this.device.instances, templates: this.device.templates }, 'replace')
  }

  /** The tag was written: its read-back is reported even when inside the deadband. */
  written(name: string): void {
    this.deadband.forget(name)
  }

  lastValue(name: string): Value | null | undefined {
    return this.recorder.lastValue(this.device.deviceId, name)
  }

  private goOnline(readings: readonly Reading[]): void {
    this.online = true
    this.recorder.deviceOnline(this.device.deviceId, this.normalise(readings))
    this.log.info('device online')
  }

  /** The readings as metrics, with the derived tags they and the node metrics those read give. */
  private normalise(readings: readonly Reading[]): ReturnType<typeof normalise> {
    this.derived?.nodeMetrics((name) => this.recorder.lastNodeMetric(name))
    return normalise(readings, this.byName, this.deadband, this.derived)
  }

  private goOffline(): void {
    this.online = false
    this.recorder.deviceOffline(this.device.deviceId)
  }
}
