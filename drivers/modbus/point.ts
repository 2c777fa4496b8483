/** One tag after parsing: where it lives on the device and how its registers become a value. */
import type { ByteOrder, DataType, StringOrder, Table } from './types.js'

export interface ModbusPoint {
  /** The tag's name, equal to the Sparkplug metric name. */
  readonly name: string
  readonly table: Table
  /** 0-based protocol address of the first coil/input/register. */
  readonly offset: number
  /** For a bit of a register (HR100.3): the bit, 0 = least significant. */
  readonly bit?: number
  readonly type: DataType
  /** Registers (or 1 coil/input) the point spans on the wire. */
  readonly count: number
  readonly order: ByteOrder
  readonly stringOrder: StringOrder
  /** The tag file marked it writable (DCMD may write it). */
  readonly writable: boolean
}
