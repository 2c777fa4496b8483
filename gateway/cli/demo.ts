import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { demoRegisters, freePort, startDemoModbusServer } from '../../drivers/modbus/tools.js'
import { loadDemoServer } from '../../drivers/opcua/tools.js'
import { formatError, loadConfig } from '../config/load.js'
import { parseDuration } from '../base/units.js'
import { startGateway } from '../main.js'
import { createLog } from '../runtime/log.js'
import { startEmbeddedBroker } from '../runtime/embedded-broker.js'
import { EX_SOFTWARE, EX_USAGE } from './exit-codes.js'
import * as monitor from './monitor.js'

export const help = `Usage: sparkplug-gateway demo [--duration 30s] [--json]

Runs the whole data path on this machine with no setup: simulated devices (a Modbus TCP device
and an OPC UA server on 127.0.0.1, read through the real drivers), an embedded MQTT broker
on 127.0.0.1 (port 1883 when free), the gateway, and a live decoded view of the Sparkplug
traffic. Stop it with Ctrl-C. While it runs, try in another terminal:

  sparkplug-gateway monitor --broker mqtt://127.0.0.1:<port>
  sparkplug-gateway cmd --broker mqtt://127.0.0.1:<port> --group Demo --node Edge1 --device Boiler1 'Burner/Setpoint=75'
  sparkplug-gateway cmd --broker mqtt://127.0.0.1:<port> --group Demo --node Edge1 --device Tank1 'Setpoint=40'
  sparkplug-gateway cmd --broker mqtt://127.0.0.1:<port> --group Demo --node Edge1 --device Oven1 'Setpoint=200'

  --duration D   stop by itself after D (e.g. 10s)
  --json         show the traffic as JSON lines`

const gatewayYaml = (url: string) => `# The demo's gateway.yaml: the same file a real installation has in /etc/sparkplug-gateway.
sparkplug: { groupId: Demo, edgeNodeId: Edge1 }
upstream:
  mqtt: { servers: [${url}], version: "3.1.1", keepalive: 10s, reconnect: { min: 500ms, max: 5s } }
devices: devices/
stateDir: state/
buffer: { path: memory }
http: { listen: 127.0.0.1:0 }
log: { level: warn }
`

const boiler = `device: Boiler1
driver: simulator
connection: {}
poll: 500ms
tags:
  - { name: Burner/Flame Temp, signal: sine, low: 180, high: 220, period: 20s, units: degC, deadband: 0.5 }
  - { name: Burner/Running, signal: boolean, period: 15s }
  - { name: Burner/Setpoint, signal: setpoint, type: Double, initial: 70, writable: true, min: 20, max: 95, units: degC }
  - { name: Water/Level, signal: random-walk, low: 40, high: 60, step: 0.5, units: '%', deadband: 0.4 }
  - { name: Cycles, signal: counter, period: 2s }
derived:
  - { name: Burner/Flame Temp F, expression: 'convert({Burner/Flame Temp}, "degC", "degF")', units: degF, deadband: 1 }
  - { name: Burner/Running Hours, expression: 'timeIn({Burner/Running}) / 3600', units: h, deadband: 0.001 }
  - { name: Water/Low, expression: '{Water/Level} < 45' }
`

const press = `device: Press4
driver: simulator
connection: {}
poll: 1s
tags:
  - { name: Pressure, signal: ramp, low: 0, high: 250, period: 30s, units: bar, deadband: 1 }
  - { name: Mode, signal: string, values: [auto, manual, maintenance], period: 12s }
  - { name: Strokes, signal: counter, period: 3s }
instances:                      # a template (UDT) instance of types/Pump.yaml
  - name: Hydraulic Pump
    type: Pump
    parameters: { Rated Speed: 1750, Location: Press 4 }
    members:
      - { name: Speed, signal: sine, low: 1600, high: 1750, period: 25s, deadband: 5 }
      - { name: Running, signal: boolean, period: 20s }
      - { name: Setpoint, signal: setpoint, type: Double, initial: 1700, writable: true, min: 0, max: 1750 }
`

const pumpType = `# A template type: Sparkplug template definition in NBIRTH, instances in device files.
type: Pump
version: "1"
parameters:
  - { name: Rated Speed, type: Double, default: 1450 }
  - { name: Location, type: String }
members:
  - { name: Speed, datatype: Double, units: rpm }
  - { name: Running, datatype: Boolean }
  - { name: Setpoint, datatype: Double, units: rpm }
`

const tank = (port: number) => `device: Tank1
driver: modbus-tcp
connection: { host: 127.0.0.1, port: ${port}, unitId: 1, timeout: 500ms }
poll: 500ms
tags:
  - { name: Level, address: HR${demoRegisters.level}, type: uint16, scale: 0.1, units: '%', deadband: 0.5 }
  - { name: Temperature, address: HR${demoRegisters.temperature}, type: float32, order: CDAB, units: degC, deadband: 0.2 }
  - { name: Setpoint, address: HR${demoRegisters.setpoint}, type: uint16, scale: 0.1, writable: true, min: 20, max: 90, units: degC }
  - { name: Pump/Run, address: CO${demoRegisters.run}, writable: true }
`

const oven = (endpoint: string, pkiDir: string) => `device: Oven1
driver: opcua
connection: { endpoint: '${endpoint}', publishingInterval: 500ms, pkiDir: '${pkiDir}' }
poll: 500ms
tags:
  - { name: Temperature, nodeId: ns=1;s=Oven1.Temperature, type: Double, units: degC, deadband: 0.5 }
  - { name: Door Open, nodeId: ns=1;s=Oven1.DoorOpen, type: Boolean }
  - { name: Batches, nodeId: ns=1;s=Oven1.Batches, type: UInt32 }
  - { name: Setpoint, nodeId: ns=1;s=Oven1.Setpoint, type: Double, writable: true, min: 100, max: 250, units: degC }
`

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { duration: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration)
  if (values.duration !== undefined && durationMs === undefined) {
    console.error(`--duration: expected a duration such as 10s or 2m, got '${values.duration}'`)
    return EX_USAGE
  }
  const broker = await startEmbeddedBroker({ port: (await isFree(1883)) ? 1883 : 0 })
  const modbus = await startDemoModbusServer()
  const dir = mkdtempSync(join(tmpdir(), 'sparkplug-gateway-demo-'))
  mkdirSync(join(dir, 'devices'))
  const { startDemoOpcuaServer } = await loadDemoServer()
  const opcua = await startDemoOpcuaServer(await freePort(), join(dir, 'opcua-server-pki'))
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml(broker.url))
  writeFileSync(join(dir, 'devices', 'boiler1.yaml'), boiler)
  writeFileSync(join(dir, 'devices', 'press4.yaml'), press)
  mkdirSync(join(dir, 'types'))
  writeFileSync(join(dir, 'types', 'Pump.yaml'), pumpType)
  writeFileSync(join(dir, 'devices', 'tank1.yaml'), tank(modbus.port))
  writeFileSync(join(dir, 'devices', 'oven1.yaml'), oven(opcua.endpoint, join(dir, 'state', 'opcua-pki')))
  const stop = new AbortController()
  const viewStop = new AbortController()
  try {
    const loaded = await loadConfig(join(dir, 'gateway.yaml'))
    if (!loaded.ok) {
      for (const e of loaded.error) console.error(formatError(e))
      return EX_SOFTWARE
    }
    console.log(`demo: embedded broker at ${broker.url}, Modbus TCP device at 127.0.0.1:${modbus.port}, OPC UA server at ${opcua.endpoint}, config in ${dir}; Ctrl-C stops\n`)
    const view = monitor.run(['--broker', broker.url, ...(values.json ? ['--json'] : [])], {
      out: (text) => process.stdout.write(`${text}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      signal: viewStop.signal,
    })
    const gateway = await startGateway(loaded.value, createLog({ level: 'warn' }))
    const onSignal = () => stop.abort()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const timer = durationMs === undefined ? undefined : setTimeout(onSignal, durationMs)
    await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }))
    clearTimeout(timer)
    await gateway.stop()
    viewStop.abort()
    await view
    return 0
  } finally {
    viewStop.abort()
    await modbus.close()
    await opcua.close()
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
