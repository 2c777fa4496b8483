import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dataTypeCode, dataTypeName, isArrayType, isBasicType, isDataTypeName, isSparkplugType } from '../../../gateway/sparkplug/datatypes.js'

test('datatypes - codes follow the specification enum', () => {
  assert.equal(dataTypeCode('Unknown'), 0)
  assert.equal(dataTypeCode('Int64'), 4)
  assert.equal(dataTypeCode('UInt32'), 7)
  assert.equal(dataTypeCode('DateTime'), 13)
  assert.equal(dataTypeCode('Template'), 19)
  assert.equal(dataTypeCode('PropertySetList'), 21)
  assert.equal(dataTypeCode('Int8Array'), 22)
  assert.equal(dataTypeCode('DateTimeArray'), 34)
  for (let code = 0; code <= 34; code++) assert.equal(dataTypeCode(dataTypeName(code) ?? 'Unknown'), code)
  assert.equal(dataTypeName(35), undefined)
})

test('datatypes - only the data-path types are SparkplugTypes', () => {
  assert.ok(isSparkplugType('Int8') && isSparkplugType('File') && isSparkplugType('UUID') && isSparkplugType('BooleanArray'))
  assert.ok(!isSparkplugType('Unknown') && !isSparkplugType('DataSet') && !isSparkplugType('Template'))
  assert.ok(!isSparkplugType('PropertySet') && !isSparkplugType('int8') && !isSparkplugType('toString'))
  assert.ok(isDataTypeName('PropertySetList') && !isDataTypeName('constructor'))
})

test('datatypes - Basic types are Int8..Text and arrays are codes 22..34', () => {
  assert.ok(isBasicType('Int8') && isBasicType('Text') && !isBasicType('UUID') && !isBasicType('Unknown'))
  assert.ok(isArrayType('Int8Array') && isArrayType('DateTimeArray') && !isArrayType('Bytes'))
})
