import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodePayload, encodePayload } from '../../../gateway/sparkplug/codec.js'
import { fromHex, loadVectors, toHex } from './codec-vectors.js'

const vectors = loadVectors()

test('codec - golden vector files hold every datatype of the specification', () => {
  const seen = new Set<string>()
  const walk = (metrics: readonly { datatype?: string; value?: unknown }[]): void => {
    for (const m of metrics) {
      if (m.datatype) seen.add(m.datatype)
      const v = m.value as { kind?: string; metrics?: typeof metrics } | undefined
      if (v?.kind === 'Template' && v.metrics) walk(v.metrics)
    }
  }
  for (const v of vectors) walk(v.payload.metrics)
  const metricTypes = ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double',
    'Boolean', 'String', 'DateTime', 'Text', 'UUID', 'DataSet', 'Bytes', 'File', 'Template',
    'Int8Array', 'Int16Array', 'Int32Array', 'Int64Array', 'UInt8Array', 'UInt16Array', 'UInt32Array', 'UInt64Array',
    'FloatArray', 'DoubleArray', 'BooleanArray', 'StringArray', 'DateTimeArray']
  assert.deepEqual(metricTypes.filter((t) => !seen.has(t)), [])
})

for (const v of vectors) {
  test(`codec - ${v.title} encodes to its golden bytes (${v.file})`, () => {
    assert.equal(toHex(encodePayload(v.payload, v.options)), v.hex)
  })
  test(`codec - ${v.title} decodes from its golden bytes (${v.file})`, () => {
    assert.deepEqual(decodePayload(fromHex(v.hex)), v.decoded)
  })
}
