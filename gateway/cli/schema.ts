/** `sparkplug-gateway schema`: prints the JSON Schemas of gateway.yaml and device files for editors. */
import { drivers } from '../../drivers/registry.js'
import { deviceSchema, gatewaySchema, typeSchema } from '../config/schema.js'
import { EX_USAGE } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway schema [gateway|device|type]

Prints the JSON Schema (draft 2020-12) of gateway.yaml ("gateway"), of a device file ("device"),
of a template type file ("type"), or, without an argument, an object { gateway, device, type }
holding all three. Save it and point your
editor at it, e.g. with a first line  # yaml-language-server: $schema=./gateway.schema.json
`

export async function run(args: string[], out: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const [which, ...rest] = args
  if (rest.length > 0 || (which !== undefined && which !== 'gateway' && which !== 'device' && which !== 'type')) {
    process.stderr.write(`schema: expected gateway, device or type, got '${args.join(' ')}'\n\n${help}`)
    return EX_USAGE
  }
  const schema =
    which === 'gateway' ? gatewaySchema()
    : which === 'device' ? deviceSchema(drivers)
    : which === 'type' ? typeSchema()
    : { gateway: gatewaySchema(), device: deviceSchema(drivers), type: typeSchema() }
  out(`${JSON.stringify(schema, null, 2)}\n`)
  return 0
}
