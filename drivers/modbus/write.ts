/**
 * Writes one point: a coil with FC5, one register with FC6, several with FC16, and a bit of a
 * register as read-modify-write inside one bus slot so no other request on the line interleaves.
 */
import { DriverError } from '../driver.js'
import type { Value } from '../../gateway/model/value.js'
import type { Bus } from './bus.js'
import { encodeRegisters } from './encode.js'
import { toDriverError } from './errors.js'
import type { ModbusPoint } from './point.js'
import { describeRange } from './read-block.js'

export interface WriteTarget {
  readonly bus: Bus
  readonly unitId: number
  readonly timeoutMs: number
}

export async function writePoint(target: WriteTarget, p: ModbusPoint, value: Value): Promise<void> {
  const where = describeRange(p.table, p.offset, p.count) + (p.bit === undefined ? '' : `.${p.bit}`)
  const refuse = (message: string): DriverError => new DriverError('rejected', `write ${p.name} (${where}): ${message}`)
  if (p.table === 'DI' || p.table === 'IR') throw refuse(`${p.table === 'DI' ? 'discrete inputs' : 'input registers'} are read-only`)
  const run = (fn: Parameters<Bus['request']>[2]): Promise<unknown> =>
    target.bus.request(target.unitId, target.timeoutMs, fn).catch((err: unknown) => {
      throw toDriverError(err, `write ${p.name} (${where})`)
    })

  if (p.table === 'CO' || p.bit !== undefined) {
    if (typeof value !== 'boolean') throw refuse(`expected a boolean, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
    if (p.table === 'CO') {
      await run((c) => c.writeCoil(p.offset, value))
      return
    }
    const mask = 1 << (p.bit as number)
    await run(async (c) => {
      const [word] = (await c.readHoldingRegisters(p.offset, 1)).data
      await c.writeRegister(p.offset, value ? word | mask : word & ~mask & 0xffff)
    })
    return
  }
  const encoded = encodeRegisters(p, value)
  if (!encoded.ok) throw refuse(encoded.message)
  const words = encoded.words
  if (words.length === 1) await run((c) => c.writeRegister(p.offset, words[0]))
  else await run((c) => c.writeRegisters(p.offset, words))
}
