/**
 * The Tahu peer, run as its own process: an edge node written the way Eclipse Tahu's
 * `sparkplug-client` README suggests, with `modbus-serial` reading one request per tag. Both
 * packages come from the scratch install (install.ts), not from the project.
 *   node tahu-edge.js '<json of TahuConfig>'
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { tags, type Load, type Tag } from './load.js'

export interface TahuConfig {
  readonly peersDir: string
  readonly brokerUrl: string
  readonly modbusPort: number
  readonly load: Load
  readonly groupId: string
}

interface ModbusClient {
  connectTCP(host: string, options: { port: number }): Promise<void>
  setID(id: number): void
  setTimeout(ms: number): void
  readHoldingRegisters(address: number, length: number): Promise<{ data: number[] }>
  readCoils(address: number, length: number): Promise<{ data: boolean[] }>
}
interface Metric {
  readonly name: string
  readonly type: string
  readonly value: number | boolean
  readonly timestamp: number
}
interface SparkplugClient {
  on(event: 'birth', listener: () => void): void
  publishNodeBirth(payload: { timestamp: number; metrics: Metric[] }): void
  publishDeviceBirth(device: string, payload: { timestamp: number; metrics: Metric[] }): void
  publishDeviceData(device: string, payload: { timestamp: number; metrics: Metric[] }): void
}

const config = JSON.parse(process.argv[2]!) as TahuConfig
const peerRequire = createRequire(join(config.peersDir, 'package.json'))
const ModbusRTU = peerRequire('modbus-serial') as new () => ModbusClient
const sparkplug = peerRequire('sparkplug-client') as { newClient(options: Record<string, unknown>): SparkplugClient }

const TYPES = { U16: 'UInt16', F32: 'Float', I32: 'Int32', Coil: 'Boolean' } as const
const word = Buffer.alloc(4)

async function readTag(client: ModbusClient, tag: Tag): Promise<number | boolean> {
  if (tag.kind === 'Coil') return (await client.readCoils(tag.address, 1)).data[0]!
  const { data } = await client.readHoldingRegisters(tag.address, tag.width)
  if (tag.kind === 'U16') return data[0]!
  if (tag.kind === 'I32') {
    word.writeUInt16BE(data[0]!, 0)
    word.writeUInt16BE(data[1]!, 2)
    return word.readInt32BE(0)
  }
  word.writeUInt16BE(data[1]!, 0) // CDAB: the low word comes first
  word.writeUInt16BE(data[0]!, 2)
  return word.readFloatBE(0)
}

const deviceTags = tags(config.load)
const client = sparkplug.newClient({
  serverUrl: config.brokerUrl,
  username: '',
  password: '',
  groupId: config.groupId,
  edgeNode: 'Tahu',
  clientId: `bench-tahu-${process.pid}`,
  version: 'spBv1.0',
})
const devices = Array.from({ length: config.load.devices }, (_, i) => `Dev${i + 1}`)
client.on('birth', () => {
  const now = Date.now()
  client.publishNodeBirth({ timestamp: now, metrics: [] })
  for (const device of devices) {
    const metrics = deviceTags.map((t) => ({ name: t.name, type: TYPES[t.kind], value: t.kind === 'Coil' ? false : 0, timestamp: now }))
    client.publishDeviceBirth(device, { timestamp: now, metrics })
  }
})

async function poll(device: string, unit: number): Promise<void> {
  const modbus = new ModbusRTU()
  await modbus.connectTCP('127.0.0.1', { port: config.modbusPort })
  modbus.setID(unit)
  modbus.setTimeout(1000)
  // A scan that overruns its period delays the next one rather than overlapping it.
  let next = Date.now()
  for (;;) {
    const metrics: Metric[] = []
    for (const tag of deviceTags) metrics.push({ name: tag.name, type: TYPES[tag.kind], value: await readTag(modbus, tag), timestamp: Date.now() })
    client.publishDeviceData(device, { timestamp: Date.now(), metrics })
    next = Math.max(next + config.load.pollMs, Date.now())
    await new Promise((resolve) => setTimeout(resolve, next - Date.now()))
  }
}

for (const [i, device] of devices.entries()) {
  poll(device, i + 1).catch((error: unknown) => {
    console.error(`${device}: ${(error as Error).message}`)
    process.exit(1)
  })
}
