/**
 * The gateway as the benchmark runs it: a config of simulator devices whose every tag changes
 * at every scan, and `node dist/gateway/cli.js run` as a child process (with extra node flags
 * such as --cpu-prof when profiling).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnChild } from './child-process.js'

const cli = fileURLToPath(new URL('../../../gateway/cli.js', import.meta.url))

export const GROUP_ID = 'Bench'
const TAGS_PER_DEVICE = 1000

export interface Load {
  /** Tags in all, spread over devices of 1,000. */
  readonly tags: number
  /** Scan period of every device. */
  readonly pollMs: number
  /** SQLite outbox under the state directory, or the in-memory outbox. */
  readonly buffer: 'sqlite' | 'memory'
  /** `upstream.mqtt.replayWindow` (QoS 0 data kept after sending); the gateway's default when absent. */
  readonly replayWindow?: string
  /** With a nats:// server: core NATS (default) or JetStream into the stream `BENCH` (R1, file storage, created when missing). */
  readonly natsMode?: 'core' | 'jetstream'
}

/** Metric updates per second the load offers when every scan delivers every tag. */
export const offered = (load: Load): number => (load.tags * 1000) / load.pollMs

/** Devices of the load: 1,000 tags each (fewer in the last), half Int32 counters, half Double sines. */
export function deviceCount(load: Load): number {
  return Math.ceil(load.tags / TAGS_PER_DEVICE)
}

/** Name of tag `t` of simulator device `index`; even tags are the Int32 counters. */
export const tagName = (index: number, t: number): string => `Line${index}/Tag${String(t).padStart(4, '0')}`

// A counter with a 1 ms period and a sine with deadband 0 both change between any two scans,
// however late a scan runs; a counter with the poll's own period would miss a change whenever
// two scans fell into the same period.
function deviceYaml(index: number, tags: number, pollMs: number): string {
  const lines = [`device: Sim${index}`, 'driver: simulator', 'connection: {}', `poll: ${pollMs}ms`, 'tags:']
  for (let t = 0; t < tags; t++) {
    const name = tagName(index, t)
    lines.push(t % 2 === 0
      ? `  - { name: ${name}, signal: counter, period: 1ms }`
      : `  - { name: ${name}, signal: sine, low: 0, high: 100, period: 1m, deadband: 0 }`)
  }
  return lines.join('\n') + '\n'
}

/** The `upstream:` block: MQTT to mqtt://…, NATS to nats://…; quick reconnects, for a server started late. */
function upstreamYaml(load: Load, brokerUrl: string): string[] {
  if (!brokerUrl.startsWith('nats://')) {
    return ['  mqtt:', `    servers: [${brokerUrl}]`, ...(load.replayWindow === undefined ? [] : [`    replayWindow: ${load.replayWindow}`])]
  }
  const mode = load.natsMode ?? 'core'
  return [
    '  nats:',
    `    servers: [${brokerUrl}]`,
    `    mode: ${mode}`,
    '    reconnect: { min: 100ms, max: 500ms }',
    ...(load.replayWindow === undefined ? [] : [`    replayWindow: ${load.replayWindow}`]),
    ...(mode === 'jetstream' ? [`    jetstream: { stream: ${BENCH_STREAM}, create: true, replicas: 1 }`] : []),
  ]
}

/** The JetStream stream the gateway stores into with `natsMode: jetstream`. */
export const BENCH_STREAM = 'BENCH'

/** Writes gateway.yaml and the device files into a new temp directory; returns gateway.yaml's path. */
export function writeConfig(load: Load, brokerUrl: string, extraYaml: readonly string[] = []): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spgw-bench-'))
  mkdirSync(join(dir, 'devices'))
  const devices = deviceCount(load)
  for (let d = 0; d < devices; d++) {
    const tags = Math.min(TAGS_PER_DEVICE, load.tags - d * TAGS_PER_DEVICE)
    writeFileSync(join(dir, 'devices', `sim${d}.yaml`), deviceYaml(d, tags, load.pollMs))
  }
  const yaml = [
    'sparkplug:',
    `  groupId: ${GROUP_ID}`,
    '  edgeNodeId: Bench-GW',
    'upstream:',
    ...upstreamYaml(load, brokerUrl),
    'devices: devices/',
    'stateDir: state/',
    ...(load.buffer === 'memory' ? ['buffer: { path: memory }'] : []),
    'log: { level: warn }',
    ...extraYaml,
  ]
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, yaml.join('\n') + '\n')
  return { dir, file }
}

export interface RunningGateway {
  /** PID of the gateway process, for /proc and signals. */
  readonly pid: number
  /** performance.now() just before the spawn. */
  readonly startedAt: number
  /** The last lines it printed (warn and error only, at this log level). */
  readonly output: string[]
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>
}

export function startGateway(configFile: string, nodeFlags: readonly string[] = []): RunningGateway {
  const startedAt = performance.now()
  return { ...spawnChild([...nodeFlags, cli, 'run', '--config', configFile]), startedAt }
}
