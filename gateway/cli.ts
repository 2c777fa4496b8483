#!/usr/bin/env node
/** `sparkplug-gateway <verb>`: the verbs of SPEC §10, each in gateway/cli/<verb>.ts. */
import * as cmd from './cli/cmd.js'
import * as demo from './cli/demo.js'
import * as monitor from './cli/monitor.js'
import * as run from './cli/run.js'
import * as schema from './cli/schema.js'
import * as validate from './cli/validate.js'

interface Verb {
  readonly help: string
  run(args: string[]): Promise<number>
}

const verbs: Readonly<Record<string, Verb>> = { run, validate, schema, demo, monitor, cmd }

const usage = `Usage: sparkplug-gateway <command> [options]

Commands:
  run        run the gateway (the systemd service runs this)
  validate   check gateway.yaml and every tag file; print every problem as file:line:col
  schema     print the JSON Schema of gateway.yaml and of device tag files
  demo       simulated devices + an embedded broker + the gateway + a live decoded view
  monitor    print decoded Sparkplug traffic from a broker
  cmd        send an NCMD/DCMD write typed from the node's birth certificate

'sparkplug-gateway <command> --help' describes each command.`

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name === undefined ? 64 : 0
  }
  const verb = verbs[name]
  if (verb === undefined) {
    console.error(`unknown command '${name}'\n\n${usage}`)
    return 64
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(verb.help)
    return 0
  }
  return verb.run(args)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exitCode = 70
  },
)
