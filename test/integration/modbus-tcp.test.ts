/**
 * The Modbus driver against an independent server (Debian's pymodbus) over Modbus TCP on loopback:
 * the Driver contract, golden vectors end to end, exception handling, reconnects and writes.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DriverError, type Driver, type Reading } from '../../drivers/driver.js'
import { modbusModule } from '../../drivers/modbus/index.js'
import { silentLog } from '../../gateway/runtime/log.js'
import type { Value } from '../../gateway/model/value.js'
import { driverContract } from '../contract/driver.contract.js'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'

interface Case { type: string; order?: string; length?: number; stringOrder?: string; bit?: number; words: string[]; value: number | string | boolean }
const { cases } = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/cases/modbus/registers.json', import.meta.url)), 'utf8')) as { cases: Case[] }

let server: Pymodbus
before(async () => {
  server = await startPymodbus({ units: [1, 2] })
})
after(async () => {
  await server.stop()
})

function driverFor(tags: Record<string, unknown>[], connection: Record<string, unknown> = {}): Driver {
  const parsed = modbusModule.parse({ driver: 'modbus-tcp', connection: { host: '127.0.0.1', port: server.port, timeout: '300ms', ...connection }, tags }, [])
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error))
  return modbusModule.create(parsed.value, silentLog)
}

const valueOf = (r: Reading): Value => {
  assert.ok('value' in r, `${r.point}: ${'error' in r ? r.error.message : ''}`)
  return r.value
}
const expected = (c: Case): Value => (c.type === 'int64' || c.type === 'uint64' ? BigInt(c.value as string) : c.value)
const words = (c: Case): number[] => c.words.map((w) => parseInt(w, 16))

/** One tag per golden case, laid out one after another from HR1000. */
function goldenLayout(): { tags: Record<string, unknown>[]; image: number[] } {
  const tags: Record<string, unknown>[] = []
  const image: number[] = []
  cases.forEach((c, i) => {
    const address = 1000 + image.length
    tags.push({
      name: `g${i}`,
      address: c.bit === undefined ? `HR${address}` : `HR${address}.${c.bit}`,
      type: c.type,
      ...(c.order ? { order: c.order } : {}),
      ...(c.length ? { length: c.length } : {}),
      ...(c.stringOrder ? { stringOrder: c.stringOrder } : {}),
      writable: true,
    })
    image.push(...words(c))
  })
  return { tags, image }
}

driverContract('modbus-tcp', async () => {
  await server.set(1, 'hr', 0, [1, 2, 0x4049, 0x0fdb])
  await server.set(1, 'co', 0, [1])
  const driver = driverFor([
    { name: 'a', address: 'HR0', type: 'int16' },
    { name: 'b', address: '40002', type: 'uint16' },
    { name: 'c', address: 'HR2', type: 'float32' },
    { name: 'd', address: '00001', type: 'boolean' },
    { name: 'e', address: 'HR10', type: 'int32', writable: true },
  ])
  return { driver, writable: { point: 'e', values: [-123456, 70000] } }
})

test('modbus-tcp - every golden vector reads back as its value from pymodbus, in few requests', async () => {
  const { tags, image } = goldenLayout()
  await server.set(1, 'hr', 1000, image)
  const driver = driverFor(tags)
  await driver.open()
  try {
    const before = (await server.command({ cmd: 'stats' })).requests as Record<string, number>
    const readings = await driver.read(tags.map((t) => t.name as string))
    const afterStats = (await server.command({ cmd: 'stats' })).requests as Record<string, number>
    cases.forEach((c, i) => assert.deepEqual(valueOf(readings[i]), expected(c), `${c.type} ${c.order ?? c.stringOrder ?? ''} [${c.words.join(' ')}]`))
    assert.equal(afterStats['1'] - before['1'], Math.ceil(image.length / 125), 'contiguous tags read in blocks of 125 registers')
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - writes of every golden vector put its words into the server registers', async () => {
  const { tags, image } = goldenLayout()
  await server.set(1, 'hr', 1000, image.map(() => 0))
  const driver = driverFor(tags)
  await driver.open()
  try {
    for (const [i, c] of cases.entries()) if (c.bit === undefined) await driver.write(`g${i}`, expected(c))
    const held = await server.get(1, 'hr', 1000, image.length)
    let at = 0
    for (const c of cases) {
      if (c.bit === undefined) assert.deepEqual(held.slice(at, at + c.words.length), words(c), `${c.type} ${c.order ?? c.stringOrder ?? ''} ${String(c.value)}`)
      at += c.words.length
    }
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - a register bit write changes only that bit; a coil write sets the coil', async () => {
  await server.set(1, 'hr', 300, [0x00f0])
  await server.set(1, 'co', 20, [0])
  const driver = driverFor([
    { name: 'bit0', address: 'HR300.0', writable: true },
    { name: 'bit4', address: '40301.4', writable: true },
    { name: 'coil', address: 'CO20', writable: true },
  ])
  await driver.open()
  try {
    await driver.write('bit0', true)
    assert.deepEqual(await server.get(1, 'hr', 300, 1), [0x00f1])
    await driver.write('bit4', false)
    assert.deepEqual(await server.get(1, 'hr', 300, 1), [0x00e1])
    await driver.write('coil', true)
    assert.deepEqual(await server.get(1, 'co', 20, 1), [1])
    const readings = await driver.read(['bit0', 'bit4', 'coil'])
    assert.deepEqual(readings.map(valueOf), [true, false, true])
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - writes that do not fit the type or table are rejected before the wire', async () => {
  const driver = driverFor([
    { name: 'i16', address: 'HR400', type: 'int16', writable: true },
    { name: 'u64', address: 'HR401', type: 'uint64', writable: true },
    { name: 'f', address: 'HR405', type: 'float32', writable: true },
    { name: 'di', address: 'DI0' },
    { name: 'ir', address: 'IR0', type: 'int16' },
    { name: 'coil', address: 'CO0', writable: true },
  ])
  await driver.open()
  try {
    const refused = async (point: string, value: Value, message: RegExp) =>
      assert.rejects(driver.write(point, value), (e: unknown) => e instanceof DriverError && e.kind === 'rejected' && message.test(e.message))
    await refused('i16', 40000, /outside the int16 range -32768\.\.32767/)
    await refused('u64', -1n, /outside the uint64 range/)
    await refused('f', Infinity, /finite number/)
    await refused('di', true, /discrete inputs are read-only/)
    await refused('ir', 1, /input registers are read-only/)
    await refused('coil', 1, /expected a boolean/)
    assert.deepEqual(await server.get(1, 'hr', 400, 1), [0])
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - exception 2 on part of a block: the block splits, only the refused tags go bad, later scans skip them', async () => {
  await server.set(1, 'hr', 500, [10, 11, 12, 13, 14, 15, 16])
  await server.command({ cmd: 'reject', unit: 1, table: 'hr', start: 502, end: 504 })
  const names = ['h500', 'h501', 'h502', 'h503', 'h504', 'h506']
  const driver = driverFor(names.map((name) => ({ name, address: `HR${name.slice(1)}` })))
  await driver.open()
  try {
    const stats = async () => ((await server.command({ cmd: 'stats' })).requests as Record<string, number>)['1']
    const first = await driver.read(names)
    assert.deepEqual(first.filter((r) => 'value' in r).map((r) => [r.point, valueOf(r)]), [['h500', 10], ['h501', 11], ['h504', 14], ['h506', 16]])
    for (const r of first.filter((r) => 'error' in r)) {
      assert.ok('error' in r && r.error.kind === 'rejected' && /exception 2 \(illegal data address\)/.test(r.error.message))
    }
    assert.deepEqual(first.filter((r) => 'error' in r).map((r) => r.point), ['h502', 'h503'])

    const before = await stats()
    const second = await driver.read(names)
    assert.equal((await stats()) - before, 2, 'HR500..501 and HR504..506: the rejected HR502..503 are fenced off')
    assert.deepEqual(second.map((r) => 'error' in r), [false, false, true, true, false, false])

    await server.command({ cmd: 'accept', unit: 1, table: 'hr' })
    let readings = second
    for (let scan = 2; scan <= 60; scan++) readings = await driver.read(names)
    assert.deepEqual(readings.map(valueOf), [10, 11, 12, 13, 14, 16], 'the 60th scan probes the rejected tags again')
    const after60 = await stats()
    await driver.read(names)
    assert.equal((await stats()) - after60, 1, 'once accepted, the tags merge back into one block')
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - server stopped: read rejects connection or timeout; started again: open and read work', async () => {
  await server.set(1, 'hr', 600, [77])
  const driver = driverFor([{ name: 'x', address: 'HR600' }])
  await driver.open()
  try {
    assert.deepEqual((await driver.read(['x'])).map(valueOf), [77])
    await server.command({ cmd: 'stop' })
    await assert.rejects(driver.read(['x']), (e: unknown) => e instanceof DriverError && (e.kind === 'connection' || e.kind === 'timeout'))
    await driver.close()
    await assert.rejects(driver.open(), (e: unknown) => e instanceof DriverError && e.kind === 'connection')
    await server.command({ cmd: 'start' })
    await driver.open()
    assert.deepEqual((await driver.read(['x'])).map(valueOf), [77])
  } finally {
    await driver.close()
  }
})

test('modbus-tcp - two devices sharing one connection: a silent unit times out alone', async () => {
  await server.set(1, 'hr', 700, [1])
  await server.set(2, 'hr', 700, [2])
  const one = driverFor([{ name: 'x', address: 'HR700' }], { unitId: 1, sharedConnection: true })
  const two = driverFor([{ name: 'x', address: 'HR700' }], { unitId: 2, sharedConnection: true })
  await Promise.all([one.open(), two.open()])
  try {
    assert.deepEqual((await Promise.all([one.read(['x']), two.read(['x'])])).map((r) => valueOf(r[0])), [1, 2])
    await server.command({ cmd: 'silence', unit: 2 })
    const [a, b] = await Promise.allSettled([one.read(['x']), two.read(['x'])])
    assert.equal(a.status === 'fulfilled' && valueOf(a.value[0]), 1)
    assert.ok(b.status === 'rejected' && b.reason instanceof DriverError && b.reason.kind === 'timeout')
    await two.close()
    assert.deepEqual((await one.read(['x'])).map(valueOf), [1], 'closing one device keeps the shared connection for the other')
  } finally {
    await server.command({ cmd: 'silence', unit: 2, on: false })
    await Promise.all([one.close(), two.close()])
  }
})
