/**
 * A device that exists only in memory, behind the same Driver contract as Modbus and OPC UA.
 * It misbehaves on request: a dark file makes it stop answering, `latency` slows every read.
 */
import { access } from 'node:fs/promises'
import { DriverError } from '../driver.js'
import type { Driver, DriverListener, PointInfo, Reading } from '../driver.js'
import type { Log } from '../../gateway/model/log.js'
import type { Value } from '../../gateway/model/value.js'
import type { SimTag, SimulatorConfig } from './types.js'
import { createRandomWalk, describeType, fits, valueAt } from './signals.js'

/** One simulated point: how to read it, and the tag it came from (for writes). */
interface Slot {
  readonly tag: SimTag
  read(nowMs: number): Value
}

/**
 * Builds a simulator driver. `now` is the clock the signals follow (UTC ms), injectable so tests
 * can read a counter at an exact instant.
 */
export function createSimulatorDriver(config: SimulatorConfig, log: Log, now: () => number = Date.now): Driver {
  const setpoints = new Map<string, Value>()
  const slots = new Map<string, Slot>(config.tags.map((tag) => [tag.name, slotFor(tag, setpoints)]))
  const points: readonly PointInfo[] = config.tags.map((tag) => ({ name: tag.name, type: tag.type }))
  let isOpen = false
  let wasDark = false
  let pushing: NodeJS.Timeout | null = null

  async function answerOrTimeOut(): Promise<void> {
    const { darkFile } = config
    if (darkFile === undefined) return
    const dark = await access(darkFile).then(
      () => true,
      () => false,
    )
    if (dark !== wasDark) log.debug(dark ? 'simulator gone dark' : 'simulator answering again', { darkFile })
    wasDark = dark
    if (dark) throw new DriverError('timeout', `the device does not answer while ${darkFile} exists (remove that file to bring it back)`)
  }

  function ensureOpen(action: string): void {
    if (!isOpen) throw new DriverError('connection', `cannot ${action}: the simulator is not open (call open() first)`)
  }

  function readNow(names: readonly string[]): Reading[] {
    const at = now()
    return names.map((point): Reading => {
      const slot = slots.get(point)
      if (slot === undefined) return { point, at, error: new DriverError('rejected', `no tag named ${point} on this simulator`) }
      return { point, at, value: slot.read(at) }
    })
  }

  function stopPushing(): void {
    if (pushing !== null) clearInterval(pushing)
    pushing = null
  }

  const names = config.tags.map((tag) => tag.name)
  const push = config.pushMs === undefined ? {} : {
    watched: names,
    watch(listener: DriverListener) {
      stopPushing()
      listener.readings(readNow(names))
      pushing = setInterval(() => {
        void answerOrTimeOut().then(
          () => {
            if (pushing !== null) listener.readings(readNow(names))
          },
          (error: DriverError) => {
            if (pushing === null) return
            stopPushing()
            listener.lost(error)
          },
        )
      }, config.pushMs)
    },
  }

  return {
    points,
    ...push,

    async open() {
      await answerOrTimeOut()
      isOpen = true
    },

    async read(names) {
      ensureOpen('read')
      await answerOrTimeOut()
      if (config.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, config.latencyMs))
      return readNow(names)
    },

    async write(point, value) {
      ensureOpen('write')
      await answerOrTimeOut()
      const tag = slots.get(point)?.tag
      if (tag === undefined) throw new DriverError('rejected', `no tag named ${point} on this simulator`)
      if (tag.signal !== 'setpoint') throw new DriverError('rejected', `tag ${point} is a ${tag.signal} signal and cannot be written`)
      if (!tag.writable) throw new DriverError('rejected', `tag ${point} is not writable (mark it writable: true)`)
      if (!fits(tag.type, value)) {
        throw new DriverError('rejected', `tag ${point} expects ${describeType(tag.type)}, got ${typeof value} ${String(value)}`)
      }
      setpoints.set(point, tag.type === 'Float' ? Math.fround(value as number) : value)
    },

    async close() {
      stopPushing()
      isOpen = false
    },
  }
}

function slotFor(tag: SimTag, setpoints: Map<string, Value>): Slot {
  switch (tag.signal) {
    case 'random-walk': {
      const next = createRandomWalk(tag)
      return { tag, read: () => next() }
    }
    case 'setpoint':
      return { tag, read: () => setpoints.get(tag.name) ?? tag.initial }
    default:
      return { tag, read: (nowMs) => valueAt(tag, nowMs) }
  }
}
