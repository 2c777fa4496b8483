import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseGateway } from '../../../gateway/config/parse.js'
import type { ConfigError } from '../../../gateway/model/result.js'

const file = '/etc/gw/gateway.yaml'
const base = { sparkplug: { groupId: 'Plant1', edgeNodeId: 'GW1' }, upstream: { mqtt: { servers: ['mqtt://b:1883'] } } }

function parse(commands: unknown) {
  return parseGateway({ ...base, commands }, file)
}

function errors(commands: unknown): string[] {
  const result = parse(commands)
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e: ConfigError) => `${e.path.join('.')}: ${e.message}`)
}

test('commands config - a read-only gateway: writes, Reboot and Scan Rate switched off, limits as written', () => {
  const result = parse({ writes: false, reboot: false, scanRate: false, scanRateMin: '1s', scanRateMax: '10m', maxPayloadSize: '4KiB', maxMetrics: 10, maxQueuedWrites: 5, auditValueLength: 64 })
  if (!result.ok) assert.fail(JSON.stringify(result.error))
  assert.deepEqual(result.value.config.commands, {
    writes: false, reboot: false, scanRate: false, scanRateMinMs: 1000, scanRateMaxMs: 600_000,
    maxPayloadBytes: 4096, maxMetrics: 10, maxQueuedWrites: 5, auditValueLength: 64,
  })
})

test('commands config - without the section every command is allowed within safe bounds', () => {
  const result = parseGateway(base, file)
  assert.ok(result.ok)
  assert.deepEqual(result.value.config.commands, {
    writes: true, reboot: true, scanRate: true, scanRateMinMs: 100, scanRateMaxMs: 3_600_000,
    maxPayloadBytes: 65_536, maxMetrics: 100, maxQueuedWrites: 20, auditValueLength: 200,
  })
})

test('commands config - wrong values are named with their key', () => {
  assert.deepEqual(errors({ scanRateMin: '1m', scanRateMax: '1s' }), ['commands.scanRateMax: scanRateMax must be at least scanRateMin'])
  assert.deepEqual(errors({ maxQueuedWrites: 0 }), ['commands.maxQueuedWrites: expected a whole number >= 1'])
  assert.deepEqual(errors({ writes: 'no' }), ['commands.writes: expected true or false'])
  assert.deepEqual(errors({ scanRateMin: '0ms' }), ['commands.scanRateMin: expected a duration above 0'])
  assert.deepEqual(errors({ maxPayloadSize: 0 }), ['commands.maxPayloadSize: expected a size above 0'])
  assert.match(errors({ maxMetric: 5 })[0]!, /^commands.maxMetric: unknown key 'maxMetric'.*maxMetrics/)
})
