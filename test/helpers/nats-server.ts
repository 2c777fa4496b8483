/**
 * Real nats-server processes (Debian's /usr/sbin/nats-server, 2.9) on 127.0.0.1 for tests: one
 * server with JetStream, auth and TLS as asked, or a three-server JetStream cluster. A server is
 * ready when it logs "Server is ready"; every process is killed by PID at exit (children.ts), and
 * its directories (config, JetStream store) are removed then.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import type { JetStreamManager } from 'nats'
import { track } from './children.js'
import type { OperatorTrust } from './nats-credentials.js'
import { freePorts } from './ports.js'

const binary = '/usr/sbin/nats-server'
const readyTimeoutMs = 15_000

export type NatsUser =
  /** `publishDeny`: subjects this user may not publish to (the server answers such a PUB with -ERR). */
  | { readonly user: string; readonly password: string; readonly publishDeny?: readonly string[] }
  | { readonly nkey: string }

export interface NatsServerOptions {
  /** JetStream with file storage in the server's own temp directory. */
  readonly jetstream?: boolean
  /** Clients must present one of these; anonymous clients are refused when given. */
  readonly auth?: { readonly token: string } | { readonly users: readonly NatsUser[] } | { readonly operator: OperatorTrust }
  /** PEM files: clients must speak TLS (the URL is tls://); `verifyClients` also asks for a client certificate. */
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string; readonly verifyClients?: boolean }
  /** Server name (shown in INFO and /varz); default nats-<client port>. */
  readonly name?: string
  /** Cluster block, written by startNatsCluster. */
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: readonly number[] }
  /** Largest message the server takes (bytes, its `max_payload`; nats-server's default is 1 MiB). */
  readonly maxPayload?: number
  /** Client and monitor ports chosen by the caller (startNatsCluster takes all its ports at once). */
  readonly ports?: { readonly client: number; readonly monitor: number }
}

/** One nats-server on loopback, owned by the test that started it. */
export interface NatsServer {
  /** nats://127.0.0.1:<port>, or tls://… with `tls`. */
  readonly url: string
  readonly port: number
  /** Port of the HTTP monitor (/varz, /jsz, /healthz). */
  readonly monitorPort: number
  readonly name: string
  /** PID of the running process (changes on restart). */
  readonly pid: number
  readonly running: boolean
  /** SIGTERM (lame-duck free, orderly) and wait for the exit. Idempotent. */
  stop(): Promise<void>
  /** SIGKILL and wait for the exit: a crash, JetStream state as last written. Idempotent. */
  kill(): Promise<void>
  /** Starts again after stop/kill (a no-op while running): same ports, same JetStream store. */
  start(): Promise<void>
  /** stop, then start. */
  restart(): Promise<void>
  /** The last lines the server logged, for assertion messages. */
  log(): string
}

// The temp directories of every server are removed when the test process exits (after the
// processes, killed by children.ts's own 'exit' handler registered first).
const dirs = new Set<string>()
process.once('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** Starts nats-server on 127.0.0.1 and resolves once it logged "Server is ready". */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-server-'))
  dirs.add(dir)
  // Ports are taken here, not by the server (-1), so a restart binds the very same ones.
  const [port, monitorPort] = options.ports ? [options.ports.client, options.ports.monitor] : await freePorts(2)
  const name = options.name ?? `nats-${port}`
  const config = join(dir, 'nats.conf')
  writeFileSync(config, configText({ ...options, name }, port, monitorPort, dir))
  const lines: string[] = []
  let child = await launch(config, lines)
  const isRunning = () => child.exitCode === null && child.signalCode === null
  const end = (signal: NodeJS.Signals) => terminate(child, signal)
  return {
    url: `${options.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    port,
    monitorPort,
    name,
    get pid() {
      return child.pid ?? -1
    },
    get running() {
      return isRunning()
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async start() {
      if (!isRunning()) child = await launch(config, lines)
    },
    async restart() {
      await end('SIGTERM')
      child = await launch(config, lines)
    },
    log: () => lines.join('\n'),
  }
}

function configText(options: NatsServerOptions & { name: string }, port: number, monitorPort: number, dir: string): string {
  const q = JSON.stringify
  const out = [`server_name: ${q(options.name)}`, `listen: "127.0.0.1:${port}"`, `http: "127.0.0.1:${monitorPort}"`]
  if (options.maxPayload !== undefined) out.push(`max_payload: ${options.maxPayload}`)
  if (options.jetstream) out.push(`jetstream { store_dir: ${q(join(dir, 'store'))} }`)
  const auth = options.auth
  if (auth !== undefined && 'token' in auth) out.push(`authorization { token: ${q(auth.token)} }`)
  if (auth !== undefined && 'users' in auth) {
    const users = auth.users.map((u) => {
      if ('nkey' in u) return `{ nkey: ${q(u.nkey)} }`
      const deny = u.publishDeny === undefined ? '' : `, permissions: { publish: { deny: ${q(u.publishDeny)} } }`
      return `{ user: ${q(u.user)}, password: ${q(u.password)}${deny} }`
    })
    out.push(`authorization { users: [ ${users.join(', ')} ] }`)
  }
  if (auth !== undefined && 'operator' in auth) {
    const trust = auth.operator
    const preload = Object.entries(trust.accounts).map(([key, jwt]) => `  ${key}: ${q(jwt)}`)
    out.push(`operator: ${q(trust.operatorJwt)}`, `system_account: ${q(trust.systemAccount)}`, 'resolver: MEMORY', 'resolver_preload: {', ...preload, '}')
  }
  if (options.tls) {
    const t = options.tls
    out.push(`tls { ca_file: ${q(t.ca)}, cert_file: ${q(t.cert)}, key_file: ${q(t.key)}, verify: ${t.verifyClients === true} }`)
  }
  if (options.cluster) {
    const c = options.cluster
    const routes = c.routes.map((p) => q(`nats-route://127.0.0.1:${p}`)).join(', ')
    out.push(`cluster { name: ${q(c.name)}, listen: "127.0.0.1:${c.port}", routes: [ ${routes} ] }`)
  }
  return out.join('\n') + '\n'
}

async function launch(config: string, lines: string[]): Promise<ChildProcess> {
  const child = track(spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] }))
  // A test that fails before stopping its server must not keep the test process alive: at exit
  // children.ts kills what is left.
  child.unref()
  const stderr = child.stderr as Socket
  stderr.unref()
  let partial = ''
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer)
      terminate(child, 'SIGKILL').then(() => reject(new Error(`${why}\n${lines.slice(-20).join('\n')}`)), reject)
    }
    const timer = setTimeout(() => fail(`nats-server did not log "Server is ready" within ${readyTimeoutMs} ms`), readyTimeoutMs)
    // stderr is read for as long as the server runs: a pipe nobody drains would block its logging.
    stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop()!
      for (const line of parts) {
        lines.push(line)
        if (lines.length > 200) lines.shift()
        if (line.endsWith('Server is ready')) {
          clearTimeout(timer)
          resolve(child)
        }
      }
    })
    child.once('error', (err) => fail(`cannot start ${binary}: ${err.message}`))
    child.once('exit', (code, signal) => fail(`nats-server exited (${signal ?? code}) before it was ready`))
  })
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve()
  return new Promise((resolve) => {
    // The process is unref'd while it runs; waiting for its exit must hold the event loop.
    child.ref()
    child.once('exit', () => resolve())
    process.kill(child.pid!, signal)
  })
}

/** Three servers routed to each other on loopback, JetStream in one cluster (R3 streams work). */
export interface NatsCluster {
  readonly servers: readonly NatsServer[]
  /** Every server's client URL, for a client's failover list. */
  readonly urls: readonly string[]
  /** Resolves with the JetStream meta leader's name once the running servers agree on one. */
  metaLeader(timeoutMs?: number): Promise<string>
  /** Resolves with the name of `stream`'s leader once a running server leads it (after a kill: an election). */
  streamLeader(jsm: JetStreamManager, stream: string, timeoutMs?: number): Promise<string>
  stop(): Promise<void>
}

export async function startNatsCluster(options: { readonly name?: string; readonly size?: number } = {}): Promise<NatsCluster> {
  const size = options.size ?? 3
  const clusterName = options.name ?? 'sparkplug-test'
  const ports = await freePorts(3 * size)
  const clusterPorts = ports.slice(0, size)
  const servers = await Promise.all(
    clusterPorts.map((port, i) =>
      startNatsServer({
        jetstream: true,
        name: `n${i + 1}`,
        cluster: { name: clusterName, port, routes: clusterPorts.filter((p) => p !== port) },
        ports: { client: ports[size + 2 * i]!, monitor: ports[size + 2 * i + 1]! },
      }),
    ),
  )
  const cluster: NatsCluster = {
    servers,
    urls: servers.map((s) => s.url),
    metaLeader: (timeoutMs = 30_000) => waitForMetaLeader(servers, timeoutMs),
    streamLeader: (jsm, stream, timeoutMs = 60_000) => waitForStreamLeader(servers, jsm, stream, timeoutMs),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()))
    },
  }
  try {
    // An R3 stream is placed only once the leader counts every server as a current peer.
    await waitForMetaLeader(servers, 30_000, servers.length)
  } catch (err) {
    await Promise.all(servers.map((s) => s.kill()))
    throw err
  }
  return cluster
}

/** Asks for the stream's info until it names a running leader (requests fail fast while none is elected). */
async function waitForStreamLeader(servers: readonly NatsServer[], jsm: JetStreamManager, stream: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const leader = await jsm.streams.info(stream).then((info) => info.cluster?.leader, () => undefined)
    if (leader && servers.some((s) => s.name === leader && s.running)) return leader
    if (Date.now() > deadline) throw new Error(`stream ${stream} has no running leader within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface MetaCluster {
  readonly leader?: string
  /** Reported by the leader: the other peers, and whether each is caught up. */
  readonly replicas?: readonly { readonly name: string; readonly current: boolean }[]
}

/**
 * Polls /jsz of each running server until one reports a meta leader that is itself running and,
 * from the leader's own report, at least `peers` current peers counting itself.
 */
async function waitForMetaLeader(servers: readonly NatsServer[], timeoutMs: number, peers = 1): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const server of servers.filter((s) => s.running)) {
      const meta = await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`)
        .then((r) => r.json() as Promise<{ meta_cluster?: MetaCluster }>)
        .then((j) => j.meta_cluster, () => undefined)
      const leader = meta?.leader
      if (!leader || !servers.some((s) => s.name === leader && s.running)) continue
      if (peers <= 1) return leader
      if (leader === server.name && 1 + (meta.replicas ?? []).filter((r) => r.current).length >= peers) return leader
    }
    if (Date.now() > deadline) throw new Error(`no JetStream meta leader within ${timeoutMs} ms\n${servers.map((s) => `${s.name}:\n${s.log()}`).join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
