#!/usr/bin/env node
/** `sparkplug-gateway <verb>`: the verbs of the command line, each in gateway/cli/<verb>.ts. */

interface Verb {
  readonly help: string
  run(args: string[]): Promise<number>
}

// Loaded on demand, so that `run` on a small box does not carry the demo's broker or the monitor.
const verbs: Readonly<Record<string, () => Promise<Verb>>> = {
  run: () => import('./cli/run.js'),
  validate: () => import('./cli/validate.js'),
  schema: () => import('./cli/schema.js'),
  demo: () => import('./cli/demo.js'),
  monitor: () => import('./cli/monitor.js'),
  cmd: () => import('./cli/cmd.js'),
  trust: () => import('./cli/trust.js'),
  browse: () => import('./cli/browse.js'),
}

const usage = `Usage: sparkplug-gateway <command> [options]

Commands:
  run        run the gateway (the systemd service runs this)
  validate   check gateway.yaml and every tag file; print every problem as file:line:col
  schema     print the JSON Schema of gateway.yaml and of device tag files
  demo       simulated devices + an embedded broker + the gateway + a live decoded view
  monitor    print decoded Sparkplug traffic from a broker
  cmd        send an NCMD/DCMD write typed from the node's birth certificate
  trust      trust the certificate of an OPC UA device's server
  browse     walk an OPC UA server and write a tag file for it

'sparkplug-gateway <command> --help' describes each command.`

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name === undefined ? 64 : 0
  }
  const load = verbs[name]
  if (load === undefined) {
    console.error(`unknown command '${name}'\n\n${usage}`)
    return 64
  }
  const verb = await load()
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
