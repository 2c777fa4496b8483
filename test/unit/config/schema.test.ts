import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run } from '../../../gateway/cli/schema.js'
import { commonTagKeys, deviceKeys } from '../../../gateway/config/device.js'
import { gatewayKeys } from '../../../gateway/config/parse.js'
import { deviceSchema, gatewaySchema, typeSchema } from '../../../gateway/config/schema.js'
import { memberKeys, parameterKeys, typeKeys } from '../../../gateway/config/template-types.js'
import { fakeRegistry } from './fake-registry.js'

type Schema = { properties?: Record<string, Schema>; description?: string; [key: string]: unknown }

const keys = (schema: Schema | undefined) => Object.keys(schema?.properties ?? {})

test('schema - the gateway schema describes exactly the keys the parser accepts, each with a description', () => {
  const root = gatewaySchema() as Schema
  const mqtt = root.properties!.upstream.properties!.mqtt
  const nats = root.properties!.upstream.properties!.nats
  const sections: Record<keyof typeof gatewayKeys, Schema> = {
    root,
    sparkplug: root.properties!.sparkplug,
    upstream: root.properties!.upstream,
    mqtt,
    tls: mqtt.properties!.tls,
    reconnect: mqtt.properties!.reconnect,
    buffer: root.properties!.buffer,
    http: root.properties!.http,
    httpAuth: root.properties!.http.properties!.auth,
    httpTls: root.properties!.http.properties!.tls,
    log: root.properties!.log,
    commands: root.properties!.commands,
    limits: root.properties!.limits,
    nats,
    natsAuth: nats.properties!.auth,
    jetstream: nats.properties!.jetstream,
  }
  // tls and reconnect have the same keys under mqtt and nats.
  assert.deepEqual(keys(nats.properties!.tls).sort(), [...gatewayKeys.tls].sort())
  assert.deepEqual(keys(nats.properties!.reconnect).sort(), [...gatewayKeys.reconnect].sort())
  for (const [name, schema] of Object.entries(sections)) {
    assert.deepEqual(keys(schema).sort(), [...gatewayKeys[name as keyof typeof gatewayKeys]].sort(), name)
    assert.equal(schema.additionalProperties, false, `${name} refuses unknown keys`)
    for (const [key, property] of Object.entries(schema.properties ?? {})) assert.ok(property.description, `${name}.${key} has a description`)
  }
})

test('schema - the device schema lists device and common tag keys, and each driver through if/then', () => {
  const schema = deviceSchema(fakeRegistry) as Schema & { $defs: { tag: Schema }; allOf: { if: Schema; then: Schema }[] }
  assert.deepEqual(keys(schema).sort(), [...deviceKeys].sort())
  assert.deepEqual(keys(schema.$defs.tag).sort(), [...commonTagKeys].sort())
  assert.equal(schema.allOf.length, 2)
  const then = schema.allOf[0].then.properties!
  assert.deepEqual(then.connection, fakeRegistry['fake-tcp'].schema.connection)
  const tagItems = (then.tags.oneOf as Schema[])[0].items as Schema
  assert.deepEqual(keys(tagItems).sort(), [...commonTagKeys, 'address', 'type'].sort())
  assert.equal(tagItems.additionalProperties, false)
})

test('schema - the CLI prints both schemas as JSON, or one when named', async () => {
  let text = ''
  assert.equal(await run([], (t) => (text += t)), 0)
  const both = JSON.parse(text) as { gateway: Schema; device: Schema }
  assert.equal(both.gateway.$schema, 'https://json-schema.org/draft/2020-12/schema')
  assert.ok(keys(both.device).includes('tags'))
  text = ''
  assert.equal(await run(['gateway'], (t) => (text += t)), 0)
  assert.deepEqual(keys(JSON.parse(text) as Schema).sort(), [...gatewayKeys.root].sort())
})

test('schema - the device schema knows instances, whose member bindings take the driver tag keys but not what the type sets', () => {
  const schema = deviceSchema(fakeRegistry) as Schema & { allOf: { then: Schema }[] }
  const instance = (schema.properties!.instances as Schema & { items: Schema }).items
  assert.deepEqual(keys(instance).sort(), ['members', 'name', 'parameters', 'type'])
  const members = (schema.allOf[0].then.properties!.instances as Schema & { items: Schema }).items.properties!.members as Schema & { items: Schema }
  assert.deepEqual(keys(members.items).sort(), [...commonTagKeys.filter((k) => !['units', 'description', 'sparkplugType'].includes(k)), 'address', 'type'].sort())
})

test('schema - the type schema describes exactly the keys of a type file', async () => {
  const schema = typeSchema() as Schema & { properties: { members: { items: Schema }; parameters: { items: Schema } } }
  assert.deepEqual(keys(schema).sort(), [...typeKeys].sort())
  assert.deepEqual(keys(schema.properties.members.items).sort(), [...memberKeys].sort())
  assert.deepEqual(keys(schema.properties.parameters.items).sort(), [...parameterKeys].sort())
  let text = ''
  assert.equal(await run(['type'], (t) => (text += t)), 0)
  assert.deepEqual(keys(JSON.parse(text) as Schema).sort(), [...typeKeys].sort())
})
