/**
 * The suite every Driver must pass (simulator in the unit job, Modbus and OPC UA against real
 * servers in the integration job). Each test builds a fresh driver from `build` and releases it.
 */
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { DriverError } from '../../drivers/driver.js'
import type { Driver, Reading } from '../../drivers/driver.js'
import type { SparkplugType, Value } from '../../gateway/model/value.js'

/** What a contract run needs: a driver ready to open, talking to a healthy device. */
export interface DriverUnderTest {
  /** A driver that has not been opened yet. */
  readonly driver: Driver
  /**
   * A point that accepts writes and two different values it will read back unchanged; the write
   * tests are skipped without it.
   */
  readonly writable?: { readonly point: string; readonly values: readonly [Value, Value] }
  /** Stops what `build` started (servers, temp files); called after the driver is closed. */
  readonly teardown?: () => Promise<void>
}

/** Registers the Driver contract tests under `name`, e.g. driverContract('simulator', build). */
export function driverContract(name: string, build: () => Promise<DriverUnderTest>): void {
  const run = (title: string, body: (subject: DriverUnderTest, t: TestContext) => Promise<void>) => {
    test(`${name} contract - ${title}`, async (t) => {
      const subject = await build()
      try {
        await body(subject, t)
      } finally {
        await subject.driver.close()
        await subject.teardown?.()
      }
    })
  }

  run('points are non-empty and uniquely named', async ({ driver }) => {
    assert.ok(driver.points.length > 0, 'a driver with no points publishes an empty DBIRTH')
    const names = driver.points.map((p) => p.name)
    assert.equal(new Set(names).size, names.length, `duplicate point names in ${names.join(', ')}`)
  })

  run('read of every point returns one reading per point, in order, of the declared type', async ({ driver }) => {
    await driver.open()
    const names = driver.points.map((p) => p.name)
    const readings = await driver.read(names)
    assert.deepEqual(readings.map((r) => r.point), names)
    readings.forEach((reading, i) => assertGood(reading, driver.points[i].type))
  })

  run('read of a subset returns only that subset, in the order asked', async ({ driver }) => {
    await driver.open()
    const subset = driver.points.filter((_, i) => i % 2 === 0)
    const readings = await driver.read(subset.map((p) => p.name))
    assert.deepEqual(readings.map((r) => r.point), subset.map((p) => p.name))
    readings.forEach((reading, i) => assertGood(reading, subset[i].type))
  })

  run('close is idempotent and never rejects, before or after open; the driver then opens and reads', async ({ driver }) => {
    await assert.doesNotReject(driver.close())
    await driver.open()
    await assert.doesNotReject(driver.close())
    await assert.doesNotReject(driver.close())
    const first = driver.points[0]
    await driver.open()
    const readings = await driver.read([first.name])
    assert.equal(readings.length, 1)
    assertGood(readings[0], first.type)
  })

  run('a closed driver opens again and reads', async ({ driver }) => {
    const first = driver.points[0]
    await driver.open()
    await driver.read([first.name])
    await driver.close()
    await driver.open()
    const readings = await driver.read([first.name])
    assert.equal(readings.length, 1)
    assertGood(readings[0], first.type)
  })

  // A write's read-back is what the device holds once the write has been accepted: a driver that
  // answers from a value cached before the write (a subscription's last notification) tells the
  // operator the write did not take. Two different values in turn make the cached one show.
  run('the read after a write returns the written value, never the value from before the write', async ({ driver, writable }, t) => {
    if (writable === undefined) {
      t.skip('build() gave no writable point')
      return
    }
    assert.notDeepEqual(writable.values[0], writable.values[1], 'the two values must differ')
    await driver.open()
    for (const value of [...writable.values, writable.values[0]]) {
      const [before]: Reading[] = await driver.read([writable.point])
      await driver.write(writable.point, value)
      const [reading] = await driver.read([writable.point])
      assert.ok('value' in reading, `reading of ${writable.point} failed: ${'error' in reading ? reading.error.message : ''}`)
      assert.deepEqual(reading.value, value, `read-back after writing ${String(value)} (before the write: ${'value' in before ? String(before.value) : 'bad'})`)
    }
  })

  run('a write to an unknown point rejects with DriverError', async ({ driver, writable }) => {
    await driver.open()
    const value = writable?.values[0] ?? 1
    await assert.rejects(driver.write('no such point \u2603', value), (error: unknown) => {
      assert.ok(error instanceof DriverError, `expected a DriverError, got ${String(error)}`)
      return true
    })
  })
}

function assertGood(reading: Reading, type: SparkplugType): void {
  assert.ok(Number.isFinite(reading.at) && reading.at > 0, `reading of ${reading.point}: at must be a UTC ms timestamp, got ${reading.at}`)
  assert.ok('value' in reading, `reading of ${reading.point} failed: ${'error' in reading ? reading.error.message : ''}`)
  assert.ok(isValueOf(type, reading.value), `reading of ${reading.point}: ${String(reading.value)} (${typeof reading.value}) is not a ${type}`)
}

const integerBits: Partial<Record<SparkplugType, [number, boolean]>> = {
  Int8: [8, true], Int16: [16, true], Int32: [32, true],
  UInt8: [8, false], UInt16: [16, false], UInt32: [32, false],
}

/** Whether `value` has the JS shape gateway/model/value.ts prescribes for `type`. */
function isValueOf(type: SparkplugType, value: Value): boolean {
  const bits = integerBits[type]
  if (bits !== undefined) {
    const [width, signed] = bits
    const min = signed ? -(2 ** (width - 1)) : 0
    const max = signed ? 2 ** (width - 1) - 1 : 2 ** width - 1
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
  }
  if (type.endsWith('Array')) {
    const element = type.slice(0, -'Array'.length) as SparkplugType
    return Array.isArray(value) && value.every((item: Value) => isValueOf(element, item))
  }
  switch (type) {
    case 'Int64':
      return typeof value === 'bigint' && value >= -(2n ** 63n) && value < 2n ** 63n
    case 'UInt64':
      return typeof value === 'bigint' && value >= 0n && value < 2n ** 64n
    case 'DateTime':
      return typeof value === 'bigint'
    case 'Float':
    case 'Double':
      return typeof value === 'number'
    case 'Boolean':
      return typeof value === 'boolean'
    case 'String':
    case 'Text':
    case 'UUID':
      return typeof value === 'string'
    default:
      return value instanceof Uint8Array
  }
}
