import { DriverError, type Driver, type Reading } from '../../drivers/driver.js'
import { defaults } from '../config/defaults.js'
import type { DeviceConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import type { Value } from '../model/value.js'
import { toRaw } from '../normalise/convert.js'
import { tagDefs, type TagDef } from '../normalise/tag-def.js'
import { systemClock, type Clock } from '../base/clock.js'
import { DriverCalls, PollDeadline } from './driver-calls.js'
import type { DeviceStats } from '../base/status.js'
import type { Recorder } from '../node/recorder.js'
import { OnlineState } from './online-state.js'
import { LONGEST_WAIT_MS, ScanSchedule, type ScanGroup } from './scan-schedule.js'
import { Signal } from '../base/signal.js'
import { WriteQueue, type QueuedWrite, type WriteOutcome } from './write-queue.js'

export interface PollLoop {
  /** Queues a write between scans; resolves with the value read back from the device. */
  write(tag: TagDef, value: Value): Promise<WriteOutcome>
  /** Overrides every scan period (0 restores the configured periods). */
  setScanRate(ms: number): void
  stats(): DeviceStats
  /**
   * The time by which the loop will have turned again: each wait and each driver call is bounded,
   * so a loop past this time is stuck (the watchdog stops its pings). Read-only.
   */
  dueBy(): number
  stop(): Promise<void>
}

export interface PollOptions {
  /** Writes waiting at once; more are refused at once (commands.maxQueuedWrites). */
  readonly maxQueuedWrites: number
  /** Longest a driver call may take before it counts as a timeout. */
  readonly callLimitMs: number
  readonly clock: Clock
}

const defaultOptions: PollOptions = { maxQueuedWrites: defaults.commands.maxQueuedWrites, callLimitMs: 30_000, clock: systemClock }
const ignore = () => {}
const offline: WriteOutcome = { ok: false, reason: 'device is offline' }

/**
 * The loop that owns one device's driver: opens it, reads each scan group on its period,
 * normalises, hands changes to the recorder, runs queued writes between reads,
 * and on failure marks values bad, backs off and reopens. After `offlineAfter` failed scans the
 * device dies (DDEATH); its first good scan after that is its rebirth (DBIRTH).
 *
 * The driver is called by this loop only, one call at a time: a call that timed out is waited for
 * (counted as failed scans meanwhile) before the driver is closed and opened again.
 */
export function startPollLoop(device: DeviceConfig, driver: Driver, tags: readonly TagDef[], recorder: Recorder, log: Log, options: Partial<PollOptions> = {}): PollLoop {
  return new DeviceLoop(device, driver, tags, recorder, log, { ...defaultOptions, ...options })
}

class DeviceLoop implements PollLoop {
  private stopped = false
  private isOpen = false
  /** The driver may hold a connection after a failure: close it before the next open. */
  private mustClose = false
  /** Counts opens, so that a listener of an earlier connection is ignored. */
  private generation = 0
  private readonly deadline: PollDeadline
  private readonly wake: Signal
  private readonly calls: DriverCalls
  private readonly schedule: ScanSchedule
  private readonly writes: WriteQueue
  private readonly state: OnlineState
  private readonly allNames: readonly string[]
  /**
   * One array per written point for its read-back, so that a driver's plan cached per array is
   * reused; made at a point's first write, since most points are never written.
   */
  private readonly readBack = new Map<string, readonly string[]>()
  private readonly running: Promise<void>

  constructor(
    private readonly device: DeviceConfig,
    private readonly driver: Driver,
    private tags: readonly TagDef[],
    recorder: Recorder,
    private readonly log: Log,
    options: PollOptions,
  ) {
    this.deadline = new PollDeadline(options.clock)
    this.wake = new Signal(this.deadline.clock)
    this.calls = new DriverCalls(options.callLimitMs, this.deadline, () => this.wake.notify())
    const pushed = new Set(driver.watch === undefined ? [] : driver.watched ?? [])
    this.schedule = new ScanSchedule(tags, pushed, device.pollMs)
    this.writes = new WriteQueue(options.maxQueuedWrites, options.clock, () => this.wake.notify())
    this.state = new OnlineState(device, tags, recorder, log, options.clock)
    this.allNames = tags.map((t) => t.name)
    this.running = this.run()
  }

  write(tag: TagDef, value: Value): Promise<WriteOutcome> {
    if (!this.state.isOnline || !this.isOpen) return Promise.resolve(offline)
    return this.writes.offer(tag, value)
  }

  setScanRate(ms: number): void {
    this.schedule.setScanRate(ms)
    this.wake.notify()
  }

  stats(): DeviceStats {
    return this.state.stats()
  }

  dueBy(): number {
    return this.deadline.dueBy()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake.notify()
    await this.running
  }

  private async run(): Promise<void> {
    while (!this.stopped) await this.turn()
    this.writes.refuseAll('gateway stopping')
    const stillRunning = this.calls.stillRunning
    if (stillRunning !== null) {
      // Closing now would call the driver while it is still busy; close it once that call returns.
      void stillRunning.then(() => this.driver.close()).catch(ignore)
      return
    }
    await this.closeDriver()
  }

  /** One turn: a wait, or the driver call (open, close, write or scan) that is due. */
  private async turn(): Promise<void> {
    if (this.calls.stillRunning !== null) {
      // Until it returns the device counts as not answering, so it still goes offline in time.
      await this.wake.wait(this.schedule.retryDelay())
      if (this.calls.stillRunning !== null && !this.stopped) this.failed(new DriverError('timeout', `a driver call timed out and has not returned yet`), this.allNames)
      return
    }
    if (this.mustClose) {
      this.mustClose = false
      return this.closeDriver()
    }
    if (!this.isOpen && !(await this.open())) return
    const now = this.deadline.clock.now()
    const group = this.schedule.next()
    if (group === null) {
      // Every point is pushed: nothing to scan, only writes to run and a loss to hear of.
      const write = this.writes.take(false)
      if (write !== undefined) return this.runWrite(write)
      return this.wake.wait(LONGEST_WAIT_MS)
    }
    const scanDue = group.due <= now
    const write = this.writes.take(scanDue)
    if (write !== undefined) return this.runWrite(write)
    if (!scanDue) return this.wake.wait(group.due - now)
    return this.scan(group, now)
  }

  private async open(): Promise<boolean> {
    try {
      await this.calls.call(() => this.driver.open())
      this.isOpen = true
    } catch (error) {
      this.failed(error, this.allNames)
      await this.wake.wait(this.schedule.retryDelay())
      return false
    }
    this.opened()
    return true
  }

  /** After each open: types the device reported, and the push listener of this connection. */
  private opened(): void {
    const resolved = this.driver.resolvedPoints?.()
    if (resolved !== undefined) {
      const retyped = tagDefs(this.device.tags, resolved)
      // A declared type (sparkplugType, every template member) keeps `type` but not the device's
      // own type, which writes convert to: the learned one must reach the command path too.
      const differs = (t: TagDef, old: TagDef | undefined) => t.type !== old?.type || t.rawType !== old.rawType || t.scaled !== old.scaled
      if (retyped.some((t, i) => differs(t, this.tags[i]))) {
        this.tags = retyped
        this.state.retyped(retyped)
        this.log.info('device types resolved', { tags: retyped.map((t) => `${t.name}:${t.type}`).join(' ') })
      }
    }
    if (this.driver.watch === undefined) return
    const mine = ++this.generation
    const current = () => mine === this.generation && !this.stopped && this.isOpen
    this.driver.watch({
      readings: (readings) => {
        if (current()) this.answered(readings)
      },
      lost: (error) => {
        if (!current()) return
        this.generation++
        this.failed(error, this.allNames)
        this.wake.notify()
      },
    })
  }

  private async scan(group: ScanGroup, now: number): Promise<void> {
    this.writes.scanning()
    this.schedule.started(group, now)
    // An offline device is read whole: its first good scan is its birth.
    const names = this.state.isOnline ? group.names : this.schedule.polledNames
    try {
      const started = performance.now()
      const readings = await this.calls.call(() => this.driver.read(names))
      this.schedule.answered()
      this.state.scanned(readings, performance.now() - started)
    } catch (error) {
      if (error instanceof DriverError && error.kind === 'busy') return
      this.failed(error, group.names)
      await this.wake.wait(this.schedule.retryDelay())
    }
  }

  private answered(readings: readonly Reading[]): void {
    this.schedule.answered()
    this.state.answered(readings)
  }

  private failed(error: unknown, names: readonly string[]): void {
    const kind = this.state.failed(error, names)
    // The loop closes the driver itself, once no call is running; a timed-out open may have opened it.
    if (this.isOpen || kind === 'timeout') this.mustClose = true
    this.isOpen = false
  }

  private async runWrite(write: QueuedWrite): Promise<void> {
    write.done(await this.written(write.tag, write.value))
  }

  private async written(tag: TagDef, value: Value): Promise<WriteOutcome> {
    if (!this.state.isOnline || !this.isOpen) return offline
    const tooSoon = this.writes.tooSoon(tag)
    if (tooSoon !== null) return { ok: false, reason: tooSoon }
    const old = this.state.lastValue(tag.name)
    try {
      await this.calls.call(() => this.driver.write(tag.name, toRaw(tag, value)))
      this.writes.written(tag)
      this.state.written(tag.name)
      const readings = await this.calls.call(() => this.driver.read(this.readBackOf(tag.name)))
      this.state.report(readings)
      return { ok: true, old, now: this.state.lastValue(tag.name) ?? null }
    } catch (error) {
      if (error instanceof DriverError && (error.kind === 'rejected' || error.kind === 'decode')) return { ok: false, reason: error.message }
      this.failed(error, [])
      return { ok: false, reason: (error as Error).message }
    }
  }

  private readBackOf(name: string): readonly string[] {
    let names = this.readBack.get(name)
    if (names === undefined) this.readBack.set(name, (names = [name]))
    return names
  }

  private closeDriver(): Promise<void> {
    return this.calls.call(() => this.driver.close()).catch((error: Error) => this.log.debug('driver close failed', { error: error.message }))
  }
}
