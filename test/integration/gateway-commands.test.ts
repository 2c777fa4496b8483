import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { before, test } from 'node:test'
import { encodePayload } from '../../gateway/sparkplug/codec.js'
import { wirePayload } from '../../gateway/sparkplug/codec-wire.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { httpUrlOf, waitForMetric } from '../helpers/gateway-http.js'
import type { TestHost } from '../helpers/host.js'
import type { Broker } from '../helpers/mosquitto.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
const run = promisify(execFile)
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Sim1'
const NCMD = 'spBv1.0/Plant1/NCMD/Line3-GW'
let broker: Broker, observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess
let aliases: Map<string, number>

const refusedLines = () => gateway.output.filter((l) => l.includes('command refused'))
// Refusals beyond the audit rate are logged as one summary line per interval saying how many more.
const refusedInLog = () => refusedLines().length + gateway.output.filter((l) => l.includes('more commands refused')).reduce((sum, l) => sum + Number(/ more=(\d+)/.exec(l)![1]), 0)
const isAfter = (m: SparkplugMessage, index: number) => observer.messages.indexOf(m) >= index

const extraTags = [
  '  - { name: Valve, signal: setpoint, type: UInt16, initial: 7, writable: true }',
  '  - { name: Trim, signal: setpoint, type: Int16, initial: 0, writable: true }',
]

before(async (t) => {
  ({ broker, observer, host, gateway } = await startRig(t, { host: true, gateway: { devices: { sim1: [simDevice('Sim1'), ...extraTags].join('\n') } } }))
  aliases = aliasesOf((await observer.waitFor((m) => m.type === 'DBIRTH', T)).payload)
})

test('commands - a DCMD write reaches the device; the next DDATA reports the value read back', async () => {
  const from = observer.messages.length
  await host.command(DCMD, [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }])
  const data = await observer.waitFor((m) => isAfter(m, from) && m.type === 'DDATA' && metricOf(m.payload, 'Setpoint', aliases) !== undefined, T)
  assert.equal(metricOf(data.payload, 'Setpoint', aliases)!.value, 42.5)
  const audit = await gateway.waitForLine(/command accepted.*metric=Setpoint/, T)
  assert.match(audit, /old=20 /)
  assert.match(audit, /readBack=42.5/)
})

test('commands - a write by alias only, as hosts send after a birth', async () => {
  const from = observer.messages.length
  await host.command(DCMD, [{ alias: aliases.get('Mode')!, datatype: 'String', value: 'manual' }])
  const data = await observer.waitFor((m) => isAfter(m, from) && m.type === 'DDATA' && metricOf(m.payload, 'Mode', aliases) !== undefined, T)
  assert.equal(metricOf(data.payload, 'Mode', aliases)!.value, 'manual')
})

test('commands - bad writes are refused, one audit line each, and change nothing', async () => {
  const before_ = refusedLines().length
  const bad = [
    [{ name: 'Counter', datatype: 'Int32' as const, value: 5 }], // not writable
    [{ name: 'Setpoint', datatype: 'Double' as const, value: 150 }], // above max 100
    [{ name: 'Setpoint', datatype: 'String' as const, value: 'hot' }], // wrong type
    [{ name: 'Mode', datatype: 'String' as const, value: 'turbo' }], // not an allowed value
    [{ name: 'No Such Tag', datatype: 'Boolean' as const, value: true }], // unknown
    [{ name: 'Setpoint', datatype: 'Double' as const, isNull: true }], // no value
  ]
  for (const metrics of bad) await host.command(DCMD, metrics)
  const lines = await gateway.waitForLines(/command refused/, before_ + bad.length, T)
  assert.match(lines.at(-1)!, new RegExp(`refused=${before_ + bad.length}`))
  assert.equal(observer.messages.filter((m) => m.type === 'DDATA' && metricOf(m.payload, 'Setpoint', aliases)?.value === 150).length, 0)
})

test('commands - hundreds of random and malformed payloads are refused; the gateway keeps publishing', async () => {
  const before_ = refusedInLog()
  const valid = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Setpoint', datatype: 'Double', value: 10 }] }, { uint32Field: 'long_value' })
  let sent = 0
  for (let i = 0; i < 300; i++) {
    const bytes = i % 3 === 0 ? valid.subarray(0, 1 + (i % (valid.length - 1))) : randomBytes(1 + (i % 64))
    await host.raw(i % 2 === 0 ? DCMD : NCMD, bytes)
    sent++
  }
  await host.raw('spBv1.0/Plant1/DCMD/Line3-GW/NoSuchDevice', randomBytes(8))
  sent++
  // Each malformed command yields at least one refusal, counted, and audited one by one or in a summary; none crash the gateway.
  const url = await httpUrlOf(gateway, T)
  const name = 'sparkplug_gateway_commands_total{result="refused"}'
  const total = (await waitForMetric(url, name, (refused) => refused >= before_ + sent, T)).get(name)!
  await gateway.waitForLine(new RegExp(`commands? refused .*refused=${total}(\\s|$)`), T)
  assert.equal(refusedInLog(), total)
  const from = observer.messages.length
  await observer.waitForCount((m) => isAfter(m, from) && m.type === 'DDATA', 3, T)
  assert.equal(gateway.output.filter((l) => /uncaught|TypeError|RangeError/.test(l)).length, 0)
})

test('commands - Scan Rate changes every poll period and is reported in NDATA', async () => {
  const url = (await gateway.waitForLine(/http listening/, T)).match(/url=(\S+)/)![1]!
  const scans = async () => {
    const text = await (await fetch(`${url}/metrics`)).text()
    return Number(text.match(/sparkplug_gateway_device_scans_total\{device="Sim1"\} (\d+)/)![1])
  }
  // Polls every 100 ms, Counter steps every 200 ms: at a 1000 ms scan rate every scan sees a new count.
  const rateMs = 1000
  let from = observer.messages.length
  await host.command(NCMD, [{ name: 'Node Control/Scan Rate', datatype: 'Int64', value: BigInt(rateMs) }])
  const ndata = await observer.waitFor((m) => isAfter(m, from) && m.type === 'NDATA', T)
  assert.equal(ndata.payload.metrics[0]!.value, BigInt(rateMs))
  try {
    const t1 = Date.now()
    const s1 = await scans()
    from = observer.messages.length
    await observer.waitForCount((m) => isAfter(m, from) && m.type === 'DDATA' && metricOf(m.payload, 'Counter', aliases) !== undefined, 3, T)
    const s2 = await scans()
    const window = Date.now() - t1
    // The loop runs one scan per period slot and never catches up in a burst, so however busy the
    // machine, a window of `window` ms holds at most window / rate + 1 scans.
    assert.ok(s2 - s1 <= window / rateMs + 1, `${s2 - s1} scans in ${window} ms: polling faster than every ${rateMs} ms`)
    assert.ok(s2 - s1 >= 2, `${s2 - s1} scans in ${window} ms while 3 DDATA arrived`)
  } finally {
    from = observer.messages.length
    await host.command(NCMD, [{ name: 'Node Control/Scan Rate', datatype: 'Int64', value: 0n }])
    await observer.waitFor((m) => isAfter(m, from) && m.type === 'NDATA', T)
  }
})

test('commands - /metrics counts accepted and refused commands as the audit lines do; /status and /healthz answer', async () => {
  const url = (await gateway.waitForLine(/http listening/, T)).match(/url=(\S+)/)![1]!
  const metrics = await (await fetch(`${url}/metrics`)).text()
  const refused = Number(metrics.match(/sparkplug_gateway_commands_total\{result="refused"\} (\d+)/)![1])
  const accepted = Number(metrics.match(/sparkplug_gateway_commands_total\{result="accepted"\} (\d+)/)![1])
  assert.equal(refused, refusedInLog())
  assert.equal(accepted, gateway.output.filter((l) => l.includes('command accepted')).length)
  assert.match(metrics, /sparkplug_gateway_device_online\{device="Sim1"\} 1/)
  const status = (await (await fetch(`${url}/status`)).json()) as { upstream: { connected: boolean }; devices: Record<string, unknown> }
  assert.equal(status.upstream.connected, true)
  assert.deepEqual(Object.keys(status.devices), ['Sim1'])
  assert.equal((await fetch(`${url}/healthz`)).status, 200)
})

test('commands - `sparkplug-gateway cmd` types the value from the birth and prints the value read back', async () => {
  const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))
  const { stdout } = await run(process.execPath, [cli, 'cmd', '--broker', broker.url, '--group', 'Plant1', '--node', 'Line3-GW', '--device', 'Sim1', 'Setpoint=55'], { timeout: T })
  assert.match(stdout, /sent spBv1.0\/Plant1\/DCMD\/Line3-GW\/Sim1: Setpoint=55/)
  assert.match(stdout, /read back Setpoint = 55/)
  const refused = await run(process.execPath, [cli, 'cmd', '--broker', broker.url, '--group', 'Plant1', '--node', 'Line3-GW', '--device', 'Sim1', 'Setpoint=warm'], { timeout: T }).catch((e: { code: number; stderr: string }) => e)
  assert.equal((refused as { code: number }).code, 64)
  assert.match((refused as { stderr: string }).stderr, /'warm' is not a Double value for 'Setpoint'/)
})

test('commands - -1 written to a UInt16 tag (int_value 0xFFFFFFFF) is refused, by name and by alias, and the device keeps its value', async () => {
  const before_ = refusedLines().length
  const minusOne = { intValue: 0xffffffff }
  await host.raw(DCMD, wirePayload.encode({ metrics: [{ name: 'Valve', datatype: 6, ...minusOne }] }).finish())
  await host.raw(DCMD, wirePayload.encode({ metrics: [{ alias: aliases.get('Valve')!, ...minusOne }] }).finish())
  const lines = await gateway.waitForLines(/command refused.*metric=Valve/, 2, T)
  assert.equal(refusedLines().length, before_ + 2)
  for (const line of lines) assert.match(line, /4294967295 does not fit UInt16 \(0\.\.65535\)/)
  const from = observer.messages.length
  await host.command(NCMD, [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }])
  const dbirth = await observer.waitFor((m) => isAfter(m, from) && m.type === 'DBIRTH', T)
  assert.equal(metricOf(dbirth.payload, 'Valve', aliases)!.value, 7)
})

test('commands - `cmd` prints a negative Int16 read back as negative, typed from the birth', async () => {
  const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))
  const { stdout } = await run(process.execPath, [cli, 'cmd', '--broker', broker.url, '--group', 'Plant1', '--node', 'Line3-GW', '--device', 'Sim1', 'Trim=-5'], { timeout: T })
  assert.match(stdout, /read back Trim = -5$/m)
})
