import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType } from '../../../gateway/model/value.js'
import { isNumericType, tagDefs } from '../../../gateway/normalise/tag-def.js'

const config = (name: string, extra: Partial<TagConfig> = {}): TagConfig => ({ name, pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...extra })
const one = (rawType: SparkplugType, extra: Partial<TagConfig> = {}) => tagDefs([config('t', extra)], [{ name: 't', type: rawType }])[0]!

test('tag-def - an unscaled tag keeps the driver type', () => {
  for (const type of ['Int16', 'UInt32', 'Int64', 'Float', 'Boolean', 'String'] as const) {
    const def = one(type)
    assert.deepEqual([def.rawType, def.type, def.scaled], [type, type, false])
  }
})

test('tag-def - scale 1 and offset 0 are no scaling', () => {
  assert.equal(one('Int16', { scale: 1, offset: 0 }).scaled, false)
  assert.equal(one('Int16', { scale: 1, offset: 0 }).type, 'Int16')
})

test('tag-def - a scaled integer becomes a Double', () => {
  for (const extra of [{ scale: 0.1 }, { offset: -40 }, { scale: 2, offset: 1 }]) {
    const def = one('UInt16', extra)
    assert.deepEqual([def.rawType, def.type, def.scaled], ['UInt16', 'Double', true])
  }
  assert.equal(one('Int64', { scale: 0.001 }).type, 'Double')
})

test('tag-def - a scaled Float stays a Float', () => {
  assert.deepEqual([one('Float', { scale: 10 }).type, one('Float', { scale: 10 }).scaled], ['Float', true])
})

test('tag-def - sparkplugType overrides the derived type', () => {
  assert.equal(one('UInt16', { scale: 0.1, sparkplugType: 'Float' }).type, 'Float')
  assert.equal(one('Int32', { sparkplugType: 'Int64' }).type, 'Int64')
  assert.equal(one('Int32', { sparkplugType: 'Int64' }).rawType, 'Int32')
})

test('tag-def - scale on a non-numeric point is ignored', () => {
  const def = one('Boolean', { scale: 2 })
  assert.deepEqual([def.type, def.scaled], ['Boolean', false])
})

test('tag-def - the config is carried through unchanged', () => {
  const def = one('Int16', { units: 'bar', writable: true, min: 0, max: 10, allowed: [1, 2], deadband: 0.5 })
  assert.deepEqual([def.name, def.units, def.writable, def.min, def.max, def.allowed, def.deadband], ['t', 'bar', true, 0, 10, [1, 2], 0.5])
})

test('tag-def - a tag without a driver point is a programming error that names the tag', () => {
  assert.throws(() => tagDefs([config('Missing')], [{ name: 'Other', type: 'Int16' }]), /no point for tag 'Missing'/)
})

test('tag-def - numeric types are the integer and floating ones only', () => {
  assert.equal(isNumericType('UInt64'), true)
  assert.equal(isNumericType('Double'), true)
  assert.equal(isNumericType('Boolean'), false)
  assert.equal(isNumericType('DateTime'), false)
  assert.equal(isNumericType('Int16Array'), false)
})
