/** The `derived:` list of a device file: every problem located at file:line:col inside the expression. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadDevices } from '../../../gateway/config/load-devices.js'
import { formatError } from '../../../gateway/config/located.js'
import { readableNodeMetrics } from '../../../gateway/base/node-metric-names.js'
import { nodeMetricDefs } from '../../../gateway/node/node-metrics.js'
import { bufferMetricDefs } from '../../../gateway/runtime/buffer-metrics.js'

const root = mkdtempSync(join(tmpdir(), 'gw-derived-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0

const pump = [
  'device: Pump1',
  'driver: modbus-tcp',
  'connection: { host: 127.0.0.1, port: 502, unitId: 1 }',
  'tags:',
  '  - { name: Pump/Current, address: HR100, type: float32, units: A }',
  '  - { name: Pump/Voltage, address: HR102, type: float32, units: V }',
  '  - { name: Pump/Run, address: CO5 }',
]

async function load(lines: string[]) {
  const dir = join(root, String(n++))
  const { mkdirSync } = await import('node:fs')
  mkdirSync(dir)
  const file = join(dir, 'pump.yaml')
  writeFileSync(file, [...pump, 'derived:', ...lines].join('\n') + '\n')
  const result = await loadDevices(dir)
  return { file, result }
}

async function errors(lines: string[]): Promise<string[]> {
  const { file, result } = await load(lines)
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e) => formatError(e).replace(file, 'pump.yaml'))
}

test('derived config - a valid list loads with the inferred or declared datatype', async () => {
  const { result } = await load([
    '  - { name: Pump/Power, expression: "{Pump/Current} * {Pump/Voltage} / 1000", units: kW, deadband: 0.1 }',
    '  - { name: Pump/Running Hours, expression: "timeIn({Pump/Run}) / 3600", sparkplugType: Float }',
    '  - { name: Pump/Overload, expression: "{Pump/Power} > 7.5" }',
  ])
  assert.ok(result.ok, JSON.stringify(!result.ok && result.error))
  const derived = result.value[0]!.derived!
  assert.deepEqual(derived.map((d) => [d.name, d.sparkplugType, d.deadband]), [['Pump/Power', 'Double', 0.1], ['Pump/Running Hours', 'Float', 0], ['Pump/Overload', 'Boolean', 0]])
  assert.deepEqual(derived[2]!.inputs, ['Pump/Power'])
})

test('derived config - an unknown tag is located inside the expression, with a suggestion', async () => {
  assert.deepEqual(await errors(['  - { name: Pump/Power, expression: "{Pump/Current} * {Pump/Voltag}" }']), [
    "pump.yaml:9:55: derived[0].expression: unknown tag 'Pump/Voltag' in this device; did you mean 'Pump/Voltage'?",
  ])
})

test('derived config - a type mismatch against the driver type (a coil is a Boolean) is located', async () => {
  assert.deepEqual(await errors(['  - name: Pump/Bad', "    expression: '{Pump/Run} + 1'"]), [
    "pump.yaml:10:18: derived[0].expression: type mismatch: '+' needs a number, this is a boolean",
  ])
  assert.deepEqual(await errors(['  - { name: Pump/Bad, expression: "{Pump/Run}", sparkplugType: Double }']), [
    'pump.yaml:9:49: derived[0].sparkplugType: the expression gives a boolean, which a Double cannot hold; use Boolean or leave sparkplugType out',
  ])
})

test('derived config - a circle between derived tags is refused', async () => {
  assert.deepEqual(await errors([
    '  - { name: A, expression: "B + {Pump/Current}" }',
    '  - { name: B, expression: "A * 2" }',
  ]), ['pump.yaml:9:29: derived[0].expression: derived tags read each other in a circle: A → B → A; one of them must read device tags only'])
})

test('derived config - a derived name may not repeat a tag name', async () => {
  assert.deepEqual(await errors(['  - { name: pump/current, expression: "{Pump/Voltage}" }']), [
    "pump.yaml:9:7: derived[0].name: 'pump/current' is already a metric of this device ('Pump/Current'; names are compared ignoring case)",
  ])
})

test('derived config - 1 MB of expression and deep nesting are refused at load with their bound', async () => {
  const huge = await errors([`  - { name: Huge, expression: "${'{Pump/Current}+'.repeat(70_000)}1" }`])
  assert.equal(huge.length, 1)
  assert.match(huge[0]!, /^pump\.yaml:9:\d+: derived\[0\]\.expression: expression of 1050001 characters, over the limit of 2000$/)
  const deep = await errors([`  - { name: Deep, expression: "${'('.repeat(50)}{Pump/Current}${')'.repeat(50)}" }`])
  assert.deepEqual(deep, ['pump.yaml:9:65: derived[0].expression: nested more than 32 levels deep'])
})

test('derived config - a node metric is read as {node:Name}, typed from its datatype, and an unknown one is located with a suggestion', async () => {
  const { result } = await load(['  - { name: Pump/Backlog, expression: "{node:Gateway/Buffer/Records} > 100 and {Pump/Run}" }'])
  assert.ok(result.ok, JSON.stringify(!result.ok && result.error))
  assert.deepEqual(result.value[0]!.derived![0]!.inputs, ['node:Gateway/Buffer/Records', 'Pump/Run'])
  assert.deepEqual(await errors(['  - { name: Pump/Backlog, expression: "{Pump/Current} + {node:Gateway/Bufer/Records}" }']), [
    "pump.yaml:9:57: derived[0].expression: unknown node metric 'Gateway/Bufer/Records'; did you mean 'Gateway/Buffer/Records'?",
  ])
  assert.deepEqual(await errors(['  - { name: Pump/Odd, expression: "{node:Properties/Software Version} * 2" }']), [
    "pump.yaml:9:36: derived[0].expression: type mismatch: '*' needs a number, this is a string",
  ])
})

test('derived config - every node metric an expression may read is declared by NBIRTH with the same datatype', () => {
  const declared = new Map([...nodeMetricDefs(1000), ...bufferMetricDefs()].map((d) => [d.name, d.type]))
  for (const [name, type] of readableNodeMetrics) assert.equal(declared.get(name), type, name)
})
