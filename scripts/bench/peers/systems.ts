/**
 * The three systems under test, each started as one process on a load: our gateway
 * (`cli.js run`, its defaults: SQLite buffer), the Node-RED flow, and the Tahu edge node.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../../test/helpers/ports.js'
import { spawnChild } from '../e2e/child-process.js'
import { gatewayDeviceYaml, type Load } from './load.js'
import { writeNodeRedProject } from './node-red-flow.js'
import type { TahuConfig } from './tahu-edge.js'

export const GROUP_ID = 'Bench'
export type SystemName = 'ours' | 'node-red' | 'tahu'
export const SYSTEMS: readonly SystemName[] = ['ours', 'node-red', 'tahu']

export interface Context {
  readonly brokerUrl: string
  readonly brokerPort: number
  readonly modbusPort: number
  readonly peersDir: string
  /** Extra node flags for our gateway only (--import of the memory probe, --max-old-space-size ...). */
  readonly nodeFlags?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** Our gateway's `upstream.mqtt.replayWindow`; its default when absent. */
  readonly replayWindow?: string
  /** Our gateway's `stateDir` (bdseq, buffer); `state/` in its scratch directory when absent. */
  readonly stateDir?: string
  /** Our gateway's `buffer.durability`; its default when absent. */
  readonly durability?: 'power' | 'process'
  /** Our gateway's HTTP port (/metrics); a free one when absent. */
  readonly httpPort?: number
  /** Tags (by name, on every device) our gateway lets DCMD write. */
  readonly writableTags?: readonly string[]
}

export interface RunningSystem {
  readonly pid: number
  /** The last lines it printed. */
  readonly output: string[]
  /** SIGTERM, then SIGKILL after 10 s; removes its scratch files. */
  stop(): Promise<void>
}

function spawnSystem(args: readonly string[], dir: string, ctx: Context, nodeFlags: readonly string[] = []): RunningSystem {
  const child = spawnChild([...nodeFlags, ...args], { cwd: dir, env: { ...process.env, ...ctx.env } })
  return {
    pid: child.pid,
    output: child.output,
    async stop() {
      await child.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const cli = fileURLToPath(new URL('../../../gateway/cli.js', import.meta.url))
const tahuEdge = fileURLToPath(new URL('./tahu-edge.js', import.meta.url))

export async function startSystem(name: SystemName, load: Load, ctx: Context): Promise<RunningSystem> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`))
  if (name === 'ours') {
    mkdirSync(join(dir, 'devices'))
    writeFileSync(join(dir, 'gateway.yaml'), [
      `sparkplug: { groupId: ${GROUP_ID}, edgeNodeId: GW }`,
      `upstream: { mqtt: { servers: [${ctx.brokerUrl}], version: "3.1.1"${ctx.replayWindow === undefined ? '' : `, replayWindow: ${ctx.replayWindow}`} } }`,
      'devices: devices/',
      `stateDir: ${ctx.stateDir ?? 'state/'}`,
      ...(ctx.durability === undefined ? [] : [`buffer: { durability: ${ctx.durability} }`]),
      `http: { listen: 127.0.0.1:${ctx.httpPort ?? (await freePort())} }`,
      'log: { level: warn }',
    ].join('\n'))
    for (let i = 1; i <= load.devices; i++) writeFileSync(join(dir, 'devices', `dev${i}.yaml`), gatewayDeviceYaml(load, i, ctx.modbusPort, ctx.writableTags))
    return spawnSystem([cli, 'run', '--config', join(dir, 'gateway.yaml')], dir, ctx, ctx.nodeFlags)
  }
  if (name === 'node-red') return spawnSystem(writeNodeRedProject(dir, ctx.peersDir, load, GROUP_ID, ctx.brokerPort, ctx.modbusPort), dir, ctx)
  const config: TahuConfig = { peersDir: ctx.peersDir, brokerUrl: ctx.brokerUrl, modbusPort: ctx.modbusPort, load, groupId: GROUP_ID }
  return spawnSystem([tahuEdge, JSON.stringify(config)], dir, ctx)
}
