import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseGateway } from '../../../gateway/config/parse.js'
import type { ConfigError } from '../../../gateway/model/result.js'

const file = '/etc/gw/gateway.yaml'
const base = { sparkplug: { groupId: 'Plant1', edgeNodeId: 'GW1' }, upstream: { mqtt: { servers: ['mqtt://b:1883'] } } }
const withMqtt = (mqtt: Record<string, unknown>) => ({ ...base, upstream: { mqtt: { ...base.upstream.mqtt, ...mqtt } } })

function config(raw: unknown) {
  const result = parseGateway(raw, file)
  if (!result.ok) assert.fail(JSON.stringify(result.error))
  return result.value
}

function errors(raw: unknown): string[] {
  const result = parseGateway(raw, file)
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e: ConfigError) => `${e.path.join('.')}: ${e.message}`)
}

test('parse - MQTT version 3.1.1 and 5 are accepted as YAML reads them (string and number)', () => {
  assert.equal(config(withMqtt({ version: '3.1.1' })).config.upstream.mqtt!.version, '3.1.1')
  assert.equal(config(withMqtt({ version: 5 })).config.upstream.mqtt!.version, '5')
  assert.equal(config(withMqtt({ version: '5' })).config.upstream.mqtt!.version, '5')
  assert.deepEqual(errors(withMqtt({ version: 4 })), ['upstream.mqtt.version: expected 3.1.1 or 5'])
})

test('parse - a single server may be written without a list', () => {
  assert.deepEqual(config(withMqtt({ servers: 'mqtts://b:8883' })).config.upstream.mqtt!.servers, ['mqtts://b:8883'])
  assert.deepEqual(errors(withMqtt({ servers: [] })), ['upstream.mqtt.servers: expected at least one server URL'])
  assert.equal(errors(withMqtt({ servers: ['tcp://b:1883'] }))[0].startsWith('upstream.mqtt.servers.0: expected a URL'), true)
})

test('parse - the default client id is groupId-edgeNodeId with unsafe characters replaced', () => {
  const raw = { ...base, sparkplug: { groupId: 'Plant 1', edgeNodeId: 'Line3.GW' } }
  assert.equal(config(raw).config.upstream.mqtt!.clientId, 'Plant-1-Line3-GW')
  assert.equal(config(withMqtt({ clientId: 'mine' })).config.upstream.mqtt!.clientId, 'mine')
})

test('parse - relative paths resolve against the directory of gateway.yaml', () => {
  const parsed = config({ ...withMqtt({ passwordFile: 'secrets/pw', tls: { ca: 'ca.pem' } }), devices: 'conf.d', stateDir: 'state' })
  assert.equal(parsed.passwordFile, '/etc/gw/secrets/pw')
  assert.equal(parsed.config.upstream.mqtt!.tls?.ca, '/etc/gw/ca.pem')
  assert.equal(parsed.config.devicesDir, '/etc/gw/conf.d')
  assert.equal(parsed.config.stateDir, '/etc/gw/state')
  assert.equal(parsed.config.buffer.path, '/etc/gw/state/buffer.db', 'the default buffer lives in the state directory')
  assert.equal(config({ ...base, buffer: { path: '/data/b.db' } }).config.buffer.path, '/data/b.db')
})

test('parse - buffer path null or memory keeps the outbox in memory', () => {
  assert.equal(config({ ...base, buffer: { path: null } }).config.buffer.path, null)
  assert.equal(config({ ...base, buffer: { path: 'memory' } }).config.buffer.path, null)
})

test('parse - upstream needs exactly one of mqtt or nats', () => {
  assert.deepEqual(errors({ ...base, upstream: {} }), ['upstream: expected exactly one of mqtt or nats'])
  assert.deepEqual(errors({ ...base, upstream: { mqtt: base.upstream.mqtt, nats: { servers: ['nats://n:4222'] } } }), [
    'upstream: expected exactly one of mqtt or nats, not both',
  ])
})

test('parse - keepalive must be whole seconds MQTT can carry; reconnect min may not exceed max', () => {
  assert.equal(config(withMqtt({ keepalive: '1m' })).config.upstream.mqtt!.keepaliveMs, 60_000)
  assert.match(errors(withMqtt({ keepalive: '1500ms' }))[0], /^upstream.mqtt.keepalive: expected whole seconds/)
  assert.match(errors(withMqtt({ keepalive: '20h' }))[0], /^upstream.mqtt.keepalive: expected whole seconds/)
  assert.deepEqual(errors(withMqtt({ reconnect: { min: '10s', max: '5s' } })), ['upstream.mqtt.reconnect.max: reconnect.max must be at least reconnect.min'])
})

test('parse - tls cert and key go together', () => {
  assert.deepEqual(errors(withMqtt({ tls: { cert: 'gw.pem' } })), ['upstream.mqtt.tls: cert and key go together: give both or neither'])
})

test('parse - http.listen takes host:port including bracketed IPv6', () => {
  assert.deepEqual(config({ ...base, http: { listen: '127.0.0.1:80' } }).config.http, { host: '127.0.0.1', port: 80 })
  assert.deepEqual(config({ ...base, http: { listen: '[::1]:9780' } }).config.http, { host: '::1', port: 9780 })
  assert.deepEqual(errors({ ...base, http: { listen: '9780' } }), ['http.listen: expected host:port, such as 127.0.0.1:9780 or [::1]:9780'])
})

test('parse - every problem is reported in one pass', () => {
  const all = errors({ sparkplug: { groupId: 'a/b' }, upstream: { mqtt: { servers: 'mqtt://b', dataQos: 2 } }, log: { level: 'loud' } })
  assert.deepEqual(all, [
    "sparkplug.groupId: 'a/b' contains '/'; Sparkplug ids may not contain /, + or #",
    'sparkplug.edgeNodeId: required key is missing',
    'upstream.mqtt.dataQos: expected 0 or 1 (Sparkplug data is QoS 0; 1 keeps rows buffered until PUBACK)',
    'log.level: expected one of debug, info, warn, error',
  ])
})
