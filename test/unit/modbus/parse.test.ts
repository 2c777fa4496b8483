import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { RawDevice } from '../../../drivers/driver.js'
import { modbusModule } from '../../../drivers/modbus/index.js'
import type { ModbusDeviceConfig } from '../../../drivers/modbus/config.js'
import { parseCsv } from '../../../gateway/config/csv.js'
import type { ConfigError } from '../../../gateway/model/result.js'

const source = (name: string) => readFileSync(fileURLToPath(new URL(`../../../../drivers/modbus/${name}`, import.meta.url)), 'utf8')
const tcp = { host: '127.0.0.1' }

function parsed(raw: RawDevice): ModbusDeviceConfig {
  const result = modbusModule.parse(raw, [])
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.error, null, 1))
  return result.value
}

function errors(tags: Record<string, unknown>[], connection: unknown = tcp, driver = 'modbus-tcp'): ConfigError[] {
  const result = modbusModule.parse({ driver, connection, tags }, ['devices', 0])
  assert.equal(result.ok, false, 'expected errors')
  return result.ok ? [] : result.error
}

test('parse - example.yaml parses, with its notations resolved', () => {
  const config = parsed(parseYaml(source('example.yaml')) as RawDevice)
  assert.equal(config.points.length, 7)
  const byName = Object.fromEntries(config.points.map((p) => [p.name, p]))
  assert.deepEqual([byName['Burner/Hours'].table, byName['Burner/Hours'].offset], ['HR', 102])
  assert.deepEqual([byName['Burner/Energy'].offset, byName['Burner/Energy'].order, byName['Burner/Energy'].count], [104, 'CDAB', 4])
  assert.deepEqual([byName['Burner/Alarm'].offset, byName['Burner/Alarm'].bit], [110, 3])
  assert.equal(byName['Burner/Model'].count, 8)
  assert.equal(byName['Pump/Run'].writable, true)
  assert.deepEqual(config.transport, { type: 'tcp', host: '192.168.10.21', port: 502, connectTimeoutMs: 3000 })
  assert.deepEqual(config.limits, { maxGap: 16, maxBitGap: 256, maxRegistersPerRead: 125, maxBitsPerRead: 2000 })
})

test('parse - example-tags.csv rows from the gateway CSV loader parse', () => {
  const csv = parseCsv(source('example-tags.csv'))
  assert.deepEqual(csv.errors, [])
  const config = parsed({ driver: 'modbus-tcp', connection: tcp, tags: csv.rows })
  const where = config.points.map((p) => `${p.table}${p.offset}${p.bit === undefined ? '' : `.${p.bit}`}`)
  assert.deepEqual(where, ['HR0', 'IR10', 'CO0', 'DI0', 'HR20', 'HR21.4'])
})

test('parse - CSV-style rows: numeric and leading-zero addresses, numeric strings, blank cells', () => {
  const rows = [
    { name: 'a', address: 40001, type: 'float32', order: 'CDAB', scale: 0.1 },
    { name: 'b', address: '00002', type: 'boolean', order: '', writable: true },
    { name: 'c', address: '400003', type: 'string', length: '4', stringOrder: 'BA' },
    { name: 'd', address: 30001 },
    { name: 'e', address: '40010.7' },
  ]
  const p = parsed({ driver: 'modbus-tcp', connection: tcp, tags: rows }).points
  assert.deepEqual(p.map((x) => [x.table, x.offset, x.type, x.count]), [
    ['HR', 0, 'float32', 2], ['CO', 1, 'boolean', 1], ['HR', 2, 'string', 4], ['IR', 0, 'uint16', 1], ['HR', 9, 'boolean', 1],
  ])
  assert.equal(p[0].order, 'CDAB')
  assert.equal(p[2].stringOrder, 'BA')
  assert.equal(p[4].bit, 7)
})

test('parse - connection defaults for modbus-tcp and modbus-rtu', () => {
  const t = parsed({ driver: 'modbus-tcp', connection: tcp, tags: [{ name: 'a', address: 'HR0' }] })
  assert.deepEqual([t.unitId, t.timeoutMs, t.sharedConnection], [1, 1000, false])
  const r = parsed({ driver: 'modbus-rtu', connection: { port: '/dev/ttyUSB0', unitId: 7, timeout: '250ms', parity: 'even' }, tags: [{ name: 'a', address: 'HR0' }] })
  assert.deepEqual(r.transport, { type: 'rtu', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'even', dataBits: 8, stopBits: 1, interFrameDelayMs: 0 })
  assert.deepEqual([r.unitId, r.timeoutMs, r.sharedConnection], [7, 250, true])
})

const tagErrors: [string, Record<string, unknown>[], (string | number)[], RegExp][] = [
  ['bad address syntax', [{ name: 'a', address: 'QQ1' }], ['tags', 0, 'address'], /expected an address like HR100/],
  ['offset out of range', [{ name: 'a', address: 'HR70000' }], ['tags', 0, 'address'], /out of range 0\.\.65535/],
  ['float32 on a coil', [{ name: 'a', address: 'CO1', type: 'float32' }], ['tags', 0, 'type'], /float32 does not fit a coil/],
  ['float32 on a discrete input', [{ name: 'a', address: '10001', type: 'float32' }], ['tags', 0, 'type'], /does not fit a discrete input/],
  ['boolean on a whole register', [{ name: 'a', address: 'HR3', type: 'boolean' }], ['tags', 0, 'type'], /needs a bit: write the address as HR3\.0/],
  ['int16 on a register bit', [{ name: 'a', address: 'HR3.1', type: 'int16' }], ['tags', 0, 'type'], /does not fit a register bit/],
  ['string without length', [{ name: 'a', address: 'HR0', type: 'string' }], ['tags', 0, 'length'], /needs length/],
  ['bit index above 15', [{ name: 'a', address: '40001.16' }], ['tags', 0, 'address'], /bit 16 is out of range 0\.\.15/],
  ['unknown order', [{ name: 'a', address: 'HR0', type: 'int32', order: 'ABDC' }], ['tags', 0, 'order'], /expected ABCD \(big-endian\), BADC/],
  ['64-bit order on a 32-bit type', [{ name: 'a', address: 'HR0', type: 'int32', order: 'GHEFCDAB' }], ['tags', 0, 'order'], /64-bit order/],
  ['unknown type', [{ name: 'a', address: 'HR0', type: 'real' }], ['tags', 0, 'type'], /expected one of boolean \| int16/],
  ['writable discrete input', [{ name: 'a', address: 'DI0', writable: true }], ['tags', 0, 'writable'], /read-only/],
  ['writable input register', [{ name: 'a', address: '30001', writable: true }], ['tags', 0, 'writable'], /read-only/],
  ['value running past 65535', [{ name: 'a', address: 'HR65534', type: 'float64' }], ['tags', 0, 'address'], /runs past the last address/],
  ['a value straddling half of another (Modicon off-by-one)', [{ name: 'a', address: 'HR0', type: 'float32' }, { name: 'b', address: '40002', type: 'float32' }], ['tags', 1, 'address'], /"b" \(HR1\.\.HR2\) and tag 0 "a" \(HR0\.\.HR1\) each take HR1 as part of a different value, which no device stores; check the address and type \(Modicon 40001 = HR0\)/],
  ['a string running into the middle of a float64', [{ name: 's', address: 'HR0', type: 'string', length: 6 }, { name: 'f', address: 'HR4', type: 'float64' }], ['tags', 1, 'address'], /each take HR4\.\.HR5 as part of a different value/],
  ['two writable tags encoding shared registers differently', [{ name: 'a', address: 'HR0', type: 'float32', order: 'CDAB', writable: true }, { name: 'b', address: 'HR0', type: 'float32', writable: true }], ['tags', 1, 'address'], /"b" \(HR0\.\.HR1\) and tag 0 "a" \(HR0\.\.HR1\) are both writable but encode the shared registers differently \(float32 ABCD vs float32 CDAB\).*make one of them writable: false, or give both the same type and order/],
  ['a writable word inside a writable 32-bit value', [{ name: 'a', address: 'HR0', type: 'uint32', writable: true }, { name: 'b', address: 'HR1', writable: true }], ['tags', 1, 'address'], /both writable but encode the shared registers differently \(uint16 ABCD vs uint32 ABCD\)/],
  ['writable int16 and uint16 views of one register', [{ name: 'a', address: 'HR0', type: 'int16', writable: true }, { name: 'b', address: '40001', writable: true }], ['tags', 1, 'address'], /\(uint16 ABCD vs int16 ABCD\)/],
]

for (const [what, tags, path, message] of tagErrors) {
  test(`parse - ${what} is an error at ${path.join('.')}`, () => {
    const found = errors(tags)
    const error = found.find((e) => JSON.stringify(e.path) === JSON.stringify(['devices', 0, ...path]))
    assert.ok(error, `no error at ${path.join('.')}: ${JSON.stringify(found)}`)
    assert.match(error.message, message)
  })
}

test('parse - tags may share registers: a status word and its bits, two scalings, a Modicon alias, a word of a wider value', () => {
  const tags = [
    { name: 'Status', address: 'HR3', writable: true },
    { name: 'Status/Run', address: 'HR3.0', writable: true },
    { name: 'Status/Fault', address: '40004.2', writable: true },
    { name: 'Status/Fault again', address: 'HR3.2' },
    { name: 'Level/m', address: 'HR20', scale: 0.01, writable: true },
    { name: 'Level/cm', address: '40021', writable: true },
    { name: 'Flow', address: 'HR10', type: 'float32', order: 'CDAB', writable: true },
    { name: 'Flow/as ABCD', address: 'HR10', type: 'float32' },
    { name: 'Flow/low word', address: 'HR10', type: 'uint16' },
    { name: 'Flow/high word bit 15', address: 'HR11.15' },
    { name: 'Energy', address: 'HR40', type: 'uint64', writable: true },
    { name: 'Energy/kWh', address: '400041', type: 'uint64', order: 'ABCDEFGH', writable: true },
    { name: 'Model', address: 'HR50', type: 'string', length: 8, writable: true },
    { name: 'Model/first word', address: 'HR50' },
    { name: 'Word16 swapped', address: 'HR60', type: 'int16', order: 'BADC', writable: true },
    { name: 'Word16 little-endian', address: 'HR60', type: 'int16', order: 'DCBA', writable: true },
    { name: 'Valve', address: 'CO5', writable: true },
    { name: 'Valve alias', address: '00006', writable: true },
    { name: 'Same number, other table', address: 'IR3' },
  ]
  const points = parsed({ driver: 'modbus-tcp', connection: tcp, tags }).points
  assert.deepEqual(points.map((p) => p.name), tags.map((t) => t.name))
})

test('parse - every error is reported at once', () => {
  const found = errors([{ name: 'a', address: 'nope' }, { name: 'b', address: 'CO1', type: 'int32' }, { name: 'c', address: 'HR0', type: 'string' }], { host: 5, port: 70000, timeout: 'soon', colour: 'red' })
  const paths = found.map((e) => e.path.join('.'))
  for (const p of ['devices.0.tags.0.address', 'devices.0.tags.1.type', 'devices.0.tags.2.length', 'devices.0.connection.host', 'devices.0.connection.port', 'devices.0.connection.timeout', 'devices.0.connection.colour']) {
    assert.ok(paths.includes(p), `${p} missing from ${paths.join(', ')}`)
  }
})

test('parse - connection errors say what was expected', () => {
  const byPath = (found: ConfigError[], key: string) => found.find((e) => e.path.at(-1) === key)?.message ?? ''
  const rtu = errors([{ name: 'a', address: 'HR0' }], { baudRate: 'fast', parity: 'mark', dataBits: 6, stopBits: 3, unitId: 248 }, 'modbus-rtu')
  assert.match(byPath(rtu, 'port'), /required: the serial device, e\.g\. port: \/dev\/ttyUSB0/)
  assert.match(byPath(rtu, 'parity'), /expected one of none \| even \| odd/)
  assert.match(byPath(rtu, 'dataBits'), /expected one of 7 \| 8/)
  assert.match(byPath(rtu, 'stopBits'), /expected one of 1 \| 2/)
  assert.match(byPath(rtu, 'unitId'), /expected an integer 1\.\.247/)
  const tcpErrors = errors([{ name: 'a', address: 'HR0' }], { host: 'h', maxRegistersPerRead: 126, timeout: 5 })
  assert.match(byPath(tcpErrors, 'maxRegistersPerRead'), /expected an integer 1\.\.125/)
  assert.match(byPath(tcpErrors, 'timeout'), /expected a duration/)
})

test('parse - a string longer than maxRegistersPerRead is an error', () => {
  const found = errors([{ name: 'a', address: 'HR0', type: 'string', length: 20 }], { host: 'h', maxRegistersPerRead: 10 })
  assert.match(found[0].message, /spans 20 registers, more than maxRegistersPerRead \(10\)/)
})

const device = (file: string, deviceId: string, driver: string, connection: unknown) =>
  ({ file, deviceId, config: parsed({ driver, connection, tags: [{ name: 'x', address: 'HR0' }] }) })

test('checkTogether - two devices with one unit id on one serial port is an error naming both files', () => {
  const found = modbusModule.checkTogether!([
    device('/etc/d/a.yaml', 'A', 'modbus-rtu', { port: '/dev/ttyUSB0', unitId: 3 }),
    device('/etc/d/b.yaml', 'B', 'modbus-rtu', { port: '/dev/ttyUSB1', unitId: 3 }),
    device('/etc/d/c.yaml', 'C', 'modbus-rtu', { port: '/dev/ttyUSB0', unitId: 3 }),
  ])
  assert.equal(found.length, 1)
  assert.equal(found[0].file, '/etc/d/c.yaml')
  assert.deepEqual(found[0].path, ['connection', 'unitId'])
  assert.match(found[0].message, /unit id 3 on serial port \/dev\/ttyUSB0 is already used by device "A" \(\/etc\/d\/a\.yaml\)/)
})

test('checkTogether - one unit id twice on a shared TCP connection is an error; without sharing it is not', () => {
  const shared = { host: '10.0.0.5', unitId: 2, sharedConnection: true }
  assert.equal(modbusModule.checkTogether!([device('a', 'A', 'modbus-tcp', shared), device('b', 'B', 'modbus-tcp', shared)]).length, 1)
  const own = { host: '10.0.0.5', unitId: 2 }
  assert.deepEqual(modbusModule.checkTogether!([device('a', 'A', 'modbus-tcp', own), device('b', 'B', 'modbus-tcp', own)]), [])
})

test('checkTogether - devices on one serial port with different line settings is an error', () => {
  const found = modbusModule.checkTogether!([
    device('a.yaml', 'A', 'modbus-rtu', { port: '/dev/ttyUSB0', unitId: 1, baudRate: 9600 }),
    device('b.yaml', 'B', 'modbus-rtu', { port: '/dev/ttyUSB0', unitId: 2, baudRate: 19200 }),
  ])
  assert.equal(found.length, 1)
  assert.match(found[0].message, /19200 baud 8N1 here but 9600 baud 8N1 by device "A" \(a\.yaml\)/)
})
