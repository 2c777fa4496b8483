import type { Metric, Value } from '../model/value.js'
import type { Outbox } from '../outbox/outbox.js'
import type { DeviceDef, NodeState } from './node-state.js'

/** What the recorder wakes: the pump. */
export interface RecorderTarget {
  /** New data is in the outbox. */
  notify(): void
  /** A device was born or died; false when no session is born (its next births carry the state). */
  deviceChanged(deviceId: string, online: boolean): boolean
  /** The template types the node's devices use changed: NBIRTH carries them, so the node is born again before any device using them. */
  definitionsChanged(): void
}

/** Where births stand against data: a birth carries the values current when record `lastRecordId()` was the newest. */
export interface RecordOrder {
  lastRecordId(): number
}

/** Rows of one device read from the outbox per step when a removed device's backlog is dropped. */
const DROP_BATCH = 1000

/**
 * The one door into the node's state and the outbox. Readings, devices coming online or going
 * offline, node metrics and device declarations enter here and nowhere else, and only this wakes
 * the pump: a value is kept for the next birth and buffered as data in one step, so a birth and
 * the data around it can never disagree on what was recorded before it.
 */
export class Recorder implements RecordOrder {
  constructor(
    private readonly state: NodeState,
    private readonly outbox: Outbox,
    private readonly pump: RecorderTarget,
  ) {}

  /** Changed values of an online device, or of the node (null): kept for births, buffered, sent. */
  data(deviceId: string | null, metrics: readonly Metric[], at?: number): void {
    const record = this.state.record(deviceId, metrics, at)
    if (record === null) return
    this.outbox.add(record)
    this.pump.notify()
  }

  /** Values the next birth carries, not sent as data of their own (the node's state at start). */
  initial(deviceId: string | null, metrics: readonly Metric[]): void {
    this.state.record(deviceId, metrics)
  }

  /** The device's first good reading after an outage: with a born session its DBIRTH carries the values; without one they are history to keep. */
  deviceOnline(deviceId: string, metrics: readonly Metric[]): void {
    this.state.setOnline(deviceId, true)
    const record = this.state.record(deviceId, metrics)
    if (this.pump.deviceChanged(deviceId, true) || record === null) return
    this.outbox.add(record)
    this.pump.notify()
  }

  /** The device died (or stopped): DDEATH where it was online. */
  deviceOffline(deviceId: string): void {
    if (!this.state.isOnline(deviceId)) return
    this.state.setOnline(deviceId, false)
    this.pump.deviceChanged(deviceId, false)
  }

  /** Declares a device's metrics, offline until its first good reading; `replace` keeps the aliases and values of unchanged tags. */
  declare(device: DeviceDef, how: 'add' | 'replace'): void {
    this.keepingDefinitions(() => {
      if (how === 'replace') this.state.replaceDevice(device)
      else this.state.addDevice(device)
    })
  }

  /**
   * Forgets a device whose tag file was removed, and drops what it still had in the buffer (a host
   * would reject data of a device it has no birth for), counted with the buffer's other drops.
   * Returns how many records were dropped.
   */
  remove(deviceId: string): number {
    this.deviceOffline(deviceId)
    this.keepingDefinitions(() => this.state.removeDevice(deviceId))
    const only = new Set<string | null>([deviceId])
    let dropped = 0
    let afterId = 0
    for (let rows = this.outbox.peek(DROP_BATCH, { devices: only }); rows.length > 0; rows = this.outbox.peek(DROP_BATCH, { devices: only, afterId })) {
      this.outbox.drop(rows.map((r) => r.id))
      dropped += rows.length
      afterId = rows[rows.length - 1]!.id
    }
    return dropped
  }

  isOnline(deviceId: string): boolean {
    return this.state.isOnline(deviceId)
  }

  lastValue(deviceId: string, name: string): Value | null | undefined {
    return this.state.lastValue(deviceId, name)
  }

  /** A node metric's last value with its time, as the next NBIRTH carries it. */
  lastNodeMetric(name: string): Metric | undefined {
    return this.state.lastMetric(null, name)
  }

  /**
   * Asks for a new NBIRTH in the same step as the change of types, before the device can come
   * online: a DBIRTH naming a definition the last NBIRTH did not carry would reach the host first.
   */
  private keepingDefinitions(change: () => void): void {
    const before = definitionsKey(this.state)
    change()
    if (definitionsKey(this.state) !== before) this.pump.definitionsChanged()
  }

  /** The outbox numbers records in the order this recorder added them; births are placed against that numbering. */
  lastRecordId(): number {
    return this.outbox.stats().nextId - 1
  }
}

/** The template definitions NBIRTH carries, as text; where a type was read is left out (a moved file changes nothing on the wire). */
function definitionsKey(state: NodeState): string {
  const types = [...state.templates().values()].map(({ file: _file, ...type }) => type)
  return JSON.stringify(types, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))
}
