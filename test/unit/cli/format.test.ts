import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatMessage, isStateTopic } from '../../../gateway/cli/format.js'
import type { Payload } from '../../../gateway/sparkplug/payload.js'

const T = Date.UTC(2024, 0, 2, 3, 4, 5, 6)

const nbirth: Payload = {
  timestamp: T,
  seq: 0,
  metrics: [
    { name: 'bdSeq', timestamp: T, datatype: 'Int64', value: 7n },
    { name: 'Node Control/Rebirth', timestamp: T, datatype: 'Boolean', value: false },
    { name: 'Temperature', alias: 3, timestamp: T - 1000, datatype: 'Float', isHistorical: true, value: 21.5,
      properties: { Quality: { type: 'Int32', value: 192 }, engUnit: { type: 'String', value: 'degC' } } },
    { name: 'Raw', datatype: 'Bytes', value: new Uint8Array([0xde, 0xad]) },
    { alias: 4, datatype: 'Int32', isNull: true },
  ],
}

test('format - a birth shows topic, seq, ISO timestamp, bdSeq and one line per metric', () => {
  const text = formatMessage('spBv1.0/Plant1/NBIRTH/edge1', nbirth, { json: false })
  assert.equal(text, [
    'spBv1.0/Plant1/NBIRTH/edge1  seq=0  2024-01-02T03:04:05.006Z  bdSeq=7',
    '  bdSeq Int64 = 7',
    '  Node Control/Rebirth Boolean = false',
    '  Temperature (3) Float = 21.5 @2024-01-02T03:04:04.006Z [historical] {Quality=192, engUnit="degC"}',
    '  Raw Bytes = 2 bytes dead',
    '  (4) Int32 = null',
  ].join('\n'))
})

test('format - JSON form is one line with bigint as string and bytes as hex', () => {
  const line = formatMessage('spBv1.0/Plant1/NBIRTH/edge1', nbirth, { json: true })
  assert.ok(!line.includes('\n'))
  const parsed = JSON.parse(line) as { topic: string; payload: { seq: number; metrics: { value?: unknown }[] } }
  assert.equal(parsed.topic, 'spBv1.0/Plant1/NBIRTH/edge1')
  assert.equal(parsed.payload.seq, 0)
  assert.equal(parsed.payload.metrics[0].value, '7')
  assert.equal(parsed.payload.metrics[3].value, 'dead')
})

test('format - STATE topics show their JSON, not a decode error', () => {
  const bytes = new TextEncoder().encode(JSON.stringify({ online: true, timestamp: T }))
  assert.ok(isStateTopic('spBv1.0/STATE/scada'))
  assert.equal(formatMessage('spBv1.0/STATE/scada', null, { json: false, bytes, retain: true }),
    'spBv1.0/STATE/scada  (retained)  STATE online=true  2024-01-02T03:04:05.006Z')
  assert.deepEqual(JSON.parse(formatMessage('spBv1.0/STATE/scada', null, { json: true, bytes })),
    { topic: 'spBv1.0/STATE/scada', state: { online: true, timestamp: T } })
  const text = new TextEncoder().encode('ONLINE')
  assert.equal(formatMessage('spBv1.0/STATE/old', null, { json: false, bytes: text }), 'spBv1.0/STATE/old  STATE (not JSON) "ONLINE"')
})

test('format - an undecodable payload is one line with its byte count and the reason', () => {
  const bytes = new Uint8Array(11)
  assert.equal(formatMessage('spBv1.0/G/NDATA/e', null, { json: false, bytes, error: 'invalid wire type' }),
    'spBv1.0/G/NDATA/e  not a Sparkplug B payload (11 bytes): invalid wire type')
  assert.deepEqual(JSON.parse(formatMessage('spBv1.0/G/NDATA/e', null, { json: true, bytes, error: 'x' })),
    { topic: 'spBv1.0/G/NDATA/e', error: 'x', bytes: 11 })
})

test('format - arrays, DateTime, DataSet and Template members are readable', () => {
  const payload: Payload = {
    metrics: [
      { name: 'when', datatype: 'DateTime', value: BigInt(T) },
      { name: 'list', datatype: 'StringArray', value: ['a', 'b'] },
      { name: 'many', datatype: 'UInt8Array', value: Array.from({ length: 25 }, (_, i) => i) },
      { name: 'table', datatype: 'DataSet', value: { kind: 'DataSet', columns: ['id', 'ok'], types: ['Int16', 'Boolean'], rows: [[1, true]] } },
      { name: 'Motor', datatype: 'Template', value: { kind: 'Template', version: 'v1', isDefinition: true,
        metrics: [{ name: 'speed', datatype: 'Int32', value: 0 }], parameters: [{ name: 'rated', type: 'Float', value: 1.5 }] } },
      { name: 'limits', datatype: 'Int8', value: 1, properties: { l: { type: 'PropertySet', value: { low: { type: 'Int8', value: -5 } } } } },
    ],
  }
  assert.equal(formatMessage('spBv1.0/G/DBIRTH/e/d', payload, { json: false }), [
    'spBv1.0/G/DBIRTH/e/d',
    `  when DateTime = ${T} (2024-01-02T03:04:05.006Z)`,
    '  list StringArray = ["a", "b"]',
    '  many UInt8Array = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, … 5 more]',
    '  table DataSet = 1 rows × 2 columns',
    '      id:Int16 | ok:Boolean',
    '      1 | true',
    '  Motor Template = definition v1 (1 members)',
    '      parameter rated Float = 1.5',
    '      speed Int32 = 0',
    '  limits Int8 = 1 {l={low=-5}}',
  ].join('\n'))
})

test('format - a template instance in DDATA (alias only) shows as a tree under its instance, typed from the DBIRTH', async () => {
  const { BirthTypes } = await import('../../../gateway/cli/birth-types.js')
  const types = new BirthTypes()
  const instance = (metrics: Payload['metrics']) => ({ kind: 'Template' as const, isDefinition: false, templateRef: 'Pump', parameters: [], metrics })
  types.apply('spBv1.0/Plant1/NBIRTH/edge1', { timestamp: T, metrics: [] })
  types.apply('spBv1.0/Plant1/DBIRTH/edge1/St', { timestamp: T, metrics: [{ name: 'Pump3', alias: 9, datatype: 'Template', timestamp: T, value: instance([]) }] })
  const ddata: Payload = { timestamp: T, seq: 2, metrics: [{ alias: 9, timestamp: T, value: instance([
    { name: 'Motor', datatype: 'Template', timestamp: T, value: { ...instance([{ name: 'Current', datatype: 'Float', timestamp: T, value: 13 }]), templateRef: 'Motor' } },
  ]) }] }
  types.apply('spBv1.0/Plant1/DDATA/edge1/St', ddata)
  const lines = formatMessage('spBv1.0/Plant1/DDATA/edge1/St', ddata, { json: false }).split('\n')
  assert.match(lines[1]!, /^ {2}\(9\) Template = instance of Pump/)
  assert.match(lines[2]!, /^ {6}Motor Template = instance of Motor/)
  assert.equal(lines[3], '          Current Float = 13')
})
