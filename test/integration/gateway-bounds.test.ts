import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { before, test } from 'node:test'
import type { PayloadMetric } from '../../gateway/sparkplug/payload.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { startRig } from '../helpers/rig.js'
import { type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Sim1'
const NCMD = 'spBv1.0/Plant1/NCMD/Line3-GW'
let observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess

before(async (t) => {
  ({ observer, host, gateway } = await startRig(t, {
    host: true,
    gateway: { devices: { sim1: simDevice('Sim1') }, extra: 'commands: { reboot: false, maxPayloadSize: 4KiB, auditValueLength: 32 }' },
  }))
  await gateway.waitForLine(/births published/, T)
})

const key = (m: PayloadMetric) => `${m.timestamp} ${m.isNull === true ? 'null' : String(m.value)}`

test('bounds - after start, no historical DDATA repeats a value and timestamp the DBIRTH carried', async () => {
  const dbirth = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Sim1', T)
  const carried = new Map<number, { name: string; key: string }>()
  for (const m of dbirth.payload.metrics) carried.set(m.alias!, { name: m.name!, key: key(m) })
  // The first readings are taken before the births; whatever history they leave goes out before
  // the live data has run for long (live first, history in between), so a few live DDATA suffice.
  const afterBirth = (m: SparkplugMessage) => observer.messages.indexOf(m) > observer.messages.indexOf(dbirth)
  const isLive = (m: SparkplugMessage) => m.payload.metrics.every((x) => x.isHistorical !== true)
  await observer.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Sim1' && afterBirth(m) && isLive(m), 5, T)
  const repeats = observer.messages
    .filter((m) => m.type === 'DDATA' && m.deviceId === 'Sim1' && afterBirth(m))
    .flatMap((m) => m.payload.metrics.filter((x) => x.isHistorical === true && carried.get(x.alias!)?.key === key(x)))
    .map((x) => `${carried.get(x.alias!)!.name} at ${x.timestamp}`)
  assert.deepEqual(repeats, [], 'history the DBIRTH already carried')
})

test('bounds - an oversized command is refused whole with one audit line; long values are cut in audit lines', async () => {
  const before_ = gateway.output.filter((l) => l.includes('command refused')).length
  const metrics: PayloadMetric[] = Array.from({ length: 1000 }, () => ({ name: 'Setpoint', datatype: 'Double', value: 50 }))
  await host.command(DCMD, metrics)
  const line = await gateway.waitForLine(/command refused.*commands.maxPayloadSize/, T)
  assert.match(line, /metric=\* /)
  // A metric name of 1000 characters is cut to 32 (auditValueLength), with its length and digest.
  const name = 'N'.repeat(1000)
  await host.command(DCMD, [{ name, datatype: 'Double', value: 1 }])
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 12)
  const unknown = await gateway.waitForLine(/command refused.*unknown metric/, T)
  assert.ok(unknown.includes(`metric="${name.slice(0, 32)}... (1000 characters, sha256 ${digest})"`), unknown)
  // A reason quoting a long value keeps its words and the value's start, not the whole value.
  const long = 'turbo'.repeat(600)
  await host.command(DCMD, [{ name: 'Mode', datatype: 'String', value: long }])
  const refusal = await gateway.waitForLine(/command refused.*metric=Mode/, T)
  assert.match(refusal, /reason="turboturbo.*\.\.\. \(\d+ characters, sha256 [0-9a-f]{12}\)"/)
  assert.ok(refusal.length < 1000, `${refusal.length} characters logged`)
  assert.equal(gateway.output.filter((l) => l.includes('command refused')).length, before_ + 3)
})

test('bounds - a Scan Rate below the minimum and a disabled Reboot are refused, naming the setting', async () => {
  await host.command(NCMD, [{ name: 'Node Control/Scan Rate', datatype: 'Int64', value: 1n }])
  await gateway.waitForLine(/command refused.*metric="Node Control\/Scan Rate".*commands.scanRateMin/, T)
  await host.command(NCMD, [{ name: 'Node Control/Reboot', datatype: 'Boolean', value: true }])
  await gateway.waitForLine(/command refused.*metric="Node Control\/Reboot".*commands.reboot: false/, T)
  assert.equal(gateway.output.filter((l) => l.includes('command accepted') && l.includes('Reboot')).length, 0)
})
