/**
 * Golden table: every OPC UA built-in type as node-opcua delivers it -> the Sparkplug datatype and
 * value the gateway publishes, and values to write -> what node-opcua's Variant takes.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { fromOpcua, type OpcuaTypeName, parseTypeName, severity, sparkplugTypeOf, toOpcua } from '../../../drivers/opcua/types.js'
import { nodeIdProblem } from '../../../drivers/opcua/node-id.js'

const golden: readonly [OpcuaTypeName, unknown, SparkplugType, Value][] = [
  ['Boolean', true, 'Boolean', true],
  ['SByte', -128, 'Int8', -128],
  ['Byte', 255, 'UInt8', 255],
  ['Int16', -32768, 'Int16', -32768],
  ['UInt16', 65535, 'UInt16', 65535],
  ['Int32', -2147483648, 'Int32', -2147483648],
  ['UInt32', 4294967295, 'UInt32', 4294967295],
  // node-opcua's 64-bit integers are [high, low] words; beyond 2^53 nothing may be lost.
  ['Int64', [0xffdfffff, 0xffffffff], 'Int64', -9007199254740993n],
  ['Int64', [0x7fffffff, 0xffffffff], 'Int64', 9223372036854775807n],
  ['UInt64', [0xffffffff, 0xffffffff], 'UInt64', 18446744073709551615n],
  ['Float', 1.5, 'Float', 1.5],
  ['Double', -0.1, 'Double', -0.1],
  ['String', 'Kessel 1', 'String', 'Kessel 1'],
  ['DateTime', new Date('2024-05-06T07:08:09.123Z'), 'DateTime', 1714979289123n],
  ['Guid', '72962B91-FA75-4AE6-8D28-B404DC7DAF63', 'UUID', '72962B91-FA75-4AE6-8D28-B404DC7DAF63'],
  ['ByteString', Buffer.from([0, 1, 255]), 'Bytes', new Uint8Array([0, 1, 255])],
  ['XmlElement', '<a>1</a>', 'String', '<a>1</a>'],
  ['NodeId', { toString: () => 'ns=2;s=X' }, 'String', 'ns=2;s=X'],
  ['StatusCode', { value: 0x808c0000 }, 'UInt32', 0x808c0000],
  ['QualifiedName', { namespaceIndex: 2, name: 'Valve' }, 'String', '2:Valve'],
  ['QualifiedName', { namespaceIndex: 0, name: 'Server' }, 'String', 'Server'],
  ['LocalizedText', { text: 'Druck', locale: 'de' }, 'String', 'Druck'],
]

for (const [base, raw, type, value] of golden) {
  test(`OPC UA ${base} ${JSON.stringify(raw, (_, v) => (typeof v === 'bigint' ? String(v) : v))} -> ${type}`, () => {
    assert.equal(sparkplugTypeOf({ base, array: false }), type)
    assert.deepEqual(fromOpcua(raw, { base, array: false }, type), { ok: true, value })
  })
}

test('arrays map to the Sparkplug 3.0 array types, elements converted one by one', () => {
  assert.equal(sparkplugTypeOf({ base: 'Double', array: true }), 'DoubleArray')
  assert.equal(sparkplugTypeOf({ base: 'LocalizedText', array: true }), 'StringArray')
  assert.equal(sparkplugTypeOf({ base: 'ByteString', array: true }), null)
  assert.deepEqual(fromOpcua(new Float64Array([1.5, 2.5]), { base: 'Double', array: true }, 'DoubleArray'), { ok: true, value: [1.5, 2.5] })
  assert.deepEqual(fromOpcua([[0, 1], [0xffffffff, 0xffffffff]], { base: 'Int64', array: true }, 'Int64Array'), { ok: true, value: [1n, -1n] })
  assert.deepEqual(fromOpcua([new Date(5)], { base: 'DateTime', array: true }, 'DateTimeArray'), { ok: true, value: [5n] })
})

test('a declared type wins, and a value it cannot hold is refused, never wrapped or truncated', () => {
  assert.deepEqual(fromOpcua(300, { base: 'Int32', array: false }, 'Double'), { ok: true, value: 300 })
  assert.deepEqual(fromOpcua(7, { base: 'Int32', array: false }, 'Int64'), { ok: true, value: 7n })
  const wide = fromOpcua(70000, { base: 'Int32', array: false }, 'Int16')
  assert.equal(wide.ok, false)
  assert.match((wide as { message: string }).message, /70000 does not fit Int16: outside -32768\.\.32767/)
  assert.equal(fromOpcua(1.5, { base: 'Double', array: false }, 'Int32').ok, false)
  assert.equal(fromOpcua([1, 2], { base: 'Int32', array: true }, 'Int32').ok, false)
})

test('values to write become what node-opcua takes, refused when they do not fit the node', () => {
  assert.deepEqual(toOpcua(-1n, { base: 'Int64', array: false }), { ok: true, value: -1n, opcua: [0xffffffff, 0xffffffff] })
  assert.deepEqual(toOpcua(1714979289123n, { base: 'DateTime', array: false }).opcua, new Date(1714979289123))
  assert.deepEqual(toOpcua('Hallo', { base: 'LocalizedText', array: false }).opcua, { text: 'Hallo' })
  assert.deepEqual(toOpcua([1, 2], { base: 'Int16', array: true }).opcua, [1, 2])
  assert.equal(toOpcua(-1, { base: 'UInt16', array: false }).ok, false)
  assert.equal(toOpcua(40000, { base: 'Int16', array: false }).ok, false)
  assert.equal(toOpcua(5, { base: 'Double', array: true }).ok, false)
})

test('status code severity: Good, Uncertain, Bad from the top two bits', () => {
  assert.equal(severity(0), 'good')
  assert.equal(severity(0x40920000), 'uncertain')
  assert.equal(severity(0x808c0000), 'bad')
})

test('type names as written in a tag file, case-insensitive, [] for arrays', () => {
  assert.deepEqual(parseTypeName('double[]'), { base: 'Double', array: true })
  assert.deepEqual(parseTypeName('UInt64'), { base: 'UInt64', array: false })
  assert.equal(parseTypeName('Real'), null)
})

test('node ids: the four id forms with ns= or nsu=, and what is wrong otherwise', () => {
  for (const ok of ['i=2258', 'ns=2;s=Press4.Pressure', 'ns=3;i=1001', 'ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63', 'ns=1;b=M/RbKBsRVkePCePcx24oRA==', 'nsu=urn:x:y;s=A']) {
    assert.equal(nodeIdProblem(ok), null, ok)
  }
  assert.match(nodeIdProblem('ns=2;Press4')!, /is not a node id: expected ns=/)
  assert.match(nodeIdProblem('ns=2;i=99999999999')!, /0\.\.4294967295/)
  assert.match(nodeIdProblem('ns=1;b=abc')!, /base64/)
  assert.match(nodeIdProblem('ns=99999;i=1')!, /above 65535/)
})
