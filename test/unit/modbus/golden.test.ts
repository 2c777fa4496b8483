import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeRegisters } from '../../../drivers/modbus/decode.js'
import { encodeRegisters } from '../../../drivers/modbus/encode.js'
import type { ByteOrder, DataType } from '../../../drivers/modbus/types.js'
import { dataTypes } from '../../../drivers/modbus/types.js'
import type { Value } from '../../../gateway/model/value.js'

interface Case {
  type: DataType
  order?: string
  length?: number
  stringOrder?: 'AB' | 'BA'
  bit?: number
  words: string[]
  value: number | string | boolean
}

const file = fileURLToPath(new URL('../../../../test/cases/modbus/registers.json', import.meta.url))
const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] }
const orders64: Record<string, ByteOrder> = { ABCDEFGH: 'ABCD', BADCFEHG: 'BADC', GHEFCDAB: 'CDAB', HGFEDCBA: 'DCBA' }

const pointOf = (c: Case) => ({
  type: c.type,
  order: orders64[c.order ?? ''] ?? ((c.order ?? 'ABCD') as ByteOrder),
  stringOrder: c.stringOrder ?? 'AB',
  bit: c.bit,
  count: c.words.length,
})
const expected = (c: Case): Value => (c.type === 'int64' || c.type === 'uint64' ? BigInt(c.value as string) : c.value)
const words = (c: Case): number[] => c.words.map((w) => parseInt(w, 16))
const title = (c: Case): string =>
  `${c.type}${c.bit === undefined ? '' : `.${c.bit}`} ${c.order ?? c.stringOrder ?? ''} ${JSON.stringify(String(c.value))} <-> [${c.words.join(' ')}]`

test('golden vectors - the file covers every numeric type in every order', () => {
  for (const type of ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'] as const) {
    const orders = new Set(cases.filter((c) => c.type === type).map((c) => pointOf(c).order))
    assert.deepEqual([...orders].sort(), ['ABCD', 'BADC', 'CDAB', 'DCBA'], type)
  }
  assert.ok(cases.some((c) => c.type === 'uint64' && c.value === '18446744073709551615'))
  assert.ok(cases.some((c) => c.type === 'string') && cases.some((c) => c.bit !== undefined))
})

for (const c of cases) {
  test(`decode - ${title(c)}`, () => {
    assert.deepEqual(decodeRegisters(pointOf(c), words(c)), expected(c))
  })
  if (c.bit === undefined) {
    test(`encode - ${title(c)}`, () => {
      const result = encodeRegisters(pointOf(c), expected(c))
      assert.ok(result.ok, result.ok ? '' : result.message)
      assert.deepEqual(result.words, words(c))
    })
  }
}

test('golden vectors - every numeric type has the register count its width implies', () => {
  for (const c of cases.filter((c) => c.type !== 'string' && c.type !== 'boolean')) {
    assert.equal(c.words.length, dataTypes[c.type].registers, title(c))
  }
})
