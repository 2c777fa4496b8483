/**
 * The typed configuration, as produced by `parse.ts` from gateway.yaml and the device tag files.
 * Everything here is already validated: downstream code never re-checks it.
 */
import type { SparkplugType, Value } from '../model/value.js'
import type { DerivedProgram } from '../derive/deriver.js'

export interface GatewayConfig {
  /** Absolute path of gateway.yaml, for messages and for relative paths. */
  readonly file: string
  readonly sparkplug: SparkplugConfig
  /** Exactly one upstream: an MQTT broker or a NATS server (cluster). */
  readonly upstream: { readonly mqtt: MqttConfig; readonly nats?: undefined } | { readonly nats: NatsConfig; readonly mqtt?: undefined }
  readonly devices: readonly DeviceConfig[]
  /** Absolute path of the devices directory. */
  readonly devicesDir: string
  readonly buffer: BufferConfig
  /** Absolute path of the state directory (bdSeq, buffer). */
  readonly stateDir: string
  /** Where /metrics, /healthz and /status are served; absent in configs built by hand (tests). */
  readonly http?: HttpConfig
  readonly log: { readonly level: LogLevel }
  /** What NCMD/DCMD may do and how much; absent in configs built by hand (tests): the defaults apply. */
  readonly commands?: CommandsConfig
  /** Bounds of what the device files may declare; absent in configs built by hand (tests): the defaults apply. */
  readonly limits?: LimitsConfig
}

/** `limits:` in gateway.yaml. */
export interface LimitsConfig {
  /** A device file with more tags is refused at load (validate, start, reload). */
  readonly tagsPerDevice: number
}

/** Limits and switches for commands from hosts (`commands:` in gateway.yaml). */
export interface CommandsConfig {
  /** false refuses every DCMD (a read-only gateway). */
  readonly writes: boolean
  /** false refuses `Node Control/Reboot`. */
  readonly reboot: boolean
  /** false refuses `Node Control/Scan Rate`. */
  readonly scanRate: boolean
  /** Bounds of a `Scan Rate` other than 0 (0 restores the configured periods). */
  readonly scanRateMinMs: number
  readonly scanRateMaxMs: number
  /** Larger NCMD/DCMD payloads are refused whole, before decoding. */
  readonly maxPayloadBytes: number
  /** Commands with more metrics are refused whole. */
  readonly maxMetrics: number
  /** Writes waiting per device; more are refused. */
  readonly maxQueuedWrites: number
  /** Audit lines cut longer values to this many characters, keeping the length and a digest. */
  readonly auditValueLength: number
}

/** The local HTTP listener (`http.listen: 127.0.0.1:9780`). */
export interface HttpConfig {
  /** Address to bind: an IPv4/IPv6 literal or a host name, without brackets. */
  readonly host: string
  readonly port: number
  /** Required beyond loopback. `secret` is the file's text, filled in by the loader. */
  readonly auth?: HttpAuth
  /** Serve https instead of http. */
  readonly tls?: HttpTls
}

/** `http.tls`: the files as written (absolute), and their PEM text, filled in by the loader. */
export interface HttpTls {
  readonly certFile: string
  readonly keyFile: string
  readonly cert?: string
  readonly key?: string
}

export type HttpAuth =
  | { readonly kind: 'token'; readonly file: string; readonly secret?: string }
  | { readonly kind: 'user'; readonly username: string; readonly file: string; readonly secret?: string }

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface SparkplugConfig {
  readonly groupId: string
  readonly edgeNodeId: string
  /** Births wait for this host's STATE online (Sparkplug 3.0 §5.x primary host). */
  readonly primaryHostId?: string
  /** Encode UInt32 metric values in long_value (Ignition, Tahu Java, newer TCK) or int_value (spec text). */
  readonly uint32Field: 'int_value' | 'long_value'
}

export interface MqttConfig {
  /**
   * Broker URLs in failover order: mqtt://, mqtts://, ws://, wss://. Never with a user or
   * password in them (those are in `serverLogins`): these are what logs and /status show.
   */
  readonly servers: readonly string[]
  /** A user and password written inside a server URL, by index of `servers`; they win over username and passwordFile. */
  readonly serverLogins?: readonly (ServerLogin | null)[]
  readonly version: '3.1.1' | '5'
  readonly clientId: string
  readonly username?: string
  /** The password itself, already read from `passwordFile`. */
  readonly password?: string
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly verifyHostname: boolean }
  readonly keepaliveMs: number
  readonly connectTimeoutMs: number
  /** Delay before the first reconnect; grows to `reconnectMaxMs` with jitter. */
  readonly reconnectMinMs: number
  readonly reconnectMaxMs: number
  readonly dataQos: 0 | 1
  /**
   * QoS 0 only: records published this recently before a connection is found dead are kept and
   * replayed as history, since a dead TCP connection takes up to 1.5 x keepalive to notice.
   */
  readonly replayWindowMs: number
}

/** `upstream.nats`: Sparkplug over core NATS or JetStream. */
export interface NatsConfig {
  /** Server URLs in failover order: nats:// or tls://, host:port, never with credentials in them. */
  readonly servers: readonly string[]
  /** core: at most once, like QoS 0. jetstream: every message stored in a stream, rows leave the buffer on PubAck. */
  readonly mode: 'core' | 'jetstream'
  /** Client name the server shows in its connection list (`connz`). */
  readonly name: string
  /** At most one way to authenticate; secrets already read from their files. */
  readonly auth?:
    | { readonly kind: 'token'; readonly token: string }
    | { readonly kind: 'user'; readonly username: string; readonly password: string }
    | { readonly kind: 'nkey'; readonly seed: string; readonly seedFile: string }
    | { readonly kind: 'credentials'; readonly credentials: string; readonly credentialsFile: string }
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly verifyHostname: boolean }
  /** Interval of the client's PINGs; a connection missing two answers is found dead. */
  readonly keepaliveMs: number
  readonly connectTimeoutMs: number
  readonly reconnectMinMs: number
  readonly reconnectMaxMs: number
  /**
   * Interval of the node's liveness message while nothing else is published, declared in NBIRTH
   * (NATS has no will: a consumer declares the node dead after missing this for 3 intervals).
   */
  readonly heartbeatMs: number
  /** Core NATS only: records published this recently before a connection is found dead are replayed as history. */
  readonly replayWindowMs: number
  readonly jetstream: {
    /** Stream that must hold the node's subjects. */
    readonly stream: string
    /** Create the stream when it does not exist (file storage, `replicas`, `duplicateWindowMs`). */
    readonly create: boolean
    readonly replicas: number
    /** Shortest duplicate window accepted on an existing stream, and the one given to a created one. */
    readonly duplicateWindowMs: number
    /** How long a publish may wait for its PubAck before the connection is treated as lost. */
    readonly ackTimeoutMs: number
  }
}

/** The `user:password@` part of a server URL, decoded. */
export interface ServerLogin {
  readonly username?: string
  readonly password?: string
}

export interface BufferConfig {
  /** Absolute path of the SQLite outbox; `null` keeps the outbox in memory. */
  readonly path: string | null
  readonly maxSizeBytes: number
  readonly whenFull: 'drop-oldest' | 'drop-newest'
  readonly durability: 'power' | 'process'
}

/** One device tag file. `driverConfig` is what the driver module's `parse` returned. */
export interface DeviceConfig {
  readonly file: string
  readonly deviceId: string
  readonly driver: string
  /** Default scan period of the device's tags. */
  readonly pollMs: number
  /** Consecutive failed scans before the device is declared offline (DDEATH). */
  readonly offlineAfter: number
  readonly tags: readonly TagConfig[]
  /** Tags computed from the others (`derived:`), in file order; absent when there are none. */
  readonly derived?: readonly DerivedTagConfig[]
  readonly driverConfig: unknown
  /** Template instances of the device; their members are in `tags` too, named `<instance>/<member>`. */
  readonly instances?: readonly InstanceConfig[]
  /** Every type the instances use, nested ones included, sorted by name: the definitions NBIRTH carries. */
  readonly templates?: readonly TemplateTypeConfig[]
}

/** Datatypes a template parameter may have (Sparkplug Basic types). */
export type ParameterType = 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64'
  | 'Float' | 'Double' | 'Boolean' | 'String' | 'DateTime' | 'Text'

export type ParameterValue = number | bigint | boolean | string

export interface TemplateParameterConfig {
  readonly name: string
  readonly type: ParameterType
  readonly value: ParameterValue
}

/** One member of a type: a value with a datatype, or a nested template of another type. */
export interface TemplateMemberConfig {
  readonly name: string
  readonly datatype?: SparkplugType
  /** The nested template's type name. */
  readonly type?: string
  readonly units?: string
  readonly description?: string
}

/** A type file (`types/Pump.yaml`): a Sparkplug template definition. */
export interface TemplateTypeConfig {
  readonly file: string
  readonly name: string
  readonly version?: string
  readonly members: readonly TemplateMemberConfig[]
  /** With their defaults (the zero of their type when the file gives none). */
  readonly parameters: readonly TemplateParameterConfig[]
}

/** `instances:` of a device file: one template instance, its parameters with defaults applied. */
export interface InstanceConfig {
  readonly name: string
  readonly type: string
  readonly parameters: readonly TemplateParameterConfig[]
}

/** A derived tag: read-only, born and reported like a device tag, its value computed by the gateway. */
export interface DerivedTagConfig extends DerivedProgram {
  /** The expression as written, for messages and the status page. */
  readonly expression: string
  /** Declared, or inferred from the expression: Double for a number, Boolean, String. */
  readonly sparkplugType: SparkplugType
  readonly units?: string
  readonly description?: string
  readonly deadband: number
}

/** The driver-independent part of a tag: naming, scaling, reporting and write rules. */
export interface TagConfig {
  /** Sparkplug metric name; '/' makes folders. Unique within the device. */
  readonly name: string
  readonly pollMs: number
  /** engineering = raw * scale + offset; both absent means no scaling. */
  readonly scale?: number
  readonly offset?: number
  readonly units?: string
  readonly description?: string
  /** Absolute change below which a numeric value is not reported (0 = every change). */
  readonly deadband: number
  readonly writable: boolean
  readonly min?: number
  readonly max?: number
  /** Values a write may set, when given. */
  readonly allowed?: readonly Value[]
  /** Minimum time between two accepted writes to this tag. */
  readonly writeIntervalMs: number
  /** Sparkplug datatype forced by the user; otherwise derived from the driver's type and scaling. */
  readonly sparkplugType?: SparkplugType
  /** For a member of a template instance: the instance's name, and the member's path in its type (`Motor/Current`). */
  readonly instance?: string
  readonly member?: string
}
