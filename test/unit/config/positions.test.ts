import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseYaml } from '../../../gateway/config/positions.js'

const text = `device: Boiler1
connection: { host: plc, port: 502 }
tags:
  - name: A
    address: 00001
  - { name: B, address: HR2 }
`

test('positions - a path locates the key it names, or the list item', () => {
  const doc = parseYaml(text)
  assert.deepEqual(doc.locate(['connection', 'port']), { line: 2, col: 26 })
  assert.deepEqual(doc.locate(['tags', 0, 'address']), { line: 5, col: 5 })
  assert.deepEqual(doc.locate(['tags', 1]), { line: 6, col: 5 })
  assert.deepEqual(doc.locate(['tags', 1, 'address']), { line: 6, col: 16 })
})

test('positions - a path to a missing key locates its nearest written parent', () => {
  const doc = parseYaml(text)
  assert.deepEqual(doc.locate(['tags', 0, 'type']), { line: 4, col: 5 })
  assert.deepEqual(doc.locate(['driver']), { line: 1, col: 1 })
})

test('positions - numbers with leading zeros keep their digits (Modicon addresses)', () => {
  const value = parseYaml(text).value as { tags: { address: unknown }[] }
  assert.equal(value.tags[0].address, '00001')
  assert.equal((parseYaml('port: 502').value as { port: unknown }).port, 502)
})

test('positions - a duplicate key is an error at the second occurrence', () => {
  assert.deepEqual(parseYaml('a: 1\nb: 2\na: 3\n').errors, [{ line: 3, col: 1, message: "duplicate key 'a': each key may appear once in a map" }])
})

test('positions - a syntax error carries its line and column and a message without the code frame', () => {
  const errors = parseYaml('a: [1, 2\nb: 3\n').errors
  assert.equal(errors.length, 1)
  assert.deepEqual({ line: errors[0].line, col: errors[0].col }, { line: 2, col: 1 })
  assert.doesNotMatch(errors[0].message, /\n|at line/)
})

test('positions - JSON is read as the YAML subset it is', () => {
  const doc = parseYaml('{\n  "device": "A",\n  "tags": [{"name": "x"}]\n}')
  assert.deepEqual(doc.value, { device: 'A', tags: [{ name: 'x' }] })
  assert.deepEqual(doc.locate(['tags', 0, 'name']), { line: 3, col: 13 })
})
