/** `connection:` of an OPC UA device file -> endpoint, security, user identity, mode and timing. */
import { isAbsolute } from 'node:path'
import type { ConfigError, ConfigPath } from '../../gateway/model/result.js'
import { Fields, isRecord } from '../../gateway/base/fields.js'
import { size } from './parse-tag.js'
import {
  defaults, deprecatedPolicies, type OpcuaDeviceConfig, type SecurityPolicyName, securityModes, securityPolicies, type UserIdentity,
} from './config.js'

export const connectionKeys = ['endpoint', 'securityMode', 'securityPolicy', 'user', 'mode', 'publishingInterval', 'timeout', 'trustServer', 'pkiDir', 'maxBytesPerScan']

/** `publishingIntervalMs` null: not written, decided from the tags' sampling (see parse.ts). */
export type ParsedConnection = Omit<OpcuaDeviceConfig, 'points' | 'publishingIntervalMs'> & { readonly publishingIntervalMs: number | null }

export function parseConnection(raw: unknown, at: ConfigPath, errors: ConfigError[]): ParsedConnection {
  const path = [...at, 'connection']
  if (!isRecord(raw)) {
    errors.push({ path, message: 'expected a mapping like { endpoint: opc.tcp://192.168.1.20:4840, securityMode: SignAndEncrypt }' })
    raw = {}
  }
  const f = new Fields(raw as Record<string, unknown>, path, errors)
  f.unknownKeys(connectionKeys)
  const endpoint = f.requiredString('endpoint', 'the server URL, e.g. endpoint: opc.tcp://192.168.1.20:4840')
  if (endpoint !== '' && !/^opc\.tcp:\/\/[^/:\s]+(:\d{1,5})?(\/\S*)?$/.test(endpoint)) {
    f.fail('endpoint', `expected opc.tcp://host:port/path, got ${JSON.stringify(endpoint)}`)
  }
  const securityMode = f.oneOf('securityMode', securityModes, defaults.securityMode)
  return {
    endpoint,
    securityMode,
    securityPolicy: policy(f, securityMode),
    user: user(raw as Record<string, unknown>, path, errors),
    mode: f.oneOf('mode', ['subscription', 'polling'] as const, defaults.mode),
    publishingIntervalMs: f.get('publishingInterval') === undefined ? null : positive(f, 'publishingInterval', defaults.publishingInterval),
    timeoutMs: positive(f, 'timeout', defaults.timeout),
    maxBytesPerScan: size(f, 'maxBytesPerScan', defaults.maxBytesPerScan, defaults.ceilingBytesPerScan),
    trustServer: f.boolean('trustServer', defaults.trustServer),
    pkiDir: absolutePath(f, 'pkiDir') ?? null,
  }
}

function policy(f: Fields, mode: string): SecurityPolicyName {
  const named = f.get('securityPolicy')
  if (mode === 'None') {
    if (named !== undefined && String(named) !== 'None') f.fail('securityPolicy', `securityMode None sends everything unsigned; a policy needs securityMode Sign or SignAndEncrypt`)
    return 'None'
  }
  if (named === undefined) return defaults.securedPolicy
  const all: readonly SecurityPolicyName[] = [...securityPolicies, ...deprecatedPolicies]
  const match = all.find((p) => p.toLowerCase() === String(named).trim().toLowerCase())
  if (match === undefined) {
    f.fail('securityPolicy', `expected one of ${securityPolicies.join(' | ')} (deprecated, only when the server has nothing better: ${deprecatedPolicies.join(' | ')}), got ${JSON.stringify(named)}`)
    return defaults.securedPolicy
  }
  return match
}

function user(raw: Record<string, unknown>, at: ConfigPath, errors: ConfigError[]): UserIdentity {
  const value = raw.user
  if (value === undefined || value === null) return { kind: 'anonymous' }
  const path = [...at, 'user']
  if (!isRecord(value)) {
    errors.push({ path, message: 'expected { username, passwordFile } or { certificate, privateKey }; leave user out for anonymous' })
    return { kind: 'anonymous' }
  }
  const f = new Fields(value, path, errors)
  if (value.username !== undefined || value.passwordFile !== undefined) {
    f.unknownKeys(['username', 'passwordFile'])
    const username = f.requiredString('username', 'the user name, e.g. username: gateway')
    const passwordFile = absolutePath(f, 'passwordFile') ?? ''
    if (value.passwordFile === undefined) f.fail('passwordFile', 'required with username: a file holding the password (not the password itself)')
    return { kind: 'username', username, passwordFile }
  }
  f.unknownKeys(['certificate', 'privateKey'])
  const certificate = absolutePath(f, 'certificate')
  const privateKey = absolutePath(f, 'privateKey')
  if (value.certificate === undefined) f.fail('certificate', 'required: the X.509 user certificate (PEM or DER), or use { username, passwordFile }')
  if (value.privateKey === undefined) f.fail('privateKey', 'required: the PEM private key of the user certificate')
  return { kind: 'certificate', certificate: certificate ?? '', privateKey: privateKey ?? '' }
}

// The driver's parse is not told which file it reads, so a relative path could not be resolved
// against that file as every other path is; refusing it beats resolving it against the cwd.
function absolutePath(f: Fields, key: string): string | undefined {
  const value = f.string(key)
  if (value === undefined) return undefined
  if (!isAbsolute(value)) f.fail(key, `expected an absolute path, got ${JSON.stringify(value)}`)
  return value
}

function positive(f: Fields, key: string, fallback: string): number {
  const ms = f.duration(key, fallback)
  if (ms > 0) return ms
  f.fail(key, 'expected a duration above zero, e.g. 1s')
  return 1000
}
