/**
 * The driver contract: what every field protocol (Modbus, OPC UA, the simulator) implements.
 * A driver knows its protocol and nothing of Sparkplug, scheduling or retries; the poll loop
 * (gateway/runtime/poll.ts) owns those.
 */
import type { ConfigError, ConfigPath, Result } from '../gateway/model/result.js'
import type { Log } from '../gateway/model/log.js'
import type { SparkplugType, Value } from '../gateway/model/value.js'

/**
 * A field connection to one device. Owned by exactly one poll loop: never called concurrently.
 * A driver either is polled (the loop calls `read` per scan group on its period) or pushes some
 * or all of its points (`watch`), or both.
 */
export interface Driver {
  /**
   * Points this driver reads, in tag-file order, with the datatype of their raw value. Known at
   * construction for a declared type; see `resolvedPoints` for types learned from the device.
   */
  readonly points: readonly PointInfo[]
  /**
   * Optional: the types of `points` as learned from the device by the last `open()` (an OPC UA
   * variable's data type, for a tag without a declared `type`). The loop re-declares the device
   * before its DBIRTH when they differ from `points`.
   */
  resolvedPoints?(): readonly PointInfo[]
  /**
   * Optional, with `watch`: the points the driver pushes. The poll loop does not scan them; it
   * hears them through the listener instead.
   */
  readonly watched?: readonly string[]
  /**
   * Optional push: called by the loop after each successful `open()`. The driver then delivers
   * readings of `watched` points as they change (the first delivery carries every watched point's
   * current value) and reports the loss of its connection or subscription once, through `lost`
   * (keep-alives are liveness: a quiet subscription is not a lost one). Callbacks may come at any
   * time between or during the loop's own calls (a reading during a `write` is fine); after
   * `close()` starts, none come.
   */
  watch?(listener: DriverListener): void
  /** Opens the connection. Rejects with DriverError. Never retries; the poll loop owns backoff. */
  open(): Promise<void>
  /**
   * Reads the named points once (one scan group: the poll loop passes the same array instance for
   * a group every time, so a driver may cache a read plan per array). A point that failed comes
   * back as a Reading with `error`; rejects only when the connection itself is unusable
   * (DriverError kind 'connection' | 'timeout'). After a `write` has resolved, a read of that point
   * is its read-back: the value the device holds after the write, never one cached from before it.
   */
  read(points: readonly string[]): Promise<Reading[]>
  /** Writes one point's raw value (scaling already inverted by the caller). Rejects with DriverError. */
  write(point: string, value: Value): Promise<void>
  /** Releases the connection. Idempotent; never rejects. */
  close(): Promise<void>
}

/** A point as the driver sees it: its tag name and the Sparkplug datatype of its raw value. */
export interface PointInfo {
  readonly name: string
  readonly type: SparkplugType
}

/** Where a pushing driver delivers. */
export interface DriverListener {
  readings(readings: readonly Reading[]): void
  lost(error: DriverError): void
}

/**
 * One point's value, or why there is none. `at` is the device's source timestamp when it gives
 * one (OPC UA), else the time of the read (UTC ms). `quality: 'uncertain'` marks a value the device
 * itself doubts (OPC UA Uncertain); it is published with Sparkplug quality 64.
 */
export type Reading =
  | { readonly point: string; readonly at: number; readonly value: Value; readonly quality?: 'uncertain' }
  | { readonly point: string; readonly at: number; readonly error: DriverError }

/**
 * What went wrong, decided once in the driver's errors.ts:
 * - `connection`, `timeout`: the poll loop closes the driver, counts a failed scan, backs off, reopens;
 * - `busy`: the device asked to be left alone; the loop retries the scan later without counting a failure;
 * - `rejected`: the device refused this point (illegal address, bad node id); only that point goes bad;
 * - `decode`: the reply could not be turned into a value; only that point goes bad.
 */
export type DriverErrorKind = 'connection' | 'timeout' | 'busy' | 'rejected' | 'decode'

export class DriverError extends Error {
  constructor(
    readonly kind: DriverErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'DriverError'
  }
}

/** A device tag file after YAML/CSV loading, before validation. Tags keep every key the user wrote. */
export interface RawDevice {
  readonly driver: string
  readonly connection: unknown
  readonly tags: readonly Readonly<Record<string, unknown>>[]
  /** The device's scan period (its `poll`, else the gateway's default); absent outside a device file (browse). */
  readonly pollMs?: number
}

/** What the gateway tells a driver about where it runs. */
export interface DriverContext {
  /** The gateway's state directory: where a driver keeps files of its own (OPC UA certificates). */
  readonly stateDir: string
}

/** A JSON Schema object (draft 2020-12), for `sparkplug-gateway schema`. */
export type JsonSchema = Readonly<Record<string, unknown>>

/** What a driver folder exports. `parse` does no I/O. */
export interface DriverModule<C = unknown> {
  /** The `driver:` values this module serves, e.g. ['modbus-tcp', 'modbus-rtu']. */
  readonly kinds: readonly string[]
  /**
   * JSON Schema of `connection`, and the properties a tag may carry for this driver beyond the
   * common ones (name, poll, scale, ...). Feeds `sparkplug-gateway schema` and unknown-key checks.
   */
  readonly schema: { readonly connection: JsonSchema; readonly tagProperties: Readonly<Record<string, JsonSchema>> }
  /**
   * Validates the driver-specific parts (`connection`, the driver's tag keys) and returns every
   * problem with its path below `at` (e.g. ['tags', 3, 'address']). Tags come in file order; the
   * returned config must describe points whose names equal the tags' `name`s, in the same order.
   * A key that is valid but has no effect as written (for this kind, type or mode) is added to
   * `warnings`, with its path, rather than refused.
   */
  parse(raw: RawDevice, at: ConfigPath, warnings?: ConfigError[]): Result<C, ConfigError[]>
  /** Builds the driver for one device. Does no I/O until `open()`. */
  create(config: C, log: Log, context?: DriverContext): Driver
  /**
   * Optional: checks that only show across devices (two devices claiming one unit id on one
   * serial line). Called once with every device of this module's kinds; errors name their file.
   */
  checkTogether?(devices: readonly { readonly file: string; readonly deviceId: string; readonly config: C }[]): ConfigError[]
  /**
   * Optional: the field connection this device shares with others (a serial port), and the
   * settings it is opened with. A reload that changes those settings reopens every device on it.
   */
  sharedBus?(config: C): { readonly key: string; readonly settings: string } | null
}
