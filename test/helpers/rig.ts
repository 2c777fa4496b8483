import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SuiteContext, TestContext } from 'node:test'
import { observeDurably, type DurableObserver } from './durable-observer.js'
import { httpUrlOf } from './gateway-http.js'
import { removeDir, startGatewayProcess, writeGatewayConfig, type GatewayProcess, type GatewaySetup } from './gateway-process.js'
import { connectHost, type TestHost } from './host.js'
import { startMosquitto, type Broker, type MosquittoOptions } from './mosquitto.js'
import { startNatsCluster, startNatsServer, type NatsCluster, type NatsServer, type NatsServerOptions } from './nats-server.js'
import { observeSparkplug, type SparkplugObserver } from './sparkplug-observer.js'

/** What owns the rig's lifetime: a test's context, or the context a top-level `before` hook receives (the file's). */
export type RigOwner = TestContext | SuiteContext

export interface RigOptions {
  /** A mosquitto with these options (the default: a plain one), or none at all (`false`: the gateway's `servers` are the test's own). Ignored with `nats`. */
  readonly mosquitto?: MosquittoOptions | false
  /** A nats-server instead of mosquitto (no observer or host then: NATS tests subscribe themselves). */
  readonly nats?: NatsServerOptions
  /** A three-server JetStream cluster instead of mosquitto (`rig.url` is the first server's). */
  readonly natsCluster?: boolean
  /** A Sparkplug observer on the broker (the default), a durable one (`rig.durable`), or none. */
  readonly observer?: 'sparkplug' | 'durable' | 'none'
  /** The group the observer subscribes to (Plant1 unless told). */
  readonly groupId?: string
  /** A stand-in host application (`rig.host`). */
  readonly host?: boolean
  /** URL the observer and the host connect with (the broker's own unless told, e.g. with credentials). */
  readonly clientUrl?: (brokerUrl: string) => string
  /** A gateway started at once on this config (see `startGateway`). */
  readonly gateway?: GatewaySpec
}

/** The gateway's config; `servers` defaults to the mosquitto's URL. A function gets the config directory first. */
export type GatewaySpec = GatewayConfig | ((dir: string) => GatewayConfig)
export type GatewayConfig = Omit<GatewaySetup, 'servers'> & {
  readonly servers?: readonly string[]
  /** Added to the gateway's environment (NOTIFY_SOCKET, RUNTIME_DIRECTORY, NODE_OPTIONS). */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * Broker, observer, host and gateway processes of one test or one file, stopped by PID in the
 * reverse order of their start when the owner's after hook runs, also when a start failed half-way.
 */
export interface Rig {
  /** The mosquitto (throws on a NATS rig). */
  readonly broker: Broker
  /** The nats-server (throws on a mosquitto rig). */
  readonly nats: NatsServer
  readonly cluster: NatsCluster
  /** The broker's URL. */
  readonly url: string
  readonly observer: SparkplugObserver
  readonly durable: DurableObserver
  readonly host: TestHost
  /** The gateway started last. */
  readonly gateway: GatewayProcess
  /** Config directory and gateway.yaml of the gateway started last. */
  readonly dir: string
  readonly file: string
  /** Writes a config, in a fresh directory (removed at stop) unless `dir` is given; `rig.dir` and `rig.file` name it. */
  configure(spec: GatewaySpec, dir?: string): { dir: string; file: string }
  /** `configure`, then `launchGateway`. */
  startGateway(spec: GatewaySpec, dir?: string): GatewayProcess
  /** Starts a gateway on the config written last (again, after a kill: same state); `env` replaces the config's. */
  launchGateway(env?: Readonly<Record<string, string>>): GatewayProcess
  /** Base URL of the last gateway's HTTP listener. */
  http(timeoutMs: number): Promise<string>
  /** Runs `stop` when the rig stops, before what was started earlier. */
  defer(stop: () => unknown): void
  /** Stops everything (idempotent); the owner's after hook calls it. */
  stop(): Promise<void>
}

export async function startRig(owner: RigOwner, options: RigOptions = {}): Promise<Rig> {
  const stops: (() => unknown)[] = []
  const stop = async () => {
    const errors: unknown[] = []
    for (const fn of stops.splice(0).reverse()) {
      try {
        await fn()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw errors[0]
  }
  if (!('after' in owner)) throw new Error('startRig needs a test context or a top-level before hook\'s, not a describe block\'s')
  owner.after(stop)
  const parts: Parts = { stops }
  try {
    await startParts(parts, options)
    const rig = rigOf(parts, stop)
    if (options.gateway !== undefined) rig.startGateway(options.gateway)
    return rig
  } catch (error) {
    await stop()
    throw error
  }
}

interface Parts {
  readonly stops: (() => unknown)[]
  broker?: Broker
  nats?: NatsServer
  cluster?: NatsCluster
  url?: string
  observer?: SparkplugObserver
  durable?: DurableObserver
  host?: TestHost
  gateway?: GatewayProcess
  config?: { dir: string; file: string; env: Readonly<Record<string, string>> }
}

async function startParts(parts: Parts, options: RigOptions): Promise<void> {
  if (options.natsCluster === true) {
    const cluster = await startNatsCluster()
    parts.stops.push(() => cluster.stop())
    Object.assign(parts, { cluster, url: cluster.urls[0] })
    return
  }
  if (options.nats !== undefined) {
    const nats = await startNatsServer(options.nats)
    parts.stops.push(() => nats.stop())
    Object.assign(parts, { nats, url: nats.url })
    return
  }
  if (options.mosquitto === false) return
  const broker = await startMosquitto(options.mosquitto)
  parts.stops.push(() => broker.stop())
  Object.assign(parts, { broker, url: broker.url })
  const clientUrl = options.clientUrl?.(broker.url) ?? broker.url
  const kind = options.observer ?? 'sparkplug'
  if (kind === 'sparkplug') {
    const observer = await observeSparkplug(clientUrl, options.groupId)
    parts.stops.push(() => observer.close())
    parts.observer = observer
  } else if (kind === 'durable') {
    const durable = await observeDurably(clientUrl, options.groupId)
    parts.stops.push(() => durable.close())
    parts.durable = durable
  }
  if (options.host === true) {
    const host = await connectHost(clientUrl)
    parts.stops.push(() => host.close())
    parts.host = host
  }
}

function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`this rig has no ${what}: ask startRig for it`)
  return value
}

function rigOf(parts: Parts, stop: () => Promise<void>): Rig {
  const configure = (spec: GatewaySpec, dir?: string) => {
    const configDir = dir ?? mkdtempSync(join(tmpdir(), 'spgw-'))
    if (dir === undefined) parts.stops.push(() => removeDir(configDir))
    const { env = {}, ...config } = typeof spec === 'function' ? spec(configDir) : spec
    const servers = config.servers ?? (parts.broker === undefined ? [] : [parts.broker.url])
    const { file } = writeGatewayConfig({ ...config, servers }, configDir)
    parts.config = { dir: configDir, file, env }
    return { dir: configDir, file }
  }
  const launch = (env?: Readonly<Record<string, string>>) => {
    const config = present(parts.config, 'gateway config')
    const gateway = startGatewayProcess(config.file, env ?? config.env)
    parts.stops.push(() => gateway.kill('SIGKILL'))
    parts.gateway = gateway
    return gateway
  }
  return {
    get broker() { return present(parts.broker, 'mosquitto') },
    get nats() { return present(parts.nats, 'nats-server') },
    get cluster() { return present(parts.cluster, 'nats-server cluster') },
    get url() { return present(parts.url, 'broker') },
    get observer() { return present(parts.observer, 'Sparkplug observer') },
    get durable() { return present(parts.durable, 'durable observer') },
    get host() { return present(parts.host, 'host') },
    get gateway() { return present(parts.gateway, 'gateway') },
    get dir() { return present(parts.config, 'gateway config').dir },
    get file() { return present(parts.config, 'gateway config').file },
    configure,
    startGateway(spec, dir) {
      configure(spec, dir)
      return launch()
    },
    launchGateway: launch,
    http: (timeoutMs) => httpUrlOf(present(parts.gateway, 'gateway'), timeoutMs),
    defer: (fn) => void parts.stops.push(fn),
    stop,
  }
}
