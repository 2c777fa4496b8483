/** The JSON Schema of a type file (`types/Pump.yaml`), and of the `instances:` of a device file. */
import type { JsonSchema } from '../../drivers/driver.js'
import { sparkplugTypes } from './sparkplug-types.js'
import { draft, id, object, text } from './schema-parts.js'
import { MAX_INSTANCES } from './instances.js'
import { MAX_MEMBERS, MAX_PARAMETERS, MAX_TEMPLATE_DEPTH, parameterTypes } from './template-types.js'

export function typeSchema(): JsonSchema {
  const parameter = object({
    name: text('Parameter name, unique in the type (ignoring case).'),
    type: { enum: parameterTypes, description: 'Sparkplug datatype of the parameter (a Basic type).' },
    default: { type: ['number', 'string', 'boolean'], description: "Value an instance gets unless it gives its own; default: 0, false or ''." },
  }, 'A template parameter: a constant of each instance (a rated speed, a location).', ['name', 'type'])
  const member = object({
    name: text('Member name, unique in the type (ignoring case); no /.'),
    datatype: { enum: sparkplugTypes, description: 'Sparkplug datatype of the member; or give type instead.' },
    type: id(`A nested template: the name of another type (at most ${MAX_TEMPLATE_DEPTH} levels, no cycles).`),
    units: text('Engineering units, sent as the engUnit property.'),
    description: text('Sent as the documentation property.'),
  }, 'One member: a value with a datatype, or a nested template.', ['name'])
  return {
    $schema: draft,
    title: 'sparkplug-gateway type file',
    ...object({
      type: id('Name of the type: the Sparkplug template definition, and what instances name in type:.'),
      version: text('Version of the definition, sent in NBIRTH.'),
      description: text('Free text.'),
      parameters: { type: 'array', maxItems: MAX_PARAMETERS, items: parameter, description: 'Template parameters with their defaults.' },
      members: { type: 'array', minItems: 1, maxItems: MAX_MEMBERS, items: member, description: 'The members every instance has.' },
    }, 'A Sparkplug template (UDT) type: its members and parameters.', ['type', 'members']),
  }
}

/** `instances:` with `binding` as the schema of one member binding (a tag without the keys the type sets). */
export function instancesSchema(binding: JsonSchema): JsonSchema {
  return {
    type: 'array',
    maxItems: MAX_INSTANCES,
    description: 'Template instances: each binds every member of a type to an address.',
    items: object({
      name: text('Instance name: one metric of the device, no /.'),
      type: id('The type (a file in the types directory next to gateway.yaml).'),
      parameters: { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean'] }, description: "Values of the type's parameters; the others keep their defaults." },
      members: { type: 'array', items: binding, description: "Each member of the type (Motor/Current inside a nested template) with its address and the tag keys." },
    }, 'One template instance.', ['name', 'type', 'members']),
  }
}
