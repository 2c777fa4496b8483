/** `sparkplug-gateway browse opc.tcp://…`: walks an OPC UA server and writes a tag file for it. */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Document, type YAMLMap, type YAMLSeq } from 'yaml'
import type { ConfigError } from '../model/result.js'
import { loadBrowse, nodeIdProblem, parseConnection } from '../../drivers/opcua/tools.js'
import { createLog } from '../runtime/log.js'
import { EX_UNAVAILABLE, EX_USAGE } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway browse opc.tcp://host:port[/path] [options]

Walks the server's address space from --root and writes a device tag file listing every
variable found: names from the browse path ('/' makes Sparkplug folders), node ids, the type of
the current value, and writable where the user may write. Review it, then copy it into the
devices directory; 'sparkplug-gateway validate' accepts it as written.

Options:
  --root NODE            where to start (default i=85, the Objects folder)
  --depth N              levels below the root to walk, 1..20 (default 5)
  --max-nodes N          objects and variables visited at most, 1..100000 (default 5000)
  --device ID            the device id written into the file (default OPCUA1)
  -o, --out FILE         write the tag file here (default: standard output)
  --security-mode M      None | Sign | SignAndEncrypt (default None)
  --security-policy P    Basic256Sha256 | Aes128_Sha256_RsaOaep | Aes256_Sha256_RsaPss
  --username NAME        with --password-file FILE; default anonymous
  --password-file FILE
  --pki-dir DIR          the gateway's OPC UA PKI (default /var/lib/sparkplug-gateway/opcua-pki)
  --trust-server         accept the server certificate without 'sparkplug-gateway trust'
`

const options = {
  root: { type: 'string' }, depth: { type: 'string' }, 'max-nodes': { type: 'string' }, device: { type: 'string' },
  out: { type: 'string', short: 'o' }, 'security-mode': { type: 'string' }, 'security-policy': { type: 'string' },
  username: { type: 'string' }, 'password-file': { type: 'string' }, 'pki-dir': { type: 'string' }, 'trust-server': { type: 'boolean' },
} as const

export async function run(args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options })
  } catch (error) {
    return usage((error as Error).message)
  }
  const v = parsed.values
  if (parsed.positionals.length !== 1) return usage('name one endpoint, e.g. opc.tcp://192.168.1.20:4840')
  const errors: ConfigError[] = []
  const connection = parseConnection({
    endpoint: parsed.positionals[0],
    ...(v['security-mode'] ? { securityMode: v['security-mode'] } : {}),
    ...(v['security-policy'] ? { securityPolicy: v['security-policy'] } : {}),
    ...(v.username ? { user: { username: v.username, passwordFile: v['password-file'] } } : {}),
    ...(v['pki-dir'] ? { pkiDir: v['pki-dir'] } : {}),
    trustServer: v['trust-server'] ?? false,
  }, [], errors)
  const root = v.root ?? 'i=85'
  if (nodeIdProblem(root) !== null) errors.push({ path: ['root'], message: nodeIdProblem(root)! })
  const depth = bounded(v.depth, 5, 1, 20, 'depth', errors)
  const maxNodes = bounded(v['max-nodes'], 5000, 1, 100_000, 'max-nodes', errors)
  const device = v.device ?? 'OPCUA1'
  if (errors.length > 0) return usage(errors.map((e) => `${e.path.at(-1) === 'endpoint' ? 'endpoint' : `--${String(e.path.at(-1))}`}: ${e.message}`).join('\n'))

  const { browseServer } = await loadBrowse()
  const log = createLog({ level: 'warn' })
  let report
  try {
    report = await browseServer({ ...connection, publishingIntervalMs: connection.publishingIntervalMs ?? 1000, points: [] }, { root, depth, maxNodes }, log)
  } catch (error) {
    console.error(`browse: ${connection.endpoint}: ${(error as Error).message}`)
    return EX_UNAVAILABLE
  }
  const doc = new Document({
    device,
    driver: 'opcua',
    connection: Object.fromEntries(Object.entries({
      endpoint: connection.endpoint,
      securityMode: v['security-mode'] ? connection.securityMode : undefined,
      securityPolicy: v['security-mode'] && connection.securityMode !== 'None' ? connection.securityPolicy : undefined,
      user: connection.user.kind === 'username' ? { username: connection.user.username, passwordFile: connection.user.passwordFile } : undefined,
      pkiDir: v['pki-dir'] ? connection.pkiDir : undefined,
    }).filter(([, x]) => x !== undefined)),
    tags: report.tags,
  })
  for (const item of (doc.get('tags', true) as YAMLSeq<YAMLMap>).items) item.flow = true
  doc.commentBefore = [
    ` Written by sparkplug-gateway browse ${connection.endpoint} (root ${root}, depth ${depth}): ${report.tags.length} tags.`,
    ...(report.skipped > 0 ? [` ${report.skipped} variables left out: their values (structures, matrices) have no Sparkplug type.`] : []),
    ...(report.truncated ? [` The walk stopped at ${maxNodes} nodes (--max-nodes): narrow it with --root or --depth.`] : []),
    ' Review names and types, remove what you do not need, then copy it into the devices directory.',
  ].join('\n')
  const text = doc.toString({ lineWidth: 0 })
  if (v.out === undefined) process.stdout.write(text)
  else {
    writeFileSync(v.out, text)
    console.error(`browse: ${report.tags.length} tags written to ${v.out}`)
  }
  return 0
}

function bounded(text: string | undefined, fallback: number, min: number, max: number, key: string, errors: ConfigError[]): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (Number.isInteger(n) && n >= min && n <= max) return n
  errors.push({ path: [key], message: `expected a whole number ${min}..${max}, got ${JSON.stringify(text)}` })
  return fallback
}

function usage(message: string): number {
  console.error(`browse: ${message}\n\n${help.trimEnd()}`)
  return EX_USAGE
}
