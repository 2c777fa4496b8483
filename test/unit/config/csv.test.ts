import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCsv } from '../../../gateway/config/csv.js'

test('csv - header keys name the columns; empty cells are absent; numbers and booleans convert', () => {
  const csv = parseCsv('name,address,scale,writable,units\nFlow,HR1,0.1,TRUE,\nLevel,HR2,,false,m\n')
  assert.deepEqual(csv.errors, [])
  assert.deepEqual(csv.rows, [
    { name: 'Flow', address: 'HR1', scale: 0.1, writable: true },
    { name: 'Level', address: 'HR2', writable: false, units: 'm' },
  ])
})

test('csv - addresses stay text (00001 keeps its zeros, 40022.10 is not bit 1); other numbers become numbers', () => {
  const csv = parseCsv('name,address,scale\nA,00001,0.5\nB,40001,2\nC,"000123",\nD,40022.10,"-1"\n')
  assert.deepEqual(csv.rows.map((r) => r.address), ['00001', '40001', '000123', '40022.10'])
  assert.deepEqual(csv.rows.map((r) => r.scale), [0.5, 2, undefined, -1])
})

test('csv - quoted cells hold commas, doubled quotes and newlines', () => {
  const csv = parseCsv('name,description\r\n"Flow, inlet","the ""main"" one"\r\n"Multi","line 1\nline 2"\r\n')
  assert.deepEqual(csv.rows, [
    { name: 'Flow, inlet', description: 'the "main" one' },
    { name: 'Multi', description: 'line 1\nline 2' },
  ])
})

test('csv - semicolon-separated exports and a byte order mark are read', () => {
  assert.deepEqual(parseCsv('\uFEFFname;address\nA;HR1\n').rows, [{ name: 'A', address: 'HR1' }])
})

test('csv - positions name the row line and the column of each cell, across multi-line cells', () => {
  const csv = parseCsv('name,address\n"two\nlines",HR1\nB,HR2\n')
  assert.deepEqual(csv.locate([0, 'address']), { line: 3, col: 8 })
  assert.deepEqual(csv.locate([1, 'address']), { line: 4, col: 3 })
  assert.deepEqual(csv.locate([1]), { line: 4, col: 1 })
  assert.deepEqual(csv.header('address'), { line: 1, col: 6 })
})

test('csv - broken rows are errors at their own line and column', () => {
  const csv = parseCsv('name,name,address\nA,B,HR1,extra\n"open\n')
  assert.deepEqual(csv.errors, [
    { line: 3, col: 1, message: 'unterminated quoted cell: a " opens it but none closes it' },
    { line: 1, col: 6, message: "column 'name' appears twice in the header row" },
    { line: 2, col: 9, message: 'this row has more cells than the header has columns (3)' },
  ])
})
