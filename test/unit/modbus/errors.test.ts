import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DriverError } from '../../../drivers/driver.js'
import { toDriverError } from '../../../drivers/modbus/errors.js'

// Errors shaped as modbus-serial 8 makes them (index.js: TransactionTimedOutError, PortNotOpenError, exceptions).
const cases: [string, unknown, string][] = [
  ['a transaction timeout (errno ETIMEDOUT)', { name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' }, 'timeout'],
  ['a socket-level timeout message', new Error('TCP Connection Timed Out'), 'timeout'],
  ['Port Not Open', { name: 'PortNotOpenError', message: 'Port Not Open', errno: 'ECONNREFUSED' }, 'connection'],
  ['ECONNREFUSED from the socket', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111 }), 'connection'],
  ['a vanished serial device', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'), 'connection'],
  ['exception 1 (illegal function)', Object.assign(new Error('Modbus exception 1'), { modbusCode: 1 }), 'rejected'],
  ['exception 2 (illegal data address)', Object.assign(new Error('Modbus exception 2'), { modbusCode: 2 }), 'rejected'],
  ['exception 3 (illegal data value)', Object.assign(new Error('Modbus exception 3'), { modbusCode: 3 }), 'rejected'],
  ['exception 4 (device failure)', Object.assign(new Error('Modbus exception 4'), { modbusCode: 4 }), 'rejected'],
  ['exception 6 (busy)', Object.assign(new Error('Modbus exception 6'), { modbusCode: 6 }), 'busy'],
  ['exception 11 (gateway target did not respond)', Object.assign(new Error('Modbus exception 11'), { modbusCode: 11 }), 'timeout'],
  ['a CRC error', new Error('CRC error'), 'decode'],
  ['a short reply', new Error('Data length error, expected 9 got 7'), 'decode'],
  ['a reply from the wrong unit', new Error('Unexpected data error, expected address 1 got 9'), 'decode'],
  ['a thrown non-error', 'boom', 'connection'],
]

for (const [what, err, kind] of cases) {
  test(`errors - ${what} maps to '${kind}'`, () => {
    const mapped = toDriverError(err, 'read HR0..HR9')
    assert.ok(mapped instanceof DriverError)
    assert.equal(mapped.kind, kind)
    assert.match(mapped.message, /^read HR0\.\.HR9: /)
    assert.equal(mapped.cause, err)
  })
}

test('errors - an exception message names the code and its meaning', () => {
  const mapped = toDriverError(Object.assign(new Error('x'), { modbusCode: 2 }), 'read HR5')
  assert.equal(mapped.message, 'read HR5: device answered exception 2 (illegal data address)')
})

test('errors - a DriverError passes through unchanged', () => {
  const original = new DriverError('busy', 'x')
  assert.equal(toDriverError(original, 'y'), original)
})
