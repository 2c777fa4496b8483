/** Register words -> raw value, by data type and byte order. Pure; pinned by test/cases/modbus golden vectors. */
import type { Value } from '../../gateway/model/value.js'
import { wordsToBigEndian } from './order.js'
import type { ModbusPoint } from './point.js'

/** The point's words as read from the device (exactly `point.count` of them) -> its raw value. */
export function decodeRegisters(point: Pick<ModbusPoint, 'type' | 'order' | 'stringOrder' | 'bit'>, words: readonly number[]): Value {
  if (point.bit !== undefined) return ((words[0] >> point.bit) & 1) === 1
  if (point.type === 'string') return decodeString(words, point.stringOrder === 'BA')
  const bytes = wordsToBigEndian(words, point.order)
  switch (point.type) {
    case 'int16': return bytes.readInt16BE(0)
    case 'uint16': return bytes.readUInt16BE(0)
    case 'int32': return bytes.readInt32BE(0)
    case 'uint32': return bytes.readUInt32BE(0)
    case 'int64': return bytes.readBigInt64BE(0)
    case 'uint64': return bytes.readBigUInt64BE(0)
    case 'float32': return bytes.readFloatBE(0)
    case 'float64': return bytes.readDoubleBE(0)
    case 'boolean': return words[0] !== 0
  }
}

function decodeString(words: readonly number[], swapped: boolean): string {
  const bytes = Buffer.alloc(words.length * 2)
  words.forEach((word, i) => {
    bytes[i * 2] = swapped ? word & 0xff : word >> 8
    bytes[i * 2 + 1] = swapped ? word >> 8 : word & 0xff
  })
  let end = bytes.length
  while (end > 0 && bytes[end - 1] === 0) end--
  return bytes.subarray(0, end).toString('utf8')
}
