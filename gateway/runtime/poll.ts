import { DriverError, type Driver, type Reading } from '../../drivers/driver.js'
import { defaults } from '../config/defaults.js'
import type { DeviceConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import type { Value } from '../model/value.js'
import { toRaw } from '../normalise/convert.js'
import { Deadband } from '../normalise/deadband.js'
import { normalise } from '../normalise/normalise.js'
import { tagDefs, type TagDef } from '../normalise/tag-def.js'
import type { Outbox } from '../outbox/outbox.js'
import type { Session } from '../sparkplug/session.js'
import { Backoff } from './backoff.js'
import { Signal } from './signal.js'
import { systemClock } from './clock.js'

/** Where a poll loop sends what it learns. */
export interface PollSink {
  readonly session: Session
  readonly outbox: Outbox
  /** New data is in the outbox. */
  notify(): void
  /** The device was born or died; returns false when no session is live (nothing to announce). */
  deviceChanged(deviceId: string, online: boolean): boolean
}

export type WriteOutcome =
  | { readonly ok: true; readonly old: Value | null | undefined; readonly now: Value | null }
  | { readonly ok: false; readonly reason: string }

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

export interface DeviceStats {
  readonly online: boolean
  readonly scans: number
  readonly failedScans: number
  readonly timeouts: number
  readonly lastScanMs: number
}

export interface PollOptions {
  /** Writes waiting at once; more are refused at once (commands.maxQueuedWrites). */
  readonly maxQueuedWrites: number
  /** Longest a driver call may take before it counts as a timeout. */
  readonly callLimitMs: number
}

const defaultOptions: PollOptions = { maxQueuedWrites: defaults.commands.maxQueuedWrites, callLimitMs: 30_000 }
const BACKOFF_MAX_MS = 30_000
const ignore = () => {}

/**
 * The loop that owns one device's driver: opens it, reads each scan group on its period,
 * normalises, hands changes to the session and the outbox, runs queued writes between reads,
 * and on failure marks values bad, backs off and reopens. After `offlineAfter` failed scans the
 * device dies (DDEATH); its first good scan after that is its rebirth (DBIRTH).
 *
 * Writes wait in a bounded queue; when a scan is due at most one write runs before it, so a
 * command flood cannot stretch the scan periods. The driver is called by this loop only, one
 * call at a time: a call that timed out is waited for (counted as failed scans meanwhile) before
 * the driver is closed and opened again.
 */
export function startPollLoop(device: DeviceConfig, driver: Driver, declaredTags: readonly TagDef[], sink: PollSink, log: Log, options: Partial<PollOptions> = {}): PollLoop {
  const { maxQueuedWrites, callLimitMs } = { ...defaultOptions, ...options }
  let tags = declaredTags
  let byName = new Map(tags.map((t) => [t.name, t]))
  const deadband = new Deadband()
  // Every await of the loop is a wake-up wait or a driver call, each with a bound: the loop is
  // due back when the bound of the one it is in has passed.
  let dueBy = Date.now()
  const wake = new Signal({
    now: () => Date.now(),
    sleep(ms, signal) {
      dueBy = Date.now() + ms
      return systemClock.sleep(ms, signal)
    },
  })
  const backoff = new Backoff(Math.min(device.pollMs, 1000), BACKOFF_MAX_MS)
  const writes: { tag: TagDef; value: Value; done: (o: WriteOutcome) => void }[] = []
  const lastWrite = new Map<string, number>()
  const single = new Map(tags.map((t) => [t.name, [t.name] as const]))
  const allNames = tags.map((t) => t.name)
  const watched = new Set(driver.watch === undefined ? [] : driver.watched ?? [])
  const groups = scanGroups(tags.filter((t) => !watched.has(t.name)))
  const polledNames = groups.flatMap((g) => g.names)
  let stopped = false
  /** Counts opens, so that a listener of an earlier connection is ignored. */
  let generation = 0
  let isOpen = false
  let online = false
  let failures = 0
  let scanRateMs = 0
  let wroteSinceScan = false
  // A driver call that outlived its limit, until it returns: the driver may still be inside it.
  let stillRunning: Promise<void> | null = null
  let mustClose = false
  const stats = { scans: 0, failedScans: 0, timeouts: 0, lastScanMs: 0 }

  /** One driver call, limited in time; the caller makes sure no other call is running. */
  const call = <T>(action: () => Promise<T>): Promise<T> => {
    dueBy = Date.now() + callLimitMs
    const running = action()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const returned = running.then(ignore, ignore)
        stillRunning = returned
        void returned.then(() => {
          stillRunning = null
          wake.notify()
        })
        reject(new DriverError('timeout', `driver did not answer within ${callLimitMs} ms`))
      }, callLimitMs)
    })
    return Promise.race([running, timeout]).finally(() => clearTimeout(timer))
  }

  /** After each open: types the device reported, and the push listener of this connection. */
  const opened = (): void => {
    const resolved = driver.resolvedPoints?.()
    if (resolved !== undefined) {
      const retyped = tagDefs(device.tags, resolved)
      if (retyped.some((t, i) => t.type !== tags[i]?.type)) {
        if (online) {
          online = false
          sink.session.setOnline(device.deviceId, false)
          sink.deviceChanged(device.deviceId, false)
        }
        tags = retyped
        byName = new Map(tags.map((t) => [t.name, t]))
        // Offline until its first reading, so the DBIRTH that follows declares the new types.
        sink.session.replaceDevice({ deviceId: device.deviceId, tags })
        log.info('device types resolved', { tags: tags.map((t) => `${t.name}:${t.type}`).join(' ') })
      }
    }
    if (driver.watch === undefined) return
    const mine = ++generation
    driver.watch({
      readings: (readings) => {
        if (mine !== generation || stopped || !isOpen) return
        if (failures > 0) log.info('device answering again', { failedScans: failures })
        failures = 0
        backoff.reset()
        if (!online) goOnline(readings)
        else report(readings)
      },
      lost: (error) => {
        if (mine !== generation || stopped || !isOpen) return
        generation++
        failed(error, allNames)
        wake.notify()
      },
    })
  }

  const closeDriver = () => call(() => driver.close()).catch((error: Error) => log.debug('driver close failed', { error: error.message }))

  const report = (readings: readonly Reading[]) => {
    const metrics = normalise(readings, byName, deadband)
    const record = sink.session.data(device.deviceId, metrics)
    if (record === null) return
    sink.outbox.add(record)
    sink.notify()
  }

  const goOnline = (readings: readonly Reading[]) => {
    online = true
    sink.session.setOnline(device.deviceId, true)
    const metrics = normalise(readings, byName, deadband)
    const record = sink.session.data(device.deviceId, metrics)
    // With a live session the DBIRTH carries these values; without one they are history to keep.
    const announced = sink.deviceChanged(device.deviceId, true)
    if (!announced && record !== null) {
      sink.outbox.add(record)
      sink.notify()
    }
    log.info('device online')
  }

  const failed = (error: unknown, names: readonly string[]) => {
    const kind = error instanceof DriverError ? error.kind : 'connection'
    if (kind === 'timeout') stats.timeouts++
    stats.failedScans++
    failures++
    // The loop closes the driver itself, once no call is running; a timed-out open may have opened it.
    if (isOpen || kind === 'timeout') mustClose = true
    isOpen = false
    if (failures === 1) log.warn('device not answering', { error: (error as Error).message, kind })
    if (online && failures >= device.offlineAfter) {
      online = false
      sink.session.setOnline(device.deviceId, false)
      sink.deviceChanged(device.deviceId, false)
      log.warn('device offline', { failedScans: failures })
    } else if (online) {
      const at = Date.now()
      report(names.map((point) => ({ point, at, error: error as DriverError })))
    }
  }

  const scan = async (names: readonly string[]): Promise<void> => {
    const started = performance.now()
    const readings = await call(() => driver.read(names))
    stats.scans++
    stats.lastScanMs = performance.now() - started
    if (failures > 0) log.info('device answering again', { failedScans: failures })
    failures = 0
    backoff.reset()
    if (!online) goOnline(readings)
    else report(readings)
  }

  const runWrite = async (tag: TagDef, value: Value): Promise<WriteOutcome> => {
    if (!online || !isOpen) return { ok: false, reason: 'device is offline' }
    const last = lastWrite.get(tag.name)
    if (last !== undefined && Date.now() - last < tag.writeIntervalMs) {
      return { ok: false, reason: `written less than ${tag.writeIntervalMs} ms ago` }
    }
    const old = sink.session.lastValue(device.deviceId, tag.name)
    try {
      await call(() => driver.write(tag.name, toRaw(tag, value)))
      lastWrite.set(tag.name, Date.now())
      deadband.forget(tag.name)
      const readings = await call(() => driver.read(single.get(tag.name)!))
      report(readings)
      return { ok: true, old, now: sink.session.lastValue(device.deviceId, tag.name) ?? null }
    } catch (error) {
      if (error instanceof DriverError && (error.kind === 'rejected' || error.kind === 'decode')) return { ok: false, reason: error.message }
      failed(error, [])
      return { ok: false, reason: (error as Error).message }
    }
  }

  const loop = async () => {
    while (!stopped) {
      if (stillRunning !== null) {
        // Until it returns the device counts as not answering, so it still goes offline in time.
        await wake.wait(backoff.next())
        if (stillRunning !== null && !stopped) failed(new DriverError('timeout', `a driver call timed out and has not returned yet`), allNames)
        continue
      }
      if (mustClose) {
        mustClose = false
        await closeDriver()
        continue
      }
      if (!isOpen) {
        try {
          await call(() => driver.open())
          isOpen = true
        } catch (error) {
          failed(error, allNames)
          await wake.wait(backoff.next())
          continue
        }
        opened()
      }
      const now = Date.now()
      if (groups.length === 0) {
        // Every point is pushed: nothing to scan, only writes to run and a loss to hear of.
        const write = writes.shift()
        if (write !== undefined) write.done(await runWrite(write.tag, write.value))
        else await wake.wait(BACKOFF_MAX_MS)
        continue
      }
      const group = groups.reduce((a, b) => (b.due < a.due ? b : a))
      const scanDue = group.due <= now
      const write = scanDue && wroteSinceScan ? undefined : writes.shift()
      if (write !== undefined) {
        wroteSinceScan = true
        write.done(await runWrite(write.tag, write.value))
        continue
      }
      if (!scanDue) {
        await wake.wait(group.due - now)
        continue
      }
      wroteSinceScan = false
      const period = scanRateMs > 0 ? scanRateMs : group.periodMs
      group.due = Math.max(group.due + period, now)
      try {
        await scan(online ? group.names : polledNames)
      } catch (error) {
        if (error instanceof DriverError && error.kind === 'busy') continue
        failed(error, group.names)
        await wake.wait(backoff.next())
      }
    }
    for (const w of writes.splice(0)) w.done({ ok: false, reason: 'gateway stopping' })
    if (stillRunning !== null) {
      // Closing now would call the driver while it is still busy; close it once that call returns.
      void stillRunning.then(() => driver.close()).catch(ignore)
      return
    }
    await closeDriver()
  }
  const running = loop()

  return {
    write(tag, value) {
      if (!online || !isOpen) return Promise.resolve({ ok: false, reason: 'device is offline' })
      if (writes.length >= maxQueuedWrites) {
        return Promise.resolve({ ok: false, reason: `${writes.length} writes already wait for this device (commands.maxQueuedWrites)` })
      }
      return new Promise((done) => {
        writes.push({ tag, value, done })
        wake.notify()
      })
    },
    setScanRate(ms) {
      scanRateMs = ms
      for (const g of groups) g.due = 0
      wake.notify()
    },
    stats: () => ({ online, ...stats }),
    dueBy: () => dueBy,
    async stop() {
      stopped = true
      wake.notify()
      await running
    },
  }
}

/** Tags with the same period form one scan group, read together. */
function scanGroups(tags: readonly TagDef[]): { periodMs: number; names: string[]; due: number }[] {
  const byPeriod = new Map<number, string[]>()
  for (const tag of tags) {
    const names = byPeriod.get(tag.pollMs) ?? []
    names.push(tag.name)
    byPeriod.set(tag.pollMs, names)
  }
  return [...byPeriod].map(([periodMs, names]) => ({ periodMs, names, due: 0 }))
}
