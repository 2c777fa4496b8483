/**
 * Modbus RTU against pymodbus: on a serial line made by socat (two unit ids, two drivers sharing one
 * bus), and RTU frames over TCP.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DriverError, type Driver, type Reading } from '../../drivers/driver.js'
import { modbusModule } from '../../drivers/modbus/index.js'
import { silentLog } from '../../gateway/runtime/log.js'
import type { Value } from '../../gateway/model/value.js'
import { startPymodbus } from '../helpers/pymodbus.js'
import { startPtyPair } from '../helpers/socat.js'

function driverFor(driver: string, connection: Record<string, unknown>): Driver {
  const tags = [
    { name: 'temp', address: '40001', type: 'float32', order: 'CDAB' },
    { name: 'count', address: 'HR2', type: 'uint16', writable: true },
    { name: 'run', address: '00001' },
  ]
  const parsed = modbusModule.parse({ driver, connection: { timeout: '300ms', ...connection }, tags }, [])
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error))
  return modbusModule.create(parsed.value, silentLog)
}

const values = (readings: readonly Reading[]): Value[] =>
  readings.map((r) => {
    assert.ok('value' in r, `${r.point}: ${'error' in r ? r.error.message : ''}`)
    return r.value
  })

const names = ['temp', 'count', 'run']

test('modbus-rtu - two units on one serial line share the bus; a silent unit costs only its own timeouts', async () => {
  const pty = await startPtyPair()
  const server = await startPymodbus({ mode: 'rtu', device: pty.b, units: [1, 2] })
  const one = driverFor('modbus-rtu', { port: pty.a, unitId: 1 })
  const two = driverFor('modbus-rtu', { port: pty.a, unitId: 2 })
  try {
    // 1.5 as float32 is 0x3FC00000; CDAB puts the low word first.
    await server.set(1, 'hr', 0, [0x0000, 0x3fc0, 11])
    await server.set(2, 'hr', 0, [0x0000, 0xc010, 22])
    await server.set(2, 'co', 0, [1])
    await Promise.all([one.open(), two.open()])
    const [a, b] = await Promise.all([one.read(names), two.read(names)])
    assert.deepEqual(values(a), [1.5, 11, false])
    assert.deepEqual(values(b), [-2.25, 22, true])

    await two.write('count', 23)
    assert.deepEqual(await server.get(2, 'hr', 2, 1), [23])

    await server.command({ cmd: 'silence', unit: 2 })
    const requests = async () => (await server.command({ cmd: 'stats' })).requests as Record<string, number>
    const before = await requests()
    for (let round = 0; round < 3; round++) {
      const [good, silent] = await Promise.allSettled([one.read(names), two.read(names)])
      assert.ok(good.status === 'fulfilled', 'unit 1 keeps answering')
      assert.deepEqual(values(good.value), [1.5, 11, false])
      assert.ok(silent.status === 'rejected' && silent.reason instanceof DriverError && silent.reason.kind === 'timeout', 'unit 2 times out')
    }
    const afterRounds = await requests()
    assert.equal(afterRounds['2'] - before['2'], 3, 'each silent read cost one request (one timeout), not one per block')
    assert.equal(afterRounds['1'] - before['1'], 6, 'unit 1 read its two blocks (CO, HR) every round')

    await server.command({ cmd: 'silence', unit: 2, on: false })
    await two.close()
    await two.open()
    assert.deepEqual(values(await two.read(names)), [-2.25, 23, true])
  } finally {
    await Promise.all([one.close(), two.close()])
    await server.stop()
    await pty.stop()
  }
})

test('modbus-rtu - the serial device vanishing rejects the read with kind connection', async () => {
  const pty = await startPtyPair()
  const server = await startPymodbus({ mode: 'rtu', device: pty.b, units: [1] })
  const driver = driverFor('modbus-rtu', { port: pty.a, unitId: 1 })
  try {
    await driver.open()
    await driver.read(names)
    await server.stop()
    await pty.stop()
    await assert.rejects(driver.read(names), (e: unknown) => e instanceof DriverError && e.kind === 'connection')
    await driver.close()
    await assert.rejects(driver.open(), (e: unknown) => e instanceof DriverError && e.kind === 'connection')
  } finally {
    await driver.close()
    await server.stop()
    await pty.stop()
  }
})

test('modbus-rtu-over-tcp - RTU frames on a TCP socket read and write', async () => {
  const server = await startPymodbus({ mode: 'rtu-over-tcp', units: [5] })
  const driver = driverFor('modbus-rtu-over-tcp', { host: '127.0.0.1', port: server.port, unitId: 5 })
  try {
    await server.set(5, 'hr', 0, [0x0000, 0x3fc0, 7])
    await driver.open()
    assert.deepEqual(values(await driver.read(names)), [1.5, 7, false])
    await driver.write('count', 8)
    assert.deepEqual(await server.get(5, 'hr', 2, 1), [8])
  } finally {
    await driver.close()
    await server.stop()
  }
})
