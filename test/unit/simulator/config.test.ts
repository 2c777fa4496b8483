import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import type { RawDevice } from '../../../drivers/driver.js'
import { simulatorModule } from '../../../drivers/simulator/index.js'
import type { SimulatorConfig } from '../../../drivers/simulator/index.js'
import type { ConfigError } from '../../../gateway/model/result.js'
import { silentLog } from '../../../gateway/runtime/log.js'

// Compiled tests run from dist/test/unit/simulator; the YAML and README stay in the source tree.
const folder = new URL('../../../../drivers/simulator/', import.meta.url)
const exampleText = readFileSync(new URL('example.yaml', folder), 'utf8')

function device(tags: Record<string, unknown>[], connection?: unknown): RawDevice {
  return { driver: 'simulator', connection, tags }
}

function parsed(raw: RawDevice): SimulatorConfig {
  const result = simulatorModule.parse(raw, [])
  if (!result.ok) assert.fail(`unexpected errors: ${JSON.stringify(result.error)}`)
  return result.value
}

function errors(raw: RawDevice, at: (string | number)[] = []): ConfigError[] {
  const result = simulatorModule.parse(raw, at)
  if (result.ok) assert.fail('expected parse errors')
  return result.error
}

test('simulator config - example.yaml parses into one point per tag, in order', () => {
  const doc = parseYaml(exampleText) as RawDevice
  const config = parsed(doc)
  assert.deepEqual(
    config.tags.map((t) => [t.name, t.signal, t.type]),
    [
      ['Counter', 'counter', 'Int32'],
      ['Ramp', 'ramp', 'Double'],
      ['Wave', 'sine', 'Float'],
      ['Walk', 'random-walk', 'Double'],
      ['Running', 'boolean', 'Boolean'],
      ['Mode', 'string', 'String'],
      ['Setpoint', 'setpoint', 'Double'],
    ],
  )
  assert.equal(config.darkFile, '/tmp/sim1.dark')
  assert.equal(config.latencyMs, 0)
  assert.deepEqual(config.tags[6], { name: 'Setpoint', signal: 'setpoint', type: 'Double', initial: 20, writable: true })
})

test('simulator config - the README shows example.yaml verbatim', () => {
  const readme = readFileSync(new URL('README.md', folder), 'utf8')
  const block = /```yaml\n([\s\S]*?)```/.exec(readme)
  assert.ok(block, 'README.md has no yaml block')
  assert.equal(block[1], exampleText)
})

test('simulator config - defaults: no connection, counter Int32 at 1s, random-walk midway with 1% steps', () => {
  const config = parsed(device([
    { name: 'C', signal: 'counter' },
    { name: 'W', signal: 'random-walk', low: 0, high: 50 },
    { name: 'S', signal: 'setpoint', type: 'UInt64' },
  ]))
  assert.equal(config.latencyMs, 0)
  assert.equal(config.darkFile, undefined)
  assert.deepEqual(config.tags, [
    { name: 'C', signal: 'counter', type: 'Int32', periodMs: 1000 },
    { name: 'W', signal: 'random-walk', type: 'Double', low: 0, high: 50, step: 0.5, initial: 25 },
    { name: 'S', signal: 'setpoint', type: 'UInt64', initial: 0n, writable: false },
  ])
})

test('simulator config - durations take ms, s, m and h, alone or combined', () => {
  const config = parsed(device(
    ['250ms', '5s', '2m', '1h', '1.5s', '1m30s'].map((period, i) => ({ name: `T${i}`, signal: 'boolean', period })),
    { latency: '20ms' },
  ))
  assert.deepEqual(config.tags.map((t) => ('periodMs' in t ? t.periodMs : 0)), [250, 5000, 120_000, 3_600_000, 1500, 90_000])
  assert.equal(config.latencyMs, 20)
})

test('simulator config - numbers and booleans written as text (CSV cells) are accepted', () => {
  const config = parsed(device([
    { name: 'R', signal: 'ramp', low: '-1.5', high: '3' },
    { name: 'B', signal: 'setpoint', type: 'Boolean', initial: 'true', writable: 'true' },
    { name: 'L', signal: 'setpoint', type: 'Int64', initial: '9223372036854775807' },
  ]))
  assert.deepEqual(config.tags.map((t) => ('low' in t ? [t.low, t.high] : 'initial' in t ? t.initial : null)), [
    [-1.5, 3],
    true,
    9223372036854775807n,
  ])
})

test('simulator config - every error is reported with its path and what was expected', () => {
  const found = errors(
    device(
      [
        { name: 'A', signal: 'sawtooth' },
        { name: 'B', signal: 'ramp', low: 10, high: 5 },
        { name: 'C', signal: 'string', values: [] },
        { name: 'D', signal: 'counter', type: 'Double', low: 1, period: 'fast' },
        { name: 'E', signal: 'setpoint', type: 'UInt8', initial: 300 },
        { name: 'F', signal: 'string', values: ['on', 2] },
        { name: 'G' },
        { name: 'H', signal: 'random-walk', low: 0, high: 10, step: 0, initial: 11 },
        { name: 'I', signal: 'ramp', type: 'Int8', low: -200, high: 'x' },
      ],
      { latency: 'slow', darkFile: '', port: 502 },
    ),
    ['devices', 2],
  )
  const byPath = new Map(found.map((e) => [e.path.join('.'), e.message]))
  assert.deepEqual([...byPath.keys()].sort(), [
    'devices.2.connection.darkFile',
    'devices.2.connection.latency',
    'devices.2.connection.port',
    'devices.2.tags.0.signal',
    'devices.2.tags.1.high',
    'devices.2.tags.2.values',
    'devices.2.tags.3.low',
    'devices.2.tags.3.period',
    'devices.2.tags.3.type',
    'devices.2.tags.4.initial',
    'devices.2.tags.5.values.1',
    'devices.2.tags.6.signal',
    'devices.2.tags.7.initial',
    'devices.2.tags.7.step',
    'devices.2.tags.8.high',
    'devices.2.tags.8.low',
  ])
  assert.equal(found.length, byPath.size)
  assert.match(byPath.get('devices.2.tags.0.signal')!, /unknown signal "sawtooth": expected one of counter, ramp, sine, random-walk, boolean, string, setpoint/)
  assert.match(byPath.get('devices.2.tags.6.signal')!, /missing signal/)
  assert.match(byPath.get('devices.2.tags.1.high')!, /above low \(10\)/)
  assert.match(byPath.get('devices.2.tags.3.type')!, /expected one of Int8, .*UInt64 for a counter signal, got "Double"/)
  assert.match(byPath.get('devices.2.tags.3.low')!, /low does not apply to a counter signal, which takes type, period/)
  assert.match(byPath.get('devices.2.tags.3.period')!, /expected a duration/)
  assert.match(byPath.get('devices.2.tags.4.initial')!, /expected an integer from 0 to 255 \(UInt8\), got 300/)
  assert.match(byPath.get('devices.2.tags.8.low')!, /at least -128/)
  assert.match(byPath.get('devices.2.tags.8.high')!, /expected a number, got "x"/)
  assert.match(byPath.get('devices.2.connection.port')!, /takes darkFile, latency and push/)
})

test('simulator config - a connection that is not a mapping is an error', () => {
  const found = errors(device([{ name: 'C', signal: 'counter' }], 'localhost'))
  assert.deepEqual(found.map((e) => e.path), [['connection']])
})

test('simulator config - the schema declares every simulator tag key with a description', () => {
  const keys = Object.keys(simulatorModule.schema.tagProperties).sort()
  assert.deepEqual(keys, ['high', 'initial', 'low', 'period', 'signal', 'step', 'type', 'values'])
  for (const key of keys) assert.equal(typeof simulatorModule.schema.tagProperties[key].description, 'string', key)
  assert.deepEqual(Object.keys(simulatorModule.schema.connection.properties as object).sort(), ['darkFile', 'latency', 'push'])
})

test('simulator config - push takes a duration of at least 10ms and makes the device push every tag', () => {
  const raw = (push: unknown): RawDevice => ({ driver: 'simulator', connection: { push }, tags: [{ name: 'C', signal: 'counter' }] })
  const parsed = simulatorModule.parse(raw('250ms'), [])
  assert.ok(parsed.ok)
  assert.equal(parsed.value.pushMs, 250)
  const driver = simulatorModule.create(parsed.value, silentLog)
  assert.deepEqual(driver.watched, ['C'])
  for (const bad of ['5ms', 'often', 3]) {
    const refused = simulatorModule.parse(raw(bad), [])
    assert.ok(!refused.ok)
    assert.deepEqual(refused.error.map((e) => [e.path.join('.'), /at least 10ms/.test(e.message)]), [['connection.push', true]])
  }
  const polled = simulatorModule.parse({ ...raw('1s'), connection: {} }, [])
  assert.ok(polled.ok)
  assert.equal(simulatorModule.create(polled.value, silentLog).watch, undefined, 'without push the device is polled')
})
