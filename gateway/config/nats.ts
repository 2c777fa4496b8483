/**
 * `upstream.nats` of gateway.yaml -> NatsConfig, without its secrets: which file holds them is
 * returned for load.ts to read (nats-secrets.ts). Pure, like parse.ts.
 */
import { resolve } from 'node:path'
import { natsIdProblem } from '../base/nats-subjects.js'
import { defaults } from './defaults.js'
import type { Fields, Section } from './fields.js'
import { parseServerUrls, type ServerRules } from './servers.js'
import type { NatsConfig, SparkplugConfig } from './types.js'

export const natsKeys = {
  nats: ['servers', 'mode', 'name', 'auth', 'tls', 'keepalive', 'connectTimeout', 'reconnect', 'heartbeat', 'replayWindow', 'jetstream'],
  natsAuth: ['tokenFile', 'username', 'passwordFile', 'nkeySeedFile', 'credentialsFile'],
  jetstream: ['stream', 'create', 'replicas', 'duplicateWindow', 'ackTimeout'],
} as const

/** Where the NATS secret is, by kind; `file` is absolute. */
export type NatsSecretFile =
  | { readonly kind: 'token'; readonly file: string; readonly key: 'tokenFile' }
  | { readonly kind: 'user'; readonly file: string; readonly key: 'passwordFile'; readonly username: string }
  | { readonly kind: 'nkey'; readonly file: string; readonly key: 'nkeySeedFile' }
  | { readonly kind: 'credentials'; readonly file: string; readonly key: 'credentialsFile' }

export type ParsedNats = Omit<NatsConfig, 'auth'> & { readonly secret?: NatsSecretFile }

const hourMs = 3_600_000
// Stream names become directory names on the servers: nats-server's isValidAssetName refuses these.
const streamName = /^[^\s.*>\\/\0-\x1f\x7f]{1,255}$/

/** `n` is the `upstream.nats` section; `tls` was parsed by parse.ts from its `tls` key. */
export function parseNats(f: Fields, n: Section, sparkplug: SparkplugConfig | undefined, dir: string, tls: NatsConfig['tls']): ParsedNats | undefined {
  const servers = parseServerUrls(f, n, natsServers)?.map((server) => server.written)
  const mode = f.oneOf(n, 'mode', ['core', 'jetstream']) ?? defaults.nats.mode
  const name = f.string(n, 'name') ?? (sparkplug && `${sparkplug.groupId}-${sparkplug.edgeNodeId}`.replace(/[^0-9A-Za-z_-]/g, '-'))
  const secret = parseAuth(f, n, dir)
  const keepaliveMs = bounded(f, n, 'keepalive', 1000, hourMs) ?? defaults.nats.keepaliveMs
  const connectTimeoutMs = f.duration(n, 'connectTimeout', { positive: true }) ?? defaults.nats.connectTimeoutMs
  const reconnect = f.section(n, 'reconnect', ['min', 'max'])
  const reconnectMinMs = f.duration(reconnect, 'min', { positive: true }) ?? defaults.nats.reconnectMinMs
  const reconnectMaxMs = f.duration(reconnect, 'max', { positive: true }) ?? defaults.nats.reconnectMaxMs
  if (reconnect !== undefined && reconnectMinMs > reconnectMaxMs) f.error([...reconnect.path, 'max'], 'reconnect.max must be at least reconnect.min')
  const heartbeatMs = bounded(f, n, 'heartbeat', 1000, hourMs) ?? defaults.nats.heartbeatMs
  const replayWindowMs = f.duration(n, 'replayWindow') ?? Math.round(keepaliveMs * defaults.nats.replayWindowKeepalives)
  const jetstream = parseJetStream(f, n)
  checkModeKeys(f, n, mode)
  if (sparkplug !== undefined) checkIds(f, sparkplug)
  if (servers === undefined || name === undefined) return undefined
  return {
    servers, mode, name,
    ...(secret === undefined ? {} : { secret }),
    ...(tls === undefined ? {} : { tls }),
    keepaliveMs, connectTimeoutMs, reconnectMinMs, reconnectMaxMs, heartbeatMs, replayWindowMs, jetstream,
  }
}

/** A Sparkplug id becomes a NATS subject token: refused here when it cannot be one (device ids: `natsIdProblem` in load.ts). */
export function natsIdError(id: string): string | undefined {
  const problem = natsIdProblem(id)
  return problem && `'${id}' ${problem}; with upstream.nats ids may not contain spaces, tabs, '*' or '>' (NATS subject tokens end at blanks; * and > are wildcards)`
}

function checkIds(f: Fields, sparkplug: SparkplugConfig): void {
  for (const key of ['groupId', 'edgeNodeId', 'primaryHostId'] as const) {
    const id = sparkplug[key]
    const error = id === undefined ? undefined : natsIdError(id)
    if (error !== undefined) f.error(['sparkplug', key], error)
  }
}

const natsServers: ServerRules = {
  schemes: ['nats:', 'tls:'],
  example: 'nats://server:4222 or tls://server:4222',
  problem: (url) => url.pathname !== '' && url.pathname !== '/'
    ? 'expected a URL such as nats://server:4222 or tls://server:4222'
    : url.username !== '' || url.password !== ''
      ? 'a user or password in a NATS server URL would show in logs and /status; use auth.username with auth.passwordFile, or auth.tokenFile'
      : undefined,
}

function parseAuth(f: Fields, n: Section, dir: string): NatsSecretFile | undefined {
  const a = f.section(n, 'auth', natsKeys.natsAuth)
  if (a === undefined) return undefined
  const file = (key: string): string | undefined => {
    const path = f.string(a, key)
    return path === undefined ? undefined : resolve(dir, path)
  }
  const tokenFile = file('tokenFile')
  const username = f.string(a, 'username')
  const passwordFile = file('passwordFile')
  const nkeySeedFile = file('nkeySeedFile')
  const credentialsFile = file('credentialsFile')
  const ways = [tokenFile, username ?? passwordFile, nkeySeedFile, credentialsFile].filter((w) => w !== undefined).length
  const expected = 'give exactly one of tokenFile, username with passwordFile, nkeySeedFile or credentialsFile'
  if (ways !== 1 && Object.keys(a.value).length > 0) return f.error(a.path, `${expected}, not several`)
  if (ways !== 1) return f.error(a.path, expected)
  if (tokenFile !== undefined) return { kind: 'token', file: tokenFile, key: 'tokenFile' }
  if (nkeySeedFile !== undefined) return { kind: 'nkey', file: nkeySeedFile, key: 'nkeySeedFile' }
  if (credentialsFile !== undefined) return { kind: 'credentials', file: credentialsFile, key: 'credentialsFile' }
  if (username === undefined) return f.error(a.path, 'passwordFile needs username')
  if (passwordFile === undefined) return f.error(a.path, 'username needs passwordFile')
  return { kind: 'user', username, file: passwordFile, key: 'passwordFile' }
}

function parseJetStream(f: Fields, n: Section): NatsConfig['jetstream'] {
  const j = f.section(n, 'jetstream', natsKeys.jetstream)
  const d = defaults.nats.jetstream
  const stream = f.string(j, 'stream') ?? d.stream
  if (j !== undefined && !streamName.test(stream)) {
    f.error([...j.path, 'stream'], "expected a stream name of at most 255 characters without spaces, '.', '*', '>', '/', '\\' or control characters")
  }
  const replicas = f.number(j, 'replicas', { min: 1, integer: true }) ?? d.replicas
  if (j !== undefined && replicas > 5) f.error([...j.path, 'replicas'], 'expected 1 to 5 (JetStream keeps at most 5 replicas)')
  const duplicateWindowMs = f.duration(j, 'duplicateWindow') ?? d.duplicateWindowMs
  if (j !== undefined && duplicateWindowMs < 60_000) {
    f.error([...j.path, 'duplicateWindow'], 'expected at least 1m: a record resent after a reconnect must still be recognised as a duplicate')
  }
  return {
    stream,
    create: f.boolean(j, 'create') ?? d.create,
    replicas,
    duplicateWindowMs,
    ackTimeoutMs: f.duration(j, 'ackTimeout', { positive: true }) ?? d.ackTimeoutMs,
  }
}

/**
 * Keys the mode ignores. A `jetstream:` block in core mode is an error: whoever wrote it expects
 * messages stored once, and core NATS stores nothing. `replayWindow` in JetStream mode only warns:
 * rows leave on PubAck there, which is the stronger guarantee.
 */
function checkModeKeys(f: Fields, n: Section, mode: NatsConfig['mode']): void {
  if (mode !== 'jetstream' && f.has(n, 'jetstream')) {
    const which = f.has(n, 'mode') ? 'in mode core (at most once, nothing stored)' : 'in mode core (the default: at most once, nothing stored)'
    f.error([...n.path, 'jetstream'], `jetstream settings have no effect ${which}; did you mean mode: jetstream?`)
  }
  if (mode === 'jetstream' && f.has(n, 'replayWindow')) {
    f.warn([...n.path, 'replayWindow'], 'has no effect in mode jetstream (rows leave the buffer on PubAck, nothing is replayed by time); remove it, or use mode: core')
  }
}

/** A duration within [minMs, maxMs]; out of range is an error that names both bounds. */
function bounded(f: Fields, s: Section, key: string, minMs: number, maxMs: number): number | undefined {
  const ms = f.duration(s, key)
  if (ms === undefined || (ms >= minMs && ms <= maxMs)) return ms
  return f.error([...s.path, key], `expected a duration between ${minMs / 1000}s and ${maxMs / hourMs}h`)
}
