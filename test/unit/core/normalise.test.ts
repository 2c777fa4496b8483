import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DriverError, type Reading } from '../../../drivers/driver.js'
import type { TagConfig } from '../../../gateway/config/types.js'
import type { SparkplugType, Value } from '../../../gateway/model/value.js'
import { Deadband } from '../../../gateway/normalise/deadband.js'
import { normalise } from '../../../gateway/normalise/normalise.js'
import { tagDefs, type TagDef } from '../../../gateway/normalise/tag-def.js'

type Spec = Partial<TagConfig> & { name: string; type: SparkplugType }

function tagMap(specs: Spec[]): Map<string, TagDef> {
  const configs = specs.map((s) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...s }))
  return new Map(tagDefs(configs, specs.map((s) => ({ name: s.name, type: s.type }))).map((t) => [t.name, t]))
}

const ok = (point: string, value: Value, at = 1000): Reading => ({ point, value, at })
const failed = (point: string, at = 1000): Reading => ({ point, at, error: new DriverError('rejected', 'illegal data address') })

const tags = tagMap([
  { name: 'Temperature', type: 'Int16', scale: 0.1 },
  { name: 'Running', type: 'Boolean' },
  { name: 'Level', type: 'Float', deadband: 1 },
  { name: 'Count', type: 'UInt64' },
])

test('normalise - readings become metrics in engineering units with their Sparkplug type and acquisition time', () => {
  const out = normalise([ok('Temperature', 215, 1234), ok('Running', true, 1235), ok('Count', 9n, 1236)], tags, new Deadband())
  assert.deepEqual(out, [
    { name: 'Temperature', type: 'Double', value: 21.5, at: 1234 },
    { name: 'Running', type: 'Boolean', value: true, at: 1235 },
    { name: 'Count', type: 'UInt64', value: 9n, at: 1236 },
  ])
})

test('normalise - a failed reading becomes a null value, never a stale number', () => {
  const deadband = new Deadband()
  normalise([ok('Running', true)], tags, deadband)
  assert.deepEqual(normalise([failed('Running', 2000)], tags, deadband), [{ name: 'Running', type: 'Boolean', value: null, at: 2000 }])
})

test('normalise - unchanged values and changes within the deadband are left out', () => {
  const deadband = new Deadband()
  normalise([ok('Running', true), ok('Level', 50)], tags, deadband)
  assert.deepEqual(normalise([ok('Running', true), ok('Level', 50.9)], tags, deadband), [])
  assert.deepEqual(normalise([ok('Level', 51.5)], tags, deadband).map((m) => m.value), [51.5])
})

test('normalise - the deadband applies to the engineering value, not the raw one', () => {
  const deadband = new Deadband()
  const scaled = tagMap([{ name: 'Flow', type: 'UInt16', scale: 0.01, deadband: 0.5 }])
  normalise([ok('Flow', 1000)], scaled, deadband)
  assert.deepEqual(normalise([ok('Flow', 1040)], scaled, deadband), [])
  assert.equal(normalise([ok('Flow', 1060)], scaled, deadband).length, 1)
})

test('normalise - a reading for a point with no tag is ignored', () => {
  assert.deepEqual(normalise([ok('Unknown', 1)], tags, new Deadband()), [])
})

test('normalise - a float register reading NaN or ±Infinity goes out as null (is_null, bad quality), not as a good number', () => {
  const floats = tagMap([{ name: 'Flow', type: 'Float' }, { name: 'Energy', type: 'Double' }, { name: 'Head', type: 'Float', scale: 0.5 }])
  const out = normalise([ok('Flow', Number.NaN, 5), ok('Energy', Number.POSITIVE_INFINITY, 5), ok('Head', Number.NEGATIVE_INFINITY, 5)], floats, new Deadband())
  assert.deepEqual(out.map((m) => [m.name, m.value]), [['Flow', null], ['Energy', null], ['Head', null]])
})

test('normalise - a NaN reading of a float point published as an integer type goes out as null (bad quality)', () => {
  const asInt = tagMap([{ name: 'Pressure', type: 'Float', sparkplugType: 'Int64' }])
  assert.deepEqual(normalise([ok('Pressure', Number.NaN, 5)], asInt, new Deadband()), [{ name: 'Pressure', type: 'Int64', value: null, at: 5 }])
})

test('normalise - an uncertain reading keeps its value and doubt; a change of quality alone is reported through any deadband', () => {
  const damped = tagMap([{ name: 'Level', type: 'Double', deadband: 10 }])
  const deadband = new Deadband()
  const uncertain = (value: number, at: number): Reading => ({ point: 'Level', value, at, quality: 'uncertain' })
  assert.deepEqual(normalise([ok('Level', 50, 1)], damped, deadband).map((m) => [m.value, m.uncertain]), [[50, undefined]])
  assert.deepEqual(normalise([uncertain(51, 2)], damped, deadband).map((m) => [m.value, m.uncertain, m.at]), [[51, true, 2]])
  assert.deepEqual(normalise([uncertain(52, 3)], damped, deadband), [], 'still uncertain, inside the deadband')
  assert.deepEqual(normalise([ok('Level', 52, 4)], damped, deadband).map((m) => [m.value, m.uncertain]), [[52, undefined]], 'good again')
})
