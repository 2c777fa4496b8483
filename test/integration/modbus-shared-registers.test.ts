/**
 * Tags that share registers, against pymodbus over Modbus TCP: a status word and its bits, two
 * scalings of one register, a Modicon alias and the words of a wider value read once per scan; a
 * refused register takes every tag on it bad and no other; writes through one tag show in the others.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Driver, Reading } from '../../drivers/driver.js'
import { modbusModule } from '../../drivers/modbus/index.js'
import { silentLog } from '../../gateway/runtime/log.js'
import type { Value } from '../../gateway/model/value.js'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'

let server: Pymodbus
before(async () => {
  server = await startPymodbus({ units: [1] })
})
after(async () => {
  await server.stop()
})

const tags = [
  { name: 'Status', address: 'HR3', writable: true },
  { name: 'Status/Run', address: 'HR3.0', writable: true },
  { name: 'Status/Fault', address: '40004.2', writable: true },
  { name: 'Level/m', address: 'HR5', scale: 0.01 },
  { name: 'Level/cm', address: '40006' },
  { name: 'Flow', address: 'HR10', type: 'float32', order: 'CDAB' },
  { name: 'Flow/alias', address: '400011', type: 'float32', order: 'CDAB' },
  { name: 'Flow/low word', address: 'HR10' },
  { name: 'Counter', address: 'HR20', type: 'uint32' },
  { name: 'Counter/high word', address: 'HR20' },
  { name: 'Counter/low word', address: 'HR21' },
]
const names = tags.map((t) => t.name)

function driverFor(): Driver {
  const parsed = modbusModule.parse({ driver: 'modbus-tcp', connection: { host: '127.0.0.1', port: server.port, timeout: '300ms' }, tags }, [])
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error))
  return modbusModule.create(parsed.value, silentLog)
}

const requests = async (): Promise<number> => ((await server.command({ cmd: 'stats' })).requests as Record<string, number>)['1']
const values = (readings: readonly Reading[]): Record<string, Value | string> =>
  Object.fromEntries(readings.map((r) => [r.point, 'value' in r ? r.value : `bad: ${r.error.kind}`]))

async function image(): Promise<void> {
  await server.command({ cmd: 'accept', unit: 1, table: 'hr' })
  await server.set(1, 'hr', 0, new Array(24).fill(0))
  await server.set(1, 'hr', 3, [0b0101])
  await server.set(1, 'hr', 5, [1234])
  await server.set(1, 'hr', 10, [0x0000, 0x3fc0]) // 1.5 as float32, word-swapped
  await server.set(1, 'hr', 20, [0x0001, 0x0002]) // 65538
}

test('modbus shared registers - a status word, its bits, two scalings, aliases and words of wider values: right values, one request', async () => {
  await image()
  const driver = driverFor()
  await driver.open()
  try {
    const before = await requests()
    const readings = await driver.read(names)
    assert.equal((await requests()) - before, 1, 'HR3..HR21 in one read')
    assert.deepEqual(values(readings), {
      'Status': 5, 'Status/Run': true, 'Status/Fault': true,
      'Level/m': 1234, 'Level/cm': 1234,
      'Flow': 1.5, 'Flow/alias': 1.5, 'Flow/low word': 0,
      'Counter': 65538, 'Counter/high word': 1, 'Counter/low word': 2,
    })
  } finally {
    await driver.close()
  }
})

test('modbus shared registers - a refused register takes every tag on it bad and no other, and later scans fence it off', async () => {
  await image()
  await server.command({ cmd: 'reject', unit: 1, table: 'hr', start: 3, end: 4 })
  await server.command({ cmd: 'reject', unit: 1, table: 'hr', start: 21, end: 22 })
  const driver = driverFor()
  await driver.open()
  try {
    const before = await requests()
    const first = values(await driver.read(names))
    assert.deepEqual(first, {
      'Status': 'bad: rejected', 'Status/Run': 'bad: rejected', 'Status/Fault': 'bad: rejected',
      'Level/m': 1234, 'Level/cm': 1234,
      'Flow': 1.5, 'Flow/alias': 1.5, 'Flow/low word': 0,
      'Counter': 'bad: rejected', 'Counter/high word': 1, 'Counter/low word': 'bad: rejected',
    })
    assert.equal((await requests()) - before, 7, 'the block, then HR3, HR5, HR10..HR11, HR20..HR21 once each, then HR20 and HR21')
    const next = await requests()
    const second = values(await driver.read(names))
    assert.equal((await requests()) - next, 2, 'HR5..HR11 and HR20: the refused HR3 and HR21 are left out')
    assert.deepEqual(second, first)
  } finally {
    await server.command({ cmd: 'accept', unit: 1, table: 'hr' })
    await driver.close()
  }
})

test('modbus shared registers - a bit write shows in the word and the other bits; a word write shows in its bits', async () => {
  await image()
  const driver = driverFor()
  await driver.open()
  try {
    const status = ['Status', 'Status/Run', 'Status/Fault']
    await driver.write('Status/Fault', false)
    assert.deepEqual((await driver.read(status)).map((r) => 'value' in r && r.value), [0b0001, true, false])
    await driver.write('Status/Fault', true)
    assert.deepEqual((await driver.read(status)).map((r) => 'value' in r && r.value), [0b0101, true, true])
    await driver.write('Status', 0b0100)
    assert.deepEqual((await driver.read(status)).map((r) => 'value' in r && r.value), [0b0100, false, true])
    assert.deepEqual(await server.get(1, 'hr', 3, 1), [0b0100])
  } finally {
    await driver.close()
  }
})
