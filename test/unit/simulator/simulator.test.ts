import { mock, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DriverError } from '../../../drivers/driver.js'
import type { Driver } from '../../../drivers/driver.js'
import { createSimulatorDriver, simulatorModule } from '../../../drivers/simulator/index.js'
import type { SimulatorConfig } from '../../../drivers/simulator/index.js'
import { SIGNAL_EPOCH_MS } from '../../../drivers/simulator/signals.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { driverContract } from '../../contract/driver.contract.js'

function config(tags: Record<string, unknown>[], connection?: unknown): SimulatorConfig {
  const result = simulatorModule.parse({ driver: 'simulator', connection, tags }, [])
  if (!result.ok) assert.fail(`unexpected errors: ${JSON.stringify(result.error)}`)
  return result.value
}

const everySignal = [
  { name: 'Counter', signal: 'counter' },
  { name: 'Big', signal: 'counter', type: 'UInt64' },
  { name: 'Ramp', signal: 'ramp', type: 'Int16' },
  { name: 'Wave', signal: 'sine', type: 'Float', low: -5, high: 5 },
  { name: 'Walk', signal: 'random-walk' },
  { name: 'Running', signal: 'boolean' },
  { name: 'Mode', signal: 'string', values: ['auto', 'manual'] },
  { name: 'Setpoint', signal: 'setpoint', writable: true, initial: 20 },
  { name: 'Total', signal: 'setpoint', type: 'Int64', writable: true },
]

driverContract('simulator', async () => ({
  driver: simulatorModule.create(config(everySignal), silentLog),
  writable: { point: 'Setpoint', values: [42.5, 17.25] },
}))

async function opened(tags: Record<string, unknown>[], now: () => number = Date.now, connection?: unknown): Promise<Driver> {
  const driver = createSimulatorDriver(config(tags, connection), silentLog, now)
  await driver.open()
  return driver
}

function rejectsWith(kind: DriverError['kind'], message: RegExp) {
  return (error: unknown) => error instanceof DriverError && error.kind === kind && message.test(error.message)
}

test('simulator - a counter read through the driver counts at its period, stamped with the read time', async () => {
  let now = Date.UTC(2026, 2, 1)
  const driver = await opened([{ name: 'C', signal: 'counter', period: '500ms' }], () => now)
  const [first] = await driver.read(['C'])
  now += 5000
  const [later] = await driver.read(['C'])
  assert.ok('value' in first && 'value' in later)
  assert.equal(first.value, (now - 5000 - SIGNAL_EPOCH_MS) / 500)
  assert.equal((later.value as number) - (first.value as number), 10)
  assert.equal(later.at, now)
})

test('simulator - a read of an unknown point fails that point only, with kind rejected', async () => {
  const driver = await opened([{ name: 'A', signal: 'boolean' }])
  const [missing, present] = await driver.read(['Nope', 'A'])
  assert.ok('error' in missing && missing.error.kind === 'rejected', 'unknown point should carry a rejected error')
  assert.match(missing.error.message, /no tag named Nope/)
  assert.ok('value' in present)
})

test('simulator - a dark file makes open and read time out, and removing it brings the device back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-dark-'))
  const darkFile = join(dir, 'device.dark')
  try {
    const driver = createSimulatorDriver(config([{ name: 'A', signal: 'counter' }], { darkFile }), silentLog)
    await driver.open()
    writeFileSync(darkFile, '')
    await assert.rejects(driver.read(['A']), rejectsWith('timeout', /does not answer while .*device\.dark exists/))
    await assert.rejects(driver.write('A', 1), rejectsWith('timeout', /does not answer/))
    await driver.close()
    await assert.rejects(driver.open(), rejectsWith('timeout', /remove that file/))
    rmSync(darkFile)
    await driver.open()
    const [reading] = await driver.read(['A'])
    assert.ok('value' in reading)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('simulator - read and write before open reject with kind connection', async () => {
  const driver = createSimulatorDriver(config([{ name: 'S', signal: 'setpoint', writable: true }]), silentLog)
  await assert.rejects(driver.read(['S']), rejectsWith('connection', /not open/))
  await assert.rejects(driver.write('S', 1), rejectsWith('connection', /not open/))
})

test('simulator - writing a signal other than a setpoint is rejected, naming the signal', async () => {
  const driver = await opened([{ name: 'Counter', signal: 'counter' }])
  await assert.rejects(driver.write('Counter', 5), rejectsWith('rejected', /^tag Counter is a counter signal and cannot be written$/))
})

test('simulator - a setpoint not marked writable refuses writes', async () => {
  const driver = await opened([{ name: 'S', signal: 'setpoint' }])
  await assert.rejects(driver.write('S', 1), rejectsWith('rejected', /not writable/))
})

test('simulator - a write of the wrong JS type or out of the type range is rejected and changes nothing', async () => {
  const driver = await opened([
    { name: 'D', signal: 'setpoint', writable: true, initial: 20 },
    { name: 'B', signal: 'setpoint', type: 'UInt8', writable: true },
    { name: 'L', signal: 'setpoint', type: 'Int64', writable: true },
  ])
  await assert.rejects(driver.write('D', '30'), rejectsWith('rejected', /tag D expects a number \(Double\), got string 30/))
  await assert.rejects(driver.write('B', 256), rejectsWith('rejected', /from 0 to 255 \(UInt8\)/))
  await assert.rejects(driver.write('B', 1.5), rejectsWith('rejected', /UInt8/))
  await assert.rejects(driver.write('L', 5), rejectsWith('rejected', /got number 5/))
  const readings = await driver.read(['D', 'B', 'L'])
  assert.deepEqual(readings.map((r) => ('value' in r ? r.value : r.error)), [20, 0, 0n])
})

test('simulator - an Int64 setpoint holds a bigint beyond 2^53 exactly', async () => {
  const driver = await opened([{ name: 'Total', signal: 'setpoint', type: 'Int64', writable: true }])
  await driver.write('Total', -9_007_199_254_740_993n)
  const [reading] = await driver.read(['Total'])
  assert.ok('value' in reading)
  assert.equal(reading.value, -9_007_199_254_740_993n)
})

test('simulator - a setpoint keeps its written value across close and open', async () => {
  const driver = await opened([{ name: 'S', signal: 'setpoint', type: 'Float', writable: true }])
  await driver.write('S', 0.1)
  await driver.close()
  await driver.open()
  const [reading] = await driver.read(['S'])
  assert.ok('value' in reading)
  assert.equal(reading.value, Math.fround(0.1))
})

test('simulator - latency delays each read by the configured duration', async () => {
  mock.timers.enable({ apis: ['setTimeout'] })
  try {
    const driver = await opened([{ name: 'A', signal: 'boolean' }], Date.now, { latency: '50ms' })
    let done = false
    const read = driver.read(['A']).then((r) => {
      done = true
      return r
    })
    await new Promise((resolve) => setImmediate(resolve))
    mock.timers.tick(49)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(done, false)
    mock.timers.tick(1)
    assert.equal((await read).length, 1)
  } finally {
    mock.timers.reset()
  }
})
