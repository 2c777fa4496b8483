/** One raw tag (a YAML mapping or a CSV row) -> ModbusPoint, collecting every problem with its path. */
import type { ConfigError, ConfigPath } from '../../gateway/model/result.js'
import { parseAddress } from './address.js'
import { defaults } from './config.js'
import { Fields } from '../../gateway/base/fields.js'
import type { ModbusPoint } from './point.js'
import { type ByteOrder, type DataType, dataTypeNames, dataTypes, isBitTable } from './types.js'

const tableNames = { CO: 'a coil (CO, 0xxxx)', DI: 'a discrete input (DI, 1xxxx)', IR: 'an input register (IR, 3xxxx)', HR: 'a holding register (HR, 4xxxx)' }
const orders64: Readonly<Record<string, ByteOrder>> = { ABCDEFGH: 'ABCD', BADCFEHG: 'BADC', GHEFCDAB: 'CDAB', HGFEDCBA: 'DCBA' }
const orderNames = ['ABCD', 'BADC', 'CDAB', 'DCBA', ...Object.keys(orders64)]

/** `warnings` receives keys that have no effect as written (a byte order on one bit). */
export function parseTag(raw: Readonly<Record<string, unknown>>, at: ConfigPath, errors: ConfigError[], warnings: ConfigError[] = []): ModbusPoint | null {
  const f = new Fields(raw, at, errors)
  const before = errors.length
  const parsed = parseAddress(f.get('address'))
  if (!parsed.ok) f.fail('address', parsed.message)
  const address = parsed.ok ? parsed.address : undefined
  const bitSized = address !== undefined && (isBitTable(address.table) || address.bit !== undefined)
  const type = f.oneOf<DataType>('type', dataTypeNames, bitSized ? 'boolean' : 'uint16')

  if (address !== undefined && f.get('type') !== undefined) {
    if (isBitTable(address.table) && type !== 'boolean') {
      f.fail('type', `${type} does not fit ${tableNames[address.table]}: coils and discrete inputs hold one bit; use type boolean`)
    } else if (address.bit !== undefined && type !== 'boolean') {
      f.fail('type', `${type} does not fit a register bit (.${address.bit}); use type boolean, or drop the .${address.bit} to read the whole register`)
    } else if (!isBitTable(address.table) && address.bit === undefined && type === 'boolean') {
      f.fail('type', `a boolean in ${tableNames[address.table]} needs a bit: write the address as ${address.table}${address.offset}.0 .. .15`)
    }
  }

  let count = type === 'string' || type === 'boolean' ? 1 : dataTypes[type].registers
  if (type === 'string') {
    if (f.get('length') === undefined) f.fail('length', 'a string needs length: the number of registers it spans (2 characters each), 1..125')
    else count = f.integer('length', 1, 1, 125)
  } else if (f.get('length') !== undefined) {
    f.fail('length', `length applies to type string only (${type} has a fixed size)`)
  }

  const order = parseOrder(f, type)
  if (type === 'boolean' && f.get('order') !== undefined) warnings.push({ path: [...at, 'order'], message: 'has no effect on a boolean (one bit has no byte order)' })
  const stringOrder = f.oneOf('stringOrder', ['AB', 'BA'] as const, defaults.stringOrder)
  if (type !== 'string' && f.get('stringOrder') !== undefined) f.fail('stringOrder', 'stringOrder applies to type string only; numbers use order')

  const writable = f.boolean('writable', false)
  if (address !== undefined && writable && (address.table === 'DI' || address.table === 'IR')) {
    f.fail('writable', `${tableNames[address.table]} is read-only in Modbus; only coils (CO) and holding registers (HR) can be written`)
  }
  if (address !== undefined && address.offset + count - 1 > 65535) {
    f.fail('address', `${type} at ${address.table}${address.offset} spans ${count} registers and runs past the last address 65535`)
  }
  if (address === undefined || errors.length > before) return null
  return { name: String(raw.name ?? ''), ...address, type, count, order, stringOrder, writable }
}

function parseOrder(f: Fields, type: DataType): ByteOrder {
  const value = f.get('order')
  if (value === undefined) return defaults.order
  const name = String(value).trim().toUpperCase()
  if (!orderNames.includes(name)) {
    f.fail('order', `expected ABCD (big-endian), BADC (byte swap), CDAB (word swap) or DCBA (little-endian); 64-bit types also take ABCDEFGH, BADCFEHG, GHEFCDAB, HGFEDCBA; got ${JSON.stringify(value)}`)
    return defaults.order
  }
  if (type === 'string') f.fail('order', 'strings take stringOrder (AB or BA), not order')
  if (name.length === 8 && dataTypes[type].registers !== 4) {
    f.fail('order', `${name} is a 64-bit order; ${type} takes ABCD, BADC, CDAB or DCBA`)
  }
  return orders64[name] ?? (name as ByteOrder)
}
