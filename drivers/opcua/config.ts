/** The parsed configuration of one OPC UA device, and every default in one place. */
import { join } from 'node:path'
import type { OpcuaType } from './types.js'
import type { SizeLimits } from './value-size.js'

export const securityModes = ['None', 'Sign', 'SignAndEncrypt'] as const
export type SecurityModeName = (typeof securityModes)[number]

/** Policies offered by default; the deprecated ones are accepted only when a file names them. */
export const securityPolicies = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const
export const deprecatedPolicies = ['Basic128Rsa15', 'Basic256'] as const
export type SecurityPolicyName = 'None' | (typeof securityPolicies)[number] | (typeof deprecatedPolicies)[number]

export type UserIdentity =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'username'; readonly username: string; readonly passwordFile: string }
  | { readonly kind: 'certificate'; readonly certificate: string; readonly privateKey: string }

/** Server-side DataChangeFilter of a monitored item. Percent needs the variable's EURange on the server. */
export interface Deadband {
  readonly kind: 'absolute' | 'percent'
  readonly value: number
}

export interface OpcuaPoint {
  readonly name: string
  /** As written, checked for syntax (ns=2;s=..., i=, g=, b=, nsu=...;). */
  readonly nodeId: string
  /** The tag's `type`; null: the server's data type (resolved at open). */
  readonly declared: OpcuaType | null
  /** Monitored item sampling interval: `samplingInterval`, else the tag's `poll`, else the device's (0: as fast as the server can). */
  readonly samplingIntervalMs: number
  /** `queueSize`, else enough samples for one publishing interval (see `coveringQueue`). */
  readonly queueSize: number
  readonly deadband: Deadband | null
  readonly writable: boolean
  /** A larger value is a bad reading naming the limit (`maxStringBytes`, `maxArrayLength`). */
  readonly limits: SizeLimits
}

export interface OpcuaDeviceConfig {
  /** opc.tcp://host:port/path */
  readonly endpoint: string
  readonly securityMode: SecurityModeName
  readonly securityPolicy: SecurityPolicyName
  readonly user: UserIdentity
  /** subscription: monitored items push changes; polling: one batched Read per scan. */
  readonly mode: 'subscription' | 'polling'
  readonly publishingIntervalMs: number
  /** How long one request (connect, read, write, create items) waits. */
  readonly timeoutMs: number
  /** Bytes of values one Read or one Publish answer may bring; the values past it are bad readings. */
  readonly maxBytesPerScan: number
  /** Accept an unknown server certificate without the `trust` step (logged as a warning at every open). */
  readonly trustServer: boolean
  /**
   * The client's PKI: own certificate and key, trusted/ and rejected/ server certificates. Null:
   * `opcua-pki` in the gateway's state directory (see `withPki`).
   */
  readonly pkiDir: string | null
  readonly points: readonly OpcuaPoint[]
}

/**
 * The queue a monitored item needs so that no sample is dropped between two publishes: publishing
 * ÷ sampling, plus one for timer jitter (two samples can fall into one interval); 1 for a
 * sampling interval of 0 (the server's fastest rate, unknown here).
 */
export function coveringQueue(publishingIntervalMs: number, samplingIntervalMs: number): number {
  if (samplingIntervalMs <= 0) return 1
  return Math.ceil(publishingIntervalMs / samplingIntervalMs) + 1
}

/** A device configuration whose PKI directory is decided. */
export type ResolvedOpcuaConfig = OpcuaDeviceConfig & { readonly pkiDir: string }

/** Decides the PKI directory: the configured one, else `<stateDir>/opcua-pki` (the package's state directory when none is known, as for `browse`). */
export function withPki(config: OpcuaDeviceConfig, stateDir: string | undefined): ResolvedOpcuaConfig {
  return { ...config, pkiDir: config.pkiDir ?? join(stateDir ?? defaults.stateDir, 'opcua-pki') }
}

export const defaults = {
  securityMode: 'None' as SecurityModeName,
  securedPolicy: 'Basic256Sha256' as SecurityPolicyName,
  mode: 'subscription' as const,
  /** Used only for a device without tags (browse); otherwise the fastest tag's sampling interval. */
  publishingInterval: '1s',
  timeout: '5s',
  trustServer: false,
  /** The packaged service's state directory, for a PKI used outside a gateway (`browse`). */
  stateDir: '/var/lib/sparkplug-gateway',
  /** The gateway's scan period, for a device parsed without one (browse). */
  pollMs: 1000,
  maxQueueSize: 1000,
  maxStringBytes: 64 * 1024,
  maxArrayLength: 10_000,
  maxBytesPerScan: 4 * 1024 * 1024,
  /** How far a tag or device may raise the limits above (a value must still fit the gateway's heap). */
  ceilingStringBytes: 16 * 1024 * 1024,
  ceilingArrayLength: 1_000_000,
  ceilingBytesPerScan: 64 * 1024 * 1024,
  /** Items per CreateMonitoredItems / nodes per Read when the server states no limit. */
  maxPerCall: 1000,
  /** Keep-alive count of the subscription: a quiet subscription still proves it lives this often. */
  maxKeepAliveCount: 10,
  lifetimeCount: 60,
}
