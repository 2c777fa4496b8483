/** The JSON Schema of a device file: the common tag keys and each driver's own. */
import type { JsonSchema } from '../../drivers/driver.js'
import { defaults } from './defaults.js'
import { sparkplugTypes, type Registry } from './device.js'
import { derivedTypes } from './derived.js'
import { draft, duration, id, object, text } from './schema-parts.js'
import { instancesSchema } from './schema-type.js'

const commonTagProperties: Record<string, JsonSchema> = {
  name: { type: ['string', 'number'], description: "Sparkplug metric name, unique in the device (ignoring case); '/' makes folders." },
  poll: duration("Scan period of this tag. Default: the device's poll."),
  scale: { type: 'number', not: { const: 0 }, description: 'engineering = raw * scale + offset.' },
  offset: { type: 'number', description: 'engineering = raw * scale + offset.' },
  units: text('Engineering units, sent as a birth property.'),
  description: text('Free text.'),
  deadband: {
    type: 'number',
    minimum: 0,
    default: defaults.tag.deadband,
    description: 'Absolute change below which a value is not reported (0: every change).',
  },
  writable: { type: 'boolean', default: defaults.tag.writable, description: 'NCMD/DCMD may write this tag.' },
  min: { type: 'number', description: 'Smallest value a write may set.' },
  max: { type: 'number', description: 'Largest value a write may set.' },
  allowed: { type: 'array', minItems: 1, items: { type: ['number', 'string', 'boolean'] }, description: 'The only values a write may set.' },
  writeInterval: duration('Least time between two accepted writes (protects actuators).', defaults.tag.writeIntervalMs),
  sparkplugType: { enum: sparkplugTypes, description: "Sparkplug datatype to publish; default: from the driver's type and scaling." },
}

/** A member binding: the tag keys but those its type file sets. */
const bindingOf = (properties: Record<string, JsonSchema>): JsonSchema => {
  const { units: _units, description: _description, sparkplugType: _type, ...rest } = properties
  return { type: 'object', required: ['name'], additionalProperties: false, properties: rest }
}

const csvTags: JsonSchema = { type: 'string', description: 'A CSV file (relative to this file) with a header row naming tag keys and one tag per row.' }

export function deviceSchema(registry: Registry): JsonSchema {
  const names = Object.keys(registry)
  return {
    $schema: draft,
    title: 'sparkplug-gateway device file',
    ...object(
      {
        device: id('Sparkplug device id, unique among the devices (ignoring case).'),
        driver: { enum: names, description: 'Which driver talks to the device.' },
        connection: { type: 'object', description: "How to reach the device; keys depend on the driver." },
        poll: duration('Default scan period of the tags.', defaults.device.pollMs),
        offlineAfter: {
          type: 'integer',
          minimum: 1,
          default: defaults.device.offlineAfter,
          description: 'Failed scans in a row before the device is declared offline (DDEATH).',
        },
        tags: {
          description: 'The tags: a list, or the path of a CSV file.',
          oneOf: [{ type: 'array', minItems: 1, items: { $ref: '#/$defs/tag' } }, csvTags],
        },
        instances: instancesSchema(bindingOf(commonTagProperties)),
        derived: {
          type: 'array',
          description: "Tags computed from this device's other tags; read-only, born in DBIRTH, reported by exception.",
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'expression'],
            properties: {
              name: commonTagProperties.name,
              expression: { type: 'string', maxLength: 2000, description: 'e.g. "{Pump/Current} * {Pump/Voltage} / 1000"; see README, Derived tags.' },
              sparkplugType: { enum: derivedTypes, description: 'Datatype to publish; default: Double for a number, Boolean, String.' },
              units: commonTagProperties.units,
              description: commonTagProperties.description,
              deadband: commonTagProperties.deadband,
            },
          },
        },
      },
      'One device: its Sparkplug id, driver, connection and tags.',
      ['device', 'driver'],
    ),
    // A device of instances only needs no tags: the instances' members are its tags.
    anyOf: [{ required: ['tags'] }, { required: ['instances'] }],
    $defs: { tag: { type: 'object', required: ['name'], properties: commonTagProperties } },
    allOf: names.map((kind) => ({
      if: { properties: { driver: { const: kind } }, required: ['driver'] },
      then: {
        properties: {
          connection: registry[kind].schema.connection,
          tags: {
            oneOf: [
              {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { ...commonTagProperties, ...registry[kind].schema.tagProperties },
                },
              },
              csvTags,
            ],
          },
          instances: instancesSchema(bindingOf({ ...commonTagProperties, ...registry[kind].schema.tagProperties })),
        },
      },
    })),
  }
}
