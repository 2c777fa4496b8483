import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseGateway } from '../../../gateway/config/parse.js'

const sparkplug = { groupId: 'Plant1', edgeNodeId: 'GW1' }

function errors(upstream: unknown): string[] {
  const result = parseGateway({ sparkplug, upstream }, '/etc/gw/gateway.yaml')
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e) => `${e.path.join('.')}: ${e.message}`)
}

test('servers - an upstream without a servers key is refused at that key', () => {
  assert.deepEqual(errors({ mqtt: {} }), ['upstream.mqtt.servers: required key is missing'])
  assert.deepEqual(errors({ nats: {} }), ['upstream.nats.servers: required key is missing'])
})

test('servers - a URL without a host is refused at its item, as any malformed URL', () => {
  assert.deepEqual(errors({ mqtt: { servers: ['mqtt:///plant'] } }), ['upstream.mqtt.servers.0: expected a URL such as mqtt://broker:1883, mqtts://broker:8883, ws://… or wss://…'])
  assert.deepEqual(errors({ nats: { servers: ['nats://n1:4222', 'nats://'] } }), ['upstream.nats.servers.1: expected a URL such as nats://server:4222 or tls://server:4222'])
})
