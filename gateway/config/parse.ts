/**
 * gateway.yaml -> the node-level part of GatewayConfig. Pure: no I/O. Relative paths are resolved
 * against the file's directory here (path arithmetic only); reading `passwordFile` is load.ts's job.
 */
import { dirname, resolve } from 'node:path'
import type { ConfigError, Result } from '../model/result.js'
import { fail, ok } from '../model/result.js'
import { defaults } from './defaults.js'
import { Fields, type Section } from './fields.js'
import { httpKeys, parseHttp } from './http.js'
import { natsKeys, parseNats, type NatsSecretFile } from './nats.js'
import { parseServerUrls, type ServerRules } from './servers.js'
import type { BufferConfig, CommandsConfig, GatewayConfig, LogLevel, MqttConfig, ServerLogin, SparkplugConfig } from './types.js'

/** The keys each section allows; schema.ts describes exactly these (a test checks). */
export const gatewayKeys = {
  root: ['sparkplug', 'upstream', 'devices', 'stateDir', 'buffer', 'http', 'log', 'commands', 'limits'],
  sparkplug: ['groupId', 'edgeNodeId', 'primaryHostId', 'uint32Field'],
  upstream: ['mqtt', 'nats'],
  mqtt: ['servers', 'version', 'clientId', 'username', 'passwordFile', 'allowPlaintextCredentials', 'tls', 'keepalive', 'connectTimeout', 'reconnect', 'dataQos', 'replayWindow'],
  tls: ['ca', 'cert', 'key', 'verifyHostname'],
  reconnect: ['min', 'max'],
  buffer: ['path', 'maxSize', 'whenFull', 'durability'],
  ...httpKeys,
  log: ['level'],
  ...natsKeys,
  limits: ['tagsPerDevice'],
  commands: ['writes', 'reboot', 'scanRate', 'scanRateMin', 'scanRateMax', 'maxPayloadSize', 'maxMetrics', 'maxQueuedWrites', 'auditValueLength'],
} as const

export const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const mqttServers: ServerRules = {
  schemes: ['mqtt:', 'mqtts:', 'ws:', 'wss:'],
  example: 'mqtt://broker:1883, mqtts://broker:8883, ws://… or wss://…',
}
const secureSchemes = ['mqtts:', 'wss:']
// MQTT's keepalive is a 16-bit count of seconds.
const maxKeepaliveMs = 65_535_000

/** gateway.yaml parsed: everything but the devices, and the password file still to read. */
export interface ParsedGateway {
  readonly config: Omit<GatewayConfig, 'devices'>
  /** Absolute path of `upstream.mqtt.passwordFile`, when given; load.ts reads it into `password`. */
  readonly passwordFile?: string
  /** The file holding `upstream.nats.auth`'s secret, when given; load.ts reads it into `auth`. */
  readonly natsSecret?: NatsSecretFile
}

/** Validates gateway.yaml (`raw` as the YAML parser returned it) and applies defaults. */
export function parseGateway(raw: unknown, file: string, warnings: ConfigError[] = []): Result<ParsedGateway, ConfigError[]> {
  const f = new Fields()
  const result = parseWith(f, raw, file)
  warnings.push(...f.warnings)
  return result
}

function parseWith(f: Fields, raw: unknown, file: string): Result<ParsedGateway, ConfigError[]> {
  const dir = dirname(file)
  const root = f.root(raw, [...gatewayKeys.root])
  const sparkplug = parseSparkplug(f, root)
  const upstream = parseUpstream(f, root, sparkplug, dir)
  const stateDir = resolve(dir, f.string(root, 'stateDir') ?? defaults.stateDir)
  const devicesDir = resolve(dir, f.string(root, 'devices') ?? defaults.devicesDir)
  const buffer = parseBuffer(f, root, dir, stateDir)
  const http = parseHttp(f, root, dir)
  const log = f.section(root, 'log', gatewayKeys.log)
  const level = f.oneOf(log, 'level', logLevels) ?? defaults.log.level
  const commands = parseCommandsSection(f, root)
  const limits = f.section(root, 'limits', gatewayKeys.limits)
  const tagsPerDevice = f.number(limits, 'tagsPerDevice', { integer: true, min: 1 }) ?? defaults.limits.tagsPerDevice
  if (f.errors.length > 0 || sparkplug === undefined || upstream === undefined || http === undefined) return fail(f.errors)
  const node = { file, sparkplug, devicesDir, buffer, stateDir, http, log: { level }, commands, limits: { tagsPerDevice } }
  if ('nats' in upstream) {
    const { secret, ...nats } = upstream.nats
    return ok({ config: { ...node, upstream: { nats } }, ...(secret === undefined ? {} : { natsSecret: secret }) })
  }
  const { passwordFile, ...mqttConfig } = upstream.mqtt
  return ok({
    config: { ...node, upstream: { mqtt: mqttConfig } },
    ...(passwordFile === undefined ? {} : { passwordFile }),
  })
}

function parseSparkplug(f: Fields, root: Section | undefined): SparkplugConfig | undefined {
  const s = f.section(root, 'sparkplug', gatewayKeys.sparkplug, { required: true })
  const groupId = f.id(s, 'groupId', { required: true })
  const edgeNodeId = f.id(s, 'edgeNodeId', { required: true })
  const primaryHostId = f.id(s, 'primaryHostId')
  const uint32Field = f.oneOf(s, 'uint32Field', ['long_value', 'int_value']) ?? defaults.sparkplug.uint32Field
  if (groupId === undefined || edgeNodeId === undefined) return undefined
  return { groupId, edgeNodeId, ...(primaryHostId === undefined ? {} : { primaryHostId }), uint32Field }
}

type ParsedMqtt = MqttConfig & { readonly passwordFile?: string }

function parseUpstream(
  f: Fields, root: Section | undefined, sparkplug: SparkplugConfig | undefined, dir: string,
): { readonly mqtt: ParsedMqtt } | { readonly nats: ReturnType<typeof parseNats> & object } | undefined {
  const upstream = f.section(root, 'upstream', gatewayKeys.upstream, { required: true })
  if (upstream === undefined) return undefined
  const given = gatewayKeys.upstream.filter((key) => upstream.value[key] !== undefined && upstream.value[key] !== null)
  if (given.length !== 1) return f.error(upstream.path, `expected exactly one of mqtt or nats${given.length > 1 ? ', not both' : ''}`)
  if (given[0] === 'nats') {
    const n = f.section(upstream, 'nats', gatewayKeys.nats)
    const nats = n && parseNats(f, n, sparkplug, dir, parseTls(f, n, dir))
    return nats && { nats }
  }
  const mqtt = parseMqtt(f, upstream, sparkplug, dir)
  return mqtt && { mqtt }
}

function parseMqtt(f: Fields, upstream: Section, sparkplug: SparkplugConfig | undefined, dir: string): ParsedMqtt | undefined {
  const m = f.section(upstream, 'mqtt', gatewayKeys.mqtt, { required: true })
  if (m === undefined) return undefined
  const parsedServers = parseServerUrls(f, m, mqttServers)?.map((server) => splitLogin(server.url, server.written))
  const version = parseVersion(f, m)
  const clientId = f.string(m, 'clientId') ?? (sparkplug && `${sparkplug.groupId}-${sparkplug.edgeNodeId}`.replace(/[^0-9A-Za-z_-]/g, '-'))
  const username = f.string(m, 'username')
  const passwordFile = f.string(m, 'passwordFile')
  if (parsedServers !== undefined && !f.boolean(m, 'allowPlaintextCredentials')) checkPlaintextCredentials(f, m, parsedServers, passwordFile !== undefined)
  const tls = parseTls(f, m, dir)
  const keepaliveMs = f.duration(m, 'keepalive') ?? defaults.mqtt.keepaliveMs
  if (keepaliveMs % 1000 !== 0 || keepaliveMs < 1000 || keepaliveMs > maxKeepaliveMs) {
    f.error([...m.path, 'keepalive'], 'expected whole seconds between 1s and 65535s (MQTT counts keepalive in seconds)')
  }
  const connectTimeoutMs = f.duration(m, 'connectTimeout', { positive: true }) ?? defaults.mqtt.connectTimeoutMs
  const reconnect = f.section(m, 'reconnect', gatewayKeys.reconnect)
  const reconnectMinMs = f.duration(reconnect, 'min', { positive: true }) ?? defaults.mqtt.reconnectMinMs
  const reconnectMaxMs = f.duration(reconnect, 'max', { positive: true }) ?? defaults.mqtt.reconnectMaxMs
  if (reconnect !== undefined && reconnectMinMs > reconnectMaxMs) f.error([...reconnect.path, 'max'], 'reconnect.max must be at least reconnect.min')
  const dataQos = parseQos(f, m)
  const replayWindowMs = f.duration(m, 'replayWindow') ?? Math.round(keepaliveMs * defaults.mqtt.replayWindowKeepalives)
  if (parsedServers !== undefined) checkMqttKeys(f, m, parsedServers, dataQos)
  if (parsedServers === undefined || version === undefined || clientId === undefined) return undefined
  const servers = parsedServers.map((s) => s.shown)
  const logins = parsedServers.map((s) => s.login)
  return {
    servers, version, clientId,
    ...(logins.every((l) => l === null) ? {} : { serverLogins: logins }),
    ...(username === undefined ? {} : { username }),
    ...(passwordFile === undefined ? {} : { passwordFile: resolve(dir, passwordFile) }),
    ...(tls === undefined ? {} : { tls }),
    keepaliveMs, connectTimeoutMs, reconnectMinMs, reconnectMaxMs, dataQos, replayWindowMs,
  }
}

/** A server URL as written, split into what may be shown and the login written inside it. */
interface ParsedServer {
  readonly shown: string
  readonly login: ServerLogin | null
  readonly secure: boolean
}

/** `mqtt://user:secret@host:1883` -> shown `mqtt://host:1883` and the login; URLs without one are kept as written. */
function splitLogin(url: URL, written: string): ParsedServer {
  const secure = secureSchemes.includes(url.protocol)
  if (url.username === '' && url.password === '') return { shown: written, login: null, secure }
  const login = {
    ...(url.username === '' ? {} : { username: decode(url.username) }),
    ...(url.password === '' ? {} : { password: decode(url.password) }),
  }
  url.username = ''
  url.password = ''
  return { shown: url.href, login, secure }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * A password sent to a plaintext server travels in clear. With every server plaintext that is
 * the user's visible choice; in a list that also has TLS servers it would happen silently, on
 * failover, so it needs `allowPlaintextCredentials: true`.
 */
function checkPlaintextCredentials(f: Fields, m: Section, servers: readonly ParsedServer[], passwordFile: boolean): void {
  if (!servers.some((s) => s.secure)) return
  const exposed = servers.findIndex((s) => !s.secure && (s.login?.password !== undefined || passwordFile))
  if (exposed < 0) return
  f.error(
    [...m.path, 'servers', exposed],
    `this plaintext server would be sent the MQTT password in clear text, while other servers use TLS; ` +
      'use mqtts:// or wss:// for every server, or set allowPlaintextCredentials: true to accept it',
  )
}

/**
 * Keys the chosen servers or QoS ignore, as warnings: a configuration that ran before still runs
 * after an upgrade. A tls block with only plaintext servers reads as "encrypted", and is not:
 * TLS is used only for mqtts:// and wss://.
 */
function checkMqttKeys(f: Fields, m: Section, servers: readonly ParsedServer[], dataQos: 0 | 1): void {
  const secure = servers.filter((s) => s.secure).length
  if (secure === 0 && f.has(m, 'tls')) {
    f.warn([...m.path, 'tls'], 'tls applies to mqtts:// and wss:// servers only, and every server here is plaintext (mqtt:// or ws://): the connection would not be encrypted; use mqtts:// or wss:// URLs, or remove tls')
  }
  if (dataQos === 1 && f.has(m, 'replayWindow')) {
    f.warn([...m.path, 'replayWindow'], 'has no effect with dataQos 1 (rows leave the buffer on PUBACK, nothing is replayed by time); remove it, or use dataQos 0')
  }
  if (f.has(m, 'allowPlaintextCredentials') && (secure === 0 || secure === servers.length)) {
    const why = secure === 0 ? 'no server uses TLS (mqtts:// or wss://)' : 'every server uses TLS'
    f.warn([...m.path, 'allowPlaintextCredentials'], `has no effect: ${why}, so no password can go to a plaintext server by failover`)
  }
}

function parseVersion(f: Fields, m: Section): MqttConfig['version'] | undefined {
  const found = f.get(m, 'version')
  if (found === undefined) return defaults.mqtt.version
  // YAML reads `3.1.1` as a string and `5` as a number; both spellings mean the same.
  const text = String(found.value)
  if (text === '3.1.1' || text === '5') return text
  return f.error(found.path, "expected 3.1.1 or 5")
}

function parseQos(f: Fields, m: Section): 0 | 1 {
  const found = f.get(m, 'dataQos')
  if (found === undefined) return defaults.mqtt.dataQos
  if (found.value === 0 || found.value === 1) return found.value
  f.error(found.path, 'expected 0 or 1 (Sparkplug data is QoS 0; 1 keeps rows buffered until PUBACK)')
  return defaults.mqtt.dataQos
}

function parseTls(f: Fields, m: Section, dir: string): MqttConfig['tls'] {
  const t = f.section(m, 'tls', gatewayKeys.tls)
  if (t === undefined) return undefined
  const files: { ca?: string; cert?: string; key?: string } = {}
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = f.string(t, key)
    if (path !== undefined) files[key] = resolve(dir, path)
  }
  if ((files.cert === undefined) !== (files.key === undefined)) f.error(t.path, 'cert and key go together: give both or neither')
  return { ...files, verifyHostname: f.boolean(t, 'verifyHostname') ?? defaults.mqtt.verifyHostname }
}

function parseBuffer(f: Fields, root: Section | undefined, dir: string, stateDir: string): BufferConfig {
  const b = f.section(root, 'buffer', gatewayKeys.buffer)
  const written = b?.value.path
  // `path: null` (or `memory`) keeps the outbox in memory: nothing survives a restart.
  const memory = b !== undefined && 'path' in b.value && (written === null || written === 'memory' || written === ':memory:')
  const path = memory ? null : resolve(dir, f.string(b, 'path') ?? resolve(stateDir, defaults.buffer.file))
  if (memory && f.has(b, 'durability')) f.warn([...b.path, 'durability'], 'has no effect with an in-memory buffer (path: memory): nothing is written to disk')
  return {
    path,
    maxSizeBytes: f.size(b, 'maxSize') ?? defaults.buffer.maxSizeBytes,
    whenFull: f.oneOf(b, 'whenFull', ['drop-oldest', 'drop-newest']) ?? defaults.buffer.whenFull,
    durability: f.oneOf(b, 'durability', ['power', 'process']) ?? defaults.buffer.durability,
  }
}

function parseCommandsSection(f: Fields, root: Section | undefined): CommandsConfig {
  const c = f.section(root, 'commands', gatewayKeys.commands)
  const d = defaults.commands
  const scanRateMinMs = f.duration(c, 'scanRateMin', { positive: true }) ?? d.scanRateMinMs
  const scanRateMaxMs = f.duration(c, 'scanRateMax', { positive: true }) ?? d.scanRateMaxMs
  if (c !== undefined && scanRateMinMs > scanRateMaxMs) f.error([...c.path, 'scanRateMax'], 'scanRateMax must be at least scanRateMin')
  // A switched-off command has no use for its limits; they would suggest it is bounded, not refused.
  const ignored = (off: string, keys: readonly string[], what: string) => {
    if (c === undefined || c.value[off] !== false) return
    for (const key of keys) if (f.has(c, key)) f.warn([...c.path, key], `has no effect with ${off}: false (${what})`)
  }
  ignored('writes', ['maxQueuedWrites'], 'every DCMD is refused')
  ignored('scanRate', ['scanRateMin', 'scanRateMax'], 'Node Control/Scan Rate is refused')
  const maxPayloadBytes = f.size(c, 'maxPayloadSize') ?? d.maxPayloadBytes
  if (c !== undefined && maxPayloadBytes < 1) f.error([...c.path, 'maxPayloadSize'], 'expected a size above 0')
  return {
    writes: f.boolean(c, 'writes') ?? d.writes,
    reboot: f.boolean(c, 'reboot') ?? d.reboot,
    scanRate: f.boolean(c, 'scanRate') ?? d.scanRate,
    scanRateMinMs,
    scanRateMaxMs,
    maxPayloadBytes,
    maxMetrics: f.number(c, 'maxMetrics', { min: 1, integer: true }) ?? d.maxMetrics,
    maxQueuedWrites: f.number(c, 'maxQueuedWrites', { min: 1, integer: true }) ?? d.maxQueuedWrites,
    auditValueLength: f.number(c, 'auditValueLength', { min: 16, integer: true }) ?? d.auditValueLength,
  }
}
