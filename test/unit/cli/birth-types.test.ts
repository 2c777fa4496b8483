import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BirthTypes } from '../../../gateway/cli/birth-types.js'
import { decodePayload, encodePayload } from '../../../gateway/sparkplug/codec.js'
import { wirePayload } from '../../../gateway/sparkplug/codec-wire.js'
import type { Payload } from '../../../gateway/sparkplug/payload.js'

const wire = (p: Payload) => decodePayload(encodePayload(p, { uint32Field: 'long_value' }))

test('birth types - a negative Int16 in DDATA (no datatype on the wire) shows as negative once the DBIRTH was seen', () => {
  const types = new BirthTypes()
  types.apply('spBv1.0/G/NBIRTH/E', wire({ metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 0n }] }))
  types.apply('spBv1.0/G/DBIRTH/E/D', wire({ metrics: [{ name: 'Level', alias: 7, datatype: 'Int16', value: 3 }, { name: 'T', alias: 8, datatype: 'Int8', value: 1 }] }))
  const data = wire({ metrics: [{ alias: 7, valueType: 'Int16', value: -1 }, { alias: 8, valueType: 'Int8', value: -128 }] })
  assert.equal(data.metrics[0]!.value, 4294967295) // what a viewer without the birth would print
  types.apply('spBv1.0/G/DDATA/E/D', data)
  assert.deepEqual(data.metrics.map((m) => [m.value, m.datatype]), [[-1, 'Int16'], [-128, 'Int8']])
})

test('birth types - data of a node whose NBIRTH was not seen is left as decoded', () => {
  const types = new BirthTypes()
  const data = wire({ metrics: [{ alias: 7, valueType: 'Int16', value: -1 }] })
  types.apply('spBv1.0/G/DDATA/E/D', data)
  assert.equal(data.metrics[0]!.datatype, undefined)
})

test('birth types - a DATA value that does not fit its birth type shows as sent, not wrapped into range', () => {
  const types = new BirthTypes()
  types.apply('spBv1.0/G/NBIRTH/E', wire({ metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 0n }] }))
  types.apply('spBv1.0/G/DBIRTH/E/D', wire({ metrics: [{ name: 'Level', alias: 7, datatype: 'Int16', value: 3 }, { name: 'Count', alias: 8, datatype: 'Int64', value: 1n }] }))
  // alias 7 int_value 70000, alias 8 long_value 2^64-1: as a host's protobuf library puts them on the wire.
  const data = decodePayload(wirePayload.encode({ metrics: [{ alias: 7, intValue: 70000 }, { alias: 8, longValue: { low: -1, high: -1 } }] }).finish())
  types.apply('spBv1.0/G/DDATA/E/D', data)
  assert.deepEqual(data.metrics.map((m) => [m.value, m.datatype]), [[70000, 'Int16'], [-1n, 'Int64']])
})
