/**
 * DataSet values: column names, Basic column types and rows whose cells use the value field of
 * their column's type. The format has no null cell, so a cell without a value is an error.
 */
import { PayloadError, withContext } from './codec-error.js'
import { readScalar, writeScalar, type Scalar } from './codec-values.js'
import type { WireDataSet, WireValue } from './codec-wire.js'
import { dataTypeCodes, dataTypeNames } from './datatypes.js'
import type { DataSet, DataTypeName } from './payload.js'

function basicCode(type: DataTypeName | undefined, column: number): number {
  const code = type === undefined ? undefined : dataTypeCodes[type]
  if (code === undefined || code < 1 || code > 14) {
    throw new PayloadError(`DataSet column ${column} has type ${String(type)}; columns take Basic types (Int8..Text)`)
  }
  return code
}

/** DataSet → wire. `uint32Long` puts UInt32 cells in long_value. Throws PayloadError naming row and column. */
export function encodeDataSet(ds: DataSet, uint32Long: boolean): WireDataSet {
  const width = ds.columns.length
  if (ds.types.length !== width) {
    throw new PayloadError(`DataSet has ${width} columns but ${ds.types.length} types`)
  }
  const codes = ds.types.map(basicCode)
  const rows = new Array<{ elements: WireValue[] }>(ds.rows.length)
  for (let r = 0; r < ds.rows.length; r++) {
    const row = ds.rows[r]
    if (row.length !== width) throw new PayloadError(`DataSet row ${r} has ${row.length} cells, expected ${width}`)
    const elements: WireValue[] = new Array(width)
    for (let c = 0; c < width; c++) {
      const cell: WireValue = {}
      try {
        writeScalar(cell, codes[c], row[c], uint32Long)
      } catch (error) {
        throw withContext(`DataSet row ${r} column '${ds.columns[c]}'`, error)
      }
      elements[c] = cell
    }
    rows[r] = { elements }
  }
  return { numOfColumns: width, columns: ds.columns, types: codes, rows }
}

/** Wire → DataSet. Throws PayloadError on a non-Basic column type, a ragged row or an empty cell. */
export function decodeDataSet(w: WireDataSet): DataSet {
  const width = w.columns.length
  if (w.types.length !== width) throw new PayloadError(`DataSet has ${width} columns but ${w.types.length} types`)
  const codes = w.types
  const types = codes.map((code, c) => dataTypeNames[basicCode(dataTypeNames[code], c)])
  const rows: Scalar[][] = new Array(w.rows.length)
  for (let r = 0; r < w.rows.length; r++) {
    const elements = w.rows[r].elements
    if (elements.length !== width) {
      throw new PayloadError(`DataSet row ${r} has ${elements.length} cells, expected ${width}`)
    }
    const row: Scalar[] = new Array(width)
    for (let c = 0; c < width; c++) {
      let value: Scalar | undefined
      try {
        value = readScalar(elements[c], codes[c])
      } catch (error) {
        throw withContext(`DataSet row ${r} column '${w.columns[c]}'`, error)
      }
      if (value === undefined) throw new PayloadError(`DataSet row ${r} column '${w.columns[c]}' has no value`)
      row[c] = value
    }
    rows[r] = row
  }
  return { kind: 'DataSet', columns: [...w.columns], types, rows }
}
