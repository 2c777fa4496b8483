import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeRegisters } from '../../../drivers/modbus/encode.js'
import type { DataType } from '../../../drivers/modbus/types.js'
import type { Value } from '../../../gateway/model/value.js'

const encode = (type: DataType, value: Value, count = { int16: 1, uint16: 1, int32: 2, uint32: 2, int64: 4, uint64: 4, float32: 2, float64: 4 }[type as 'int16'] ?? 2) =>
  encodeRegisters({ type, order: 'ABCD', stringOrder: 'AB', count }, value)

const refusals: [DataType, Value, RegExp][] = [
  ['int16', 32768, /outside the int16 range -32768\.\.32767/],
  ['int16', -32769, /outside the int16 range/],
  ['uint16', -1, /outside the uint16 range 0\.\.65535/],
  ['uint16', 65536, /outside the uint16 range/],
  ['int32', 2 ** 31, /outside the int32 range/],
  ['uint32', 2 ** 32, /outside the uint32 range/],
  ['int64', 2n ** 63n, /outside the int64 range/],
  ['uint64', 2n ** 64n, /outside the uint64 range 0\.\.18446744073709551615/],
  ['uint64', -1n, /outside the uint64 range/],
  ['int64', 2 ** 60, /needs an integer/],
  ['int16', 1.5, /int16 needs an integer, got 1\.5/],
  ['int16', 'x', /needs an integer, got "x"/],
  ['float32', Infinity, /finite number/],
  ['float32', NaN, /finite number/],
  ['float32', 1e39, /outside the float32 range/],
  ['float64', true, /float64 needs a finite number, got true/],
  ['string', 42, /string needs a string/],
  ['boolean', true, /a boolean lives in a coil or a register bit, not whole registers/],
  ['int16', [1, 2], /int16 needs an integer, got an array/],
  ['float64', 1n, /float64 needs a finite number, got 1/],
]

for (const [type, value, message] of refusals) {
  test(`encode - ${type} refuses ${typeof value === 'bigint' ? `${value}n` : String(value)}`, () => {
    const result = encode(type, value)
    assert.equal(result.ok, false)
    assert.match(result.ok ? '' : result.message, message)
  })
}

test('encode - a string longer than its registers is refused, naming both sizes', () => {
  const result = encodeRegisters({ type: 'string', order: 'ABCD', stringOrder: 'AB', count: 2 }, 'Hello')
  assert.equal(result.ok, false)
  assert.match(result.ok ? '' : result.message, /takes 5 bytes; the tag holds 4/)
})

test('encode - a short string is padded with NULs', () => {
  assert.deepEqual(encodeRegisters({ type: 'string', order: 'ABCD', stringOrder: 'AB', count: 2 }, 'A'), { ok: true, words: [0x4100, 0] })
})

test('encode - int64 accepts a safe-integer number as well as a bigint', () => {
  assert.deepEqual(encode('int64', -2), { ok: true, words: [0xffff, 0xffff, 0xffff, 0xfffe] })
})
