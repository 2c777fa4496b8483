import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseDevice } from '../../../gateway/config/device.js'
import { fakeRegistry } from './fake-registry.js'

const device = (tags: unknown[], extra: Record<string, unknown> = {}) => ({
  device: 'Boiler1', driver: 'fake-tcp', connection: { host: 'plc' }, tags, ...extra,
})

function errors(raw: unknown): string[] {
  const result = parseDevice(raw, '/d/boiler.yaml', fakeRegistry)
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e) => `${e.path.join('.')}: ${e.message}`)
}

test('device - tag defaults come from the device: poll, deadband 0, read-only, no write interval', () => {
  const result = parseDevice(device([{ name: 'T', address: 'HR1' }], { poll: '250ms' }), '/d/boiler.yaml', fakeRegistry)
  assert.ok(result.ok)
  assert.equal(result.value.pollMs, 250)
  assert.equal(result.value.offlineAfter, 3)
  assert.deepEqual(result.value.tags, [{ name: 'T', pollMs: 250, deadband: 0, writable: false, writeIntervalMs: 0 }])
})

test('device - the driver receives every tag key as written and its result becomes driverConfig', () => {
  const result = parseDevice(device([{ name: 'T', address: 'HR1', scale: 2 }]), '/d/boiler.yaml', fakeRegistry)
  assert.ok(result.ok)
  assert.deepEqual(result.value.driverConfig, { host: 'plc', unitId: 1, points: [{ name: 'T', address: 'HR1' }] })
})

test("device - tag keys are the common ones plus the driver's tagProperties; others get a suggestion", () => {
  assert.deepEqual(errors(device([{ name: 'T', address: 'HR1', typ: 'int16', unit: 'degC' }])), [
    "tags.0.typ: unknown key 'typ'; did you mean 'type'?",
    "tags.0.unit: unknown key 'unit'; did you mean 'units'?",
  ])
})

test("device - connection keys are checked against the driver's connection schema", () => {
  assert.deepEqual(errors({ ...device([{ name: 'T', address: 'HR1' }]), connection: { host: 'plc', hots: 1 } }), [
    "connection.hots: unknown key 'hots'; did you mean 'host'?",
  ])
})

test('device - driver errors come back with their paths, after the common checks', () => {
  assert.deepEqual(errors(device([{ name: 'T', deadband: -1 }])), [
    'tags.0.deadband: expected a number >= 0',
    'tags.0.address: expected an address',
  ])
})

test('device - metric names are unique ignoring case and may not take Sparkplug reserved names', () => {
  assert.deepEqual(errors(device([{ name: 'Flow', address: 1 }, { name: 'FLOW', address: 2 }, { name: 'Node Control/Scan Rate', address: 3 }])), [
    "tags.1.name: duplicate metric name 'FLOW' (tags[0] has it; names are compared ignoring case)",
    "tags.2.name: 'Node Control/Scan Rate' is reserved by Sparkplug for the node; choose another name",
  ])
})

test('device - write rules: min <= max, allowed values are scalars, writeInterval is a duration', () => {
  assert.deepEqual(errors(device([{ name: 'T', address: 1, min: 5, max: 1, allowed: [1, { x: 1 }], writeInterval: 2 }])), [
    'tags.0.max: max (1) is below min (5)',
    'tags.0.allowed.1: expected a number, string or true/false',
    'tags.0.writeInterval: expected a duration such as 500ms, 5s or 2m',
  ])
  const ok = parseDevice(device([{ name: 'T', address: 1, min: 0, max: 10, allowed: [0, 5], writeInterval: '2s', sparkplugType: 'Float' }]), 'f', fakeRegistry)
  assert.ok(ok.ok)
  assert.deepEqual(ok.value.tags[0], { name: 'T', pollMs: 1000, deadband: 0, writable: false, min: 0, max: 10, allowed: [0, 5], writeIntervalMs: 2000, sparkplugType: 'Float' })
})

test('device - an unknown driver is named with the known ones and tag keys are not second-guessed', () => {
  assert.deepEqual(errors({ ...device([{ name: 'T', address: 1, colour: 'red' }]), driver: 'fake-tpc' }), [
    "driver: unknown driver 'fake-tpc'; did you mean 'fake-tcp'? (known: fake-tcp, fake-rtu)",
  ])
})

test('device - a device needs an id without topic characters and at least one tag; its driver judges connection', () => {
  assert.deepEqual(errors({ device: 'A/B', driver: 'fake-tcp', tags: [] }), [
    "device: 'A/B' contains '/'; Sparkplug ids may not contain /, + or #",
    'tags: expected at least one tag',
    'connection.host: expected a host name',
  ])
})
