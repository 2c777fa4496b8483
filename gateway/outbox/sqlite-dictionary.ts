/**
 * The two small lookup tables of the outbox database: metric (name, type) keys and device ids.
 * Rows store their integer ids, so a metric costs a byte or two for its name instead of the name.
 * Held in memory; entries made in a transaction that rolls back are forgotten with it.
 */
import type Database from 'better-sqlite3'
import type { SparkplugType } from '../model/value.js'
import type { MetricKeys } from './record-codec.js'

export interface Dictionary extends MetricKeys {
  /** The id of a device (0 for the node itself), created when new. */
  deviceIdOf(deviceId: string | null): number
  /** The device of an id, or undefined for an id the table does not hold. */
  deviceOf(id: number): string | null | undefined
  /** Ids of the given devices that have ever been stored; unknown devices have no records. */
  knownDevices(devices: ReadonlySet<string | null>): number[]
  /** Number of devices ever stored, the node included. */
  readonly deviceCount: number
  /** Makes the entries created since the last call permanent (their transaction committed). */
  committed(): void
  /** Forgets the entries created since the last `committed` (their transaction rolled back). */
  rolledBack(): void
}

const nodeDevice = 0

export function loadDictionary(db: Database.Database): Dictionary {
  const keyIds = new Map<string, number>()
  const keys = new Map<number, { name: string; type: SparkplugType }>()
  const deviceIds = new Map<string | null, number>([[null, nodeDevice]])
  const devices = new Map<number, string | null>([[nodeDevice, null]])
  let fresh: (() => void)[] = []

  const keyText = (name: string, type: string): string => `${type}\u0000${name}`
  for (const row of db.prepare('SELECT id, name, type FROM metric_keys').all() as { id: number; name: string; type: SparkplugType }[]) {
    keyIds.set(keyText(row.name, row.type), row.id)
    keys.set(row.id, { name: row.name, type: row.type })
  }
  for (const row of db.prepare('SELECT id, name FROM devices').all() as { id: number; name: string }[]) {
    deviceIds.set(row.name, row.id)
    devices.set(row.id, row.name)
  }
  const insertKey = db.prepare('INSERT INTO metric_keys (name, type) VALUES (?, ?)')
  const insertDevice = db.prepare('INSERT INTO devices (name) VALUES (?)')

  return {
    idOf(name, type) {
      const text = keyText(name, type)
      const known = keyIds.get(text)
      if (known !== undefined) return known
      const id = Number(insertKey.run(name, type).lastInsertRowid)
      keyIds.set(text, id)
      keys.set(id, { name, type })
      fresh.push(() => (keyIds.delete(text), keys.delete(id)))
      return id
    },
    keyOf(id) {
      const key = keys.get(id)
      if (!key) throw new RangeError(`outbox record refers to unknown metric key ${id}`)
      return key
    },
    deviceIdOf(deviceId) {
      const known = deviceIds.get(deviceId)
      if (known !== undefined) return known
      const id = Number(insertDevice.run(deviceId).lastInsertRowid)
      deviceIds.set(deviceId, id)
      devices.set(id, deviceId)
      fresh.push(() => (deviceIds.delete(deviceId), devices.delete(id)))
      return id
    },
    deviceOf: (id) => devices.get(id),
    knownDevices(wanted) {
      const ids: number[] = []
      for (const device of wanted) {
        const id = deviceIds.get(device)
        if (id !== undefined) ids.push(id)
      }
      return ids
    },
    get deviceCount() {
      return devices.size
    },
    committed() {
      fresh = []
    },
    rolledBack() {
      for (const undo of fresh) undo()
      fresh = []
    },
  }
}
