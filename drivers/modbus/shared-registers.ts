/**
 * When two tags of one device may use the same coils/registers. Reading shared registers is never
 * ambiguous: the device holds one bit pattern and each tag decodes it its own way (a status word and
 * its bits, two scalings, a Modicon alias). Two things are:
 * - values that cut the registers at different boundaries (float32 at HR0 and another at HR1): no
 *   register map holds both, so one address is wrong, nearly always a Modicon off-by-one;
 * - two writable tags that encode a value differently in the registers they share: the device
 *   stores one layout, and a write through the other tag would put a wrong value there.
 */
import type { ModbusPoint } from './point.js'
import { describeRange } from './read-block.js'

type Shape = Pick<ModbusPoint, 'name' | 'table' | 'offset' | 'count' | 'bit' | 'type' | 'order' | 'stringOrder' | 'writable'>

/** Why `b` cannot share registers with the earlier tag `a` (numbered `index` in the tag list), or null when it can. */
export function sharingConflict(a: Shape, b: Shape, index: number): string | null {
  if (a.table !== b.table || a.offset + a.count <= b.offset || b.offset + b.count <= a.offset) return null
  const other = `tag ${index} "${a.name}" (${describe(a)})`
  if (!contains(a, b) && !contains(b, a)) {
    const shared = describeRange(a.table, Math.max(a.offset, b.offset), Math.min(a.offset + a.count, b.offset + b.count) - Math.max(a.offset, b.offset))
    return `"${b.name}" (${describe(b)}) and ${other} each take ${shared} as part of a different value, which no device stores; check the address and type (Modicon 40001 = HR0)`
  }
  if (!a.writable || !b.writable || a.bit !== undefined || b.bit !== undefined || sameEncoding(a, b)) return null
  return `"${b.name}" (${describe(b)}) and ${other} are both writable but encode the shared registers differently (${encoding(b)} vs ${encoding(a)}), so a write through one would put a value the device does not mean into the other; make one of them writable: false, or give both the same type and order`
}

const contains = (outer: Shape, inner: Shape): boolean => outer.offset <= inner.offset && inner.offset + inner.count <= outer.offset + outer.count

/** Same registers written the same way. Byte order within one register is all `order` means for a 16-bit type. */
function sameEncoding(a: Shape, b: Shape): boolean {
  if (a.offset !== b.offset || a.count !== b.count || a.type !== b.type) return false
  if (a.type === 'string') return a.stringOrder === b.stringOrder
  return a.count === 1 ? swapsBytes(a.order) === swapsBytes(b.order) : a.order === b.order
}

const swapsBytes = (order: string): boolean => order === 'BADC' || order === 'DCBA'

const encoding = (p: Shape): string => `${p.type} ${p.type === 'string' ? p.stringOrder : p.order}`

const describe = (p: Shape): string => describeRange(p.table, p.offset, p.count) + (p.bit === undefined ? '' : `.${p.bit}`)
