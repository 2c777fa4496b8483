/**
 * Gateway footprint with 10 Modbus TCP devices x 100 tags: the real gateway process
 * (`cli.js run`, default SQLite buffer) reads one in-process modbus-serial ServerTCP (one TCP
 * connection per device, unit ids 1..10) and publishes to a local mosquitto. For each scenario:
 * the gateway's CPU (% of one core, from /proc/<pid>/stat) and resident memory (VmRSS) over a
 * 20 s window, and the DDATA metrics/s a subscriber receives.
 * Run: `npm run bench -- modbus-devices` (about 100 s).
 */
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import mqtt from 'mqtt'
import { ServerTCP, type IServiceVector } from 'modbus-serial'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { startGatewayProcess } from '../../test/helpers/gateway-process.js'
import { startMosquitto } from '../../test/helpers/mosquitto.js'
import { freePort, waitForPort } from '../../test/helpers/ports.js'
import { gatewayDeviceYaml } from './peers/load.js'

const DEVICES = 10
const WINDOW_MS = 20_000
const WARMUP_MS = 3_000
const MS_PER_TICK = 10 // /proc/<pid>/stat counts CPU time in clock ticks; CLK_TCK is 100 on Linux

interface Scenario {
  readonly label: string
  /** Modbus devices configured (0: the gateway alone, for its baseline memory). */
  readonly devices: number
  readonly pollMs: number
  /** Registers change between scans (every tag reported each scan) or stay put (idle). */
  readonly changing: boolean
}

const scenarios: Scenario[] = [
  { label: 'no devices (gateway alone)', devices: 0, pollMs: 1000, changing: false },
  { label: 'idle (values unchanged), poll 1 s', devices: DEVICES, pollMs: 1000, changing: false },
  { label: 'every tag changes, poll 1 s', devices: DEVICES, pollMs: 1000, changing: true },
  { label: 'every tag changes, poll 100 ms', devices: DEVICES, pollMs: 100, changing: true },
]

/**
 * One server for all devices. While `changing`, every scan of a unit (its read of HR0) advances
 * that unit's values, so each scan reports every tag; words stay below 1000 so float32 is never NaN.
 */
async function startServer(changing: () => boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const scans = new Map<number, number>()
  const word = (addr: number, unit: number) => ((scans.get(unit) ?? 0) + addr + unit) % 1000
  const vector: IServiceVector = {
    getHoldingRegister: (addr: number, unit: number) => word(addr, unit),
    getMultipleHoldingRegisters: (addr: number, length: number, unit: number) => {
      if (addr === 0 && changing()) scans.set(unit, (scans.get(unit) ?? 0) + 1)
      return Array.from({ length }, (_, i) => word(addr + i, unit))
    },
    getCoil: (addr: number, unit: number) => word(addr, unit) % 2 === 0,
  }
  const port = await freePort()
  const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 })
  server.on('socketError', () => undefined)
  await waitForPort(port, 5000)
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

function cpuTicks(pid: number): number {
  // Fields after the ")" closing the command name: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match![1]) / 1024
}

interface Result {
  readonly scenario: Scenario
  readonly cpuPercent: number
  readonly rssMeanMiB: number
  readonly rssMaxMiB: number
  readonly metricsPerSecond: number
  readonly expectedPerSecond: number
}

async function measure(scenario: Scenario, brokerUrl: string, modbusPort: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-modbus-'))
  mkdirSync(join(dir, 'devices'))
  const httpPort = await freePort()
  writeFileSync(join(dir, 'gateway.yaml'), [
    'sparkplug: { groupId: Bench, edgeNodeId: GW }',
    `upstream: { mqtt: { servers: [${brokerUrl}], version: "3.1.1" } }`,
    'devices: devices/',
    'stateDir: state/',
    `http: { listen: 127.0.0.1:${httpPort} }`,
    'log: { level: warn }',
  ].join('\n'))
  for (let i = 1; i <= scenario.devices; i++) writeFileSync(join(dir, 'devices', `dev${i}.yaml`), gatewayDeviceYaml({ label: scenario.label, devices: DEVICES, tagsPerDevice: 100, pollMs: scenario.pollMs }, i, modbusPort))

  const client = await mqtt.connectAsync(brokerUrl, { reconnectPeriod: 0 })
  let nbirth = false
  let births = 0
  let counting = false
  let metrics = 0
  client.on('message', (topic, payload) => {
    if (topic.includes('/NBIRTH/')) nbirth = true
    if (topic.includes('/DBIRTH/')) births++
    if (!counting || !topic.includes('/DDATA/')) return
    metrics += decodePayload(payload).metrics.filter((m) => m.isHistorical !== true).length
  })
  await client.subscribeAsync('spBv1.0/Bench/#')
  const gateway = startGatewayProcess(join(dir, 'gateway.yaml'))
  try {
    const deadline = Date.now() + 15_000
    while (!nbirth || births < scenario.devices) {
      if (Date.now() > deadline) throw new Error(`only ${births} of ${scenario.devices} DBIRTHs (NBIRTH: ${nbirth}) within 15 s:\n${gateway.output.slice(-10).join('\n')}`)
      await delay(100)
    }
    await delay(WARMUP_MS)
    counting = true
    const startTicks = cpuTicks(gateway.pid)
    const started = performance.now()
    const rss: number[] = []
    while (performance.now() - started < WINDOW_MS) {
      await delay(1000)
      rss.push(rssMiB(gateway.pid))
    }
    const elapsed = performance.now() - started
    const ticks = cpuTicks(gateway.pid) - startTicks
    counting = false
    return {
      scenario,
      cpuPercent: (ticks * MS_PER_TICK * 100) / elapsed,
      rssMeanMiB: rss.reduce((a, b) => a + b, 0) / rss.length,
      rssMaxMiB: Math.max(...rss),
      metricsPerSecond: (metrics * 1000) / elapsed,
      expectedPerSecond: scenario.changing ? (scenario.devices * 100 * 1000) / scenario.pollMs : 0,
    }
  } finally {
    await gateway.kill('SIGTERM')
    await client.endAsync()
    rmSync(dir, { recursive: true, force: true })
  }
}

const broker = await startMosquitto()
let changing = false
const server = await startServer(() => changing)
try {
  const results: Result[] = []
  for (const scenario of scenarios) {
    changing = scenario.changing
    results.push(await measure(scenario, broker.url, server.port))
  }
  console.log(`${DEVICES} Modbus TCP devices x 100 tags, one in-process modbus-serial server, ${WINDOW_MS / 1000} s window\n`)
  console.log('| Scenario | Gateway CPU (% of one core) | RSS mean / max (MiB) | DDATA metrics/s (ideal) |')
  console.log('|---|---|---|---|')
  for (const r of results) {
    const rate = `${Math.round(r.metricsPerSecond).toLocaleString('en-US')} (${r.expectedPerSecond.toLocaleString('en-US')})`
    console.log(`| ${r.scenario.label} | ${r.cpuPercent.toFixed(1)} | ${r.rssMeanMiB.toFixed(1)} / ${r.rssMaxMiB.toFixed(1)} | ${rate} |`)
  }
} finally {
  await server.close()
  await broker.stop()
}
