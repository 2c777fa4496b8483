import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Collection } from './collection.js'
import './children.js' // a signal that stops the test process still runs the 'exit' cleanup below

const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))

export interface GatewaySetup {
  readonly servers: readonly string[]
  readonly groupId?: string
  readonly edgeNodeId?: string
  readonly primaryHostId?: string
  readonly version?: '3.1.1' | '5'
  readonly keepalive?: string
  readonly dataQos?: 0 | 1
  /** Device file name (without .yaml) -> YAML text. */
  readonly devices: Readonly<Record<string, string>>
  /** The state directory as gateway.yaml names it (`state/`, beside the file, unless told). */
  readonly stateDir?: string
  /** Extra YAML appended to gateway.yaml. */
  readonly extra?: string
  /** The whole `upstream:` block's body (indented two spaces), replacing the MQTT one built from `servers`. */
  readonly upstream?: string
  /** The `http:` flow mapping, `{ listen: 127.0.0.1:0 }` unless told. */
  readonly http?: string
}

/** A temp directory holding gateway.yaml, devices/ and the state directory; `dir` is kept across restarts. */
export function writeGatewayConfig(setup: GatewaySetup, dir = mkdtempSync(join(tmpdir(), 'spgw-'))): { dir: string; file: string } {
  mkdirSync(join(dir, 'devices'), { recursive: true })
  const yaml = [
    'sparkplug:',
    `  groupId: ${setup.groupId ?? 'Plant1'}`,
    `  edgeNodeId: ${setup.edgeNodeId ?? 'Line3-GW'}`,
    ...(setup.primaryHostId ? [`  primaryHostId: ${setup.primaryHostId}`] : []),
    'upstream:',
    ...(setup.upstream !== undefined ? [setup.upstream] : [
      '  mqtt:',
      `    servers: [${setup.servers.join(', ')}]`,
      `    version: "${setup.version ?? '3.1.1'}"`,
      `    keepalive: ${setup.keepalive ?? '5s'}`,
      `    dataQos: ${setup.dataQos ?? 0}`,
      '    reconnect: { min: 200ms, max: 1s }',
    ]),
    'devices: devices/',
    `stateDir: ${setup.stateDir ?? 'state/'}`,
    `http: ${setup.http ?? '{ listen: 127.0.0.1:0 }'}`,
    'log: { level: debug }',
    setup.extra ?? '',
  ].join('\n')
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, yaml)
  for (const [name, text] of Object.entries(setup.devices)) writeFileSync(join(dir, 'devices', `${name}.yaml`), text)
  return { dir, file }
}

/** The gateway as a separate process, as systemd runs it. */
export interface GatewayProcess {
  readonly pid: number
  readonly output: string[]
  /** Resolves with the first output line matching `pattern`; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>
  /** Resolves once `count` output lines match `pattern`; rejects after `timeoutMs`. */
  waitForLines(pattern: RegExp, count: number, timeoutMs: number): Promise<string[]>
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null>
  /** Sends SIGHUP (systemctl reload) and returns at once. */
  reload(): void
  exited: Promise<number | null>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** `env` adds to the test's environment (NOTIFY_SOCKET, WATCHDOG_USEC). */
export function startGatewayProcess(configFile: string, env: Readonly<Record<string, string>> = {}): GatewayProcess {
  const child = spawn(process.execPath, [cli, 'run', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JOURNAL_STREAM: '', ...env } })
  running.add(child)
  const lines = new Collection<string>((all) => `output:\n${all.slice(-30).join('\n')}`)
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child)
    resolve(code)
  }))
  return {
    pid: child.pid!,
    output: lines.items,
    exited,
    waitForLines: (pattern, count, timeoutMs) => lines.waitForCount((l) => pattern.test(l), count, timeoutMs),
    waitForLine: (pattern, timeoutMs) => lines.waitFor((l) => pattern.test(l), timeoutMs),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
    reload: () => void child.kill('SIGHUP'),
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
