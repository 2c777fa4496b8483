import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseAddress } from '../../../drivers/modbus/address.js'

const good: [unknown, string, number, number?][] = [
  ['HR100', 'HR', 100],
  ['hr0', 'HR', 0],
  ['CO5', 'CO', 5],
  ['DI65535', 'DI', 65535],
  ['IR7', 'IR', 7],
  ['40001', 'HR', 0],
  [40001, 'HR', 0],
  ['40101', 'HR', 100],
  ['00001', 'CO', 0],
  [1, 'CO', 0],
  ['10001', 'DI', 0],
  [30011, 'IR', 10],
  ['49999', 'HR', 9998],
  ['400001', 'HR', 0],
  [465536, 'HR', 65535],
  ['065536', 'CO', 65535],
  ['300101', 'IR', 100],
  ['HR100.3', 'HR', 100, 3],
  ['40101.15', 'HR', 100, 15],
  ['IR2.0', 'IR', 2, 0],
  [' HR1 ', 'HR', 1],
]

for (const [raw, table, offset, bit] of good) {
  test(`address - ${JSON.stringify(raw)} is ${table}${offset}${bit === undefined ? '' : `.${bit}`}`, () => {
    assert.deepEqual(parseAddress(raw), { ok: true, address: bit === undefined ? { table, offset } : { table, offset, bit } })
  })
}

const bad: [unknown, RegExp][] = [
  ['HR', /expected an address like HR100/],
  ['XY100', /got "XY100"/],
  ['HR65536', /out of range 0\.\.65535/],
  ['40000', /1\.\.9999 \(1-based\)/],
  ['400000', /1\.\.65536/],
  ['465537', /1\.\.65536/],
  ['20001', /start with 0 \(coil\), 1 \(discrete input\), 3 \(input register\) or 4/],
  ['HR1.16', /bit 16 is out of range 0\.\.15/],
  ['CO1.2', /only registers \(IR, HR\) have bits/],
  [40101.3, /register bits must be text/],
  [undefined, /got nothing/],
  [true, /got true/],
  ['4000001', /expected an address/],
]

for (const [raw, message] of bad) {
  test(`address - ${JSON.stringify(raw) ?? 'undefined'} is refused with a message saying what was expected`, () => {
    const result = parseAddress(raw)
    assert.equal(result.ok, false)
    assert.match(result.ok ? '' : result.message, message)
  })
}
