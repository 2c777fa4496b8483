import assert from 'node:assert/strict'
import { httpUrlOf } from './gateway-http.js'
import { removeDir, startGatewayProcess, writeGatewayConfig, type GatewayProcess } from './gateway-process.js'
import { closedPort } from './ports.js'
import { simDevice } from './sim-device.js'

/** What GET /status answers, as far as the status page tests read it. */
export interface Status {
  upstream: { connected: boolean; since: number; server: string | null; serverInUse: string }
  buffer: { records: number; replayRate: number }
  devices: Record<string, { online: boolean; scans: number; failedScans: number; timeouts: number }>
}

export interface StatusPageGateway {
  readonly gateway: GatewayProcess
  /** The one configured upstream server, on a closed port: the gateway keeps trying it. */
  readonly server: string
  /** The HTTP listener's base URL, e.g. http://127.0.0.1:40123. */
  readonly base: string
  /** GET `path`'s body; asserts a 200. */
  get(path: string): Promise<string>
  status(): Promise<Status>
  stop(): Promise<void>
}

/**
 * The gateway as its own process with no broker (a closed port: the node buffers), a simulator
 * device Sim1 (the simDevice tags plus `extraTags`, YAML flow mappings) and a Modbus TCP device
 * Dark1 (tag T) on a closed port, which never answers.
 */
export async function startStatusPageGateway(options: { poll: string; extraTags?: readonly string[]; timeoutMs: number; env?: Readonly<Record<string, string>> }): Promise<StatusPageGateway> {
  const dark = await closedPort()
  const server = `mqtt://127.0.0.1:${await closedPort()}`
  const { dir, file } = writeGatewayConfig({
    servers: [server],
    devices: {
      sim: [simDevice('Sim1', { poll: options.poll }), ...(options.extraTags ?? []).map((tag) => `  - ${tag}`)].join('\n'),
      dark: ['device: Dark1', 'driver: modbus-tcp', `connection: { host: 127.0.0.1, port: ${dark}, timeout: 200ms, connectTimeout: 200ms }`, 'poll: 500ms', 'tags:', '  - { name: T, address: HR1 }'].join('\n'),
    },
  })
  const gateway = startGatewayProcess(file, options.env)
  const stop = async () => {
    await gateway.kill('SIGTERM')
    removeDir(dir)
  }
  try {
    const base = await httpUrlOf(gateway, options.timeoutMs)
    const get = async (path: string): Promise<string> => {
      const response = await fetch(`${base}${path}`)
      assert.equal(response.status, 200, path)
      return response.text()
    }
    return { gateway, server, base, get, status: async () => JSON.parse(await get('/status')) as Status, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
