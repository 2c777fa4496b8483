/**
 * OPC UA through the whole gateway: a real node-opcua server, `browse` writing the tag file,
 * `validate` accepting it, the gateway as a separate process, real mosquitto, Sparkplug decoded as
 * a host sees it.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { runCli } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'

const T = 30_000

let server: OpcuaTestServer
let observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess
let dir: string
let tagFile: string


const births = () => observer.messages.filter((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant')
const isAfter = (m: SparkplugMessage, index: number) => observer.messages.indexOf(m) >= index

function nextData(name: string, from: number, ok: (metric: { value?: unknown; isNull?: boolean }) => boolean): Promise<SparkplugMessage> {
  return observer.waitFor((m) => {
    if (!isAfter(m, from) || m.type !== 'DDATA' || m.deviceId !== 'Plant') return false
    const metric = metricOf(m.payload, name, aliasesOf(births().at(-1)!.payload))
    return metric !== undefined && ok(metric)
  }, T)
}

before(async (t) => {
  const rig = await startRig(t, { host: true })
  observer = rig.observer
  host = rig.host
  server = await startOpcuaServer({ counterMs: 100 })
  rig.defer(() => server.stop())
  const setup = rig.configure({ devices: {} })
  dir = setup.dir
  tagFile = join(dir, 'devices', 'plant.yaml')
  const browsePki = join(dir, 'browse-pki')
  const browsed = await runCli(['browse', server.endpoint, '--root', 'ns=1;s=Plant', '--device', 'Plant', '--pki-dir', browsePki, '--out', tagFile])
  assert.equal(browsed.code, 0, browsed.stderr)
  // A faster scan than the default 1 s keeps the test short; without browse's pkiDir the gateway
  // keeps its certificates in its own state directory. The rest of the file is browse's.
  const written = readFileSync(tagFile, 'utf8')
  assert.ok(written.includes(browsePki), 'browse names the PKI it was given')
  writeFileSync(tagFile, written.replace('driver: opcua\n', 'driver: opcua\npoll: 200ms\n').replace(/,?\s*pkiDir: [^,}\n]+/, ''))
  gateway = rig.launchGateway()
})

test('gateway opcua - the browsed tag file validates as written', async () => {
  const result = await runCli(['validate', '--config', join(dir, 'gateway.yaml')])
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /OK: 1 device, 26 tags/)
})

test('gateway opcua - DBIRTH carries every browsed variable with its Sparkplug datatype and value', async () => {
  const birth = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  assert.ok(existsSync(join(dir, 'state', 'opcua-pki', 'own')), 'the OPC UA certificates live in the gateway\'s state directory')
  assert.ok(!readFileSync(tagFile, 'utf8').includes('pkiDir'))
  const expected: [string, string, unknown][] = [
    ['Boolean', 'Boolean', true], ['Int16', 'Int16', -30000], ['UInt32', 'UInt32', 4000000000],
    ['Int64', 'Int64', -9007199254740993n], ['UInt64', 'UInt64', 18446744073709551615n], ['Double', 'Double', 3.25],
    ['String', 'String', 'hello'], ['LocalizedText', 'String', 'Boiler'], ['DateTime', 'DateTime', 1714979289123n],
    ['DoubleArray', 'DoubleArray', [1.5, 2.5, 3.5]], ['Setpoint', 'Double', 20],
  ]
  for (const [name, datatype, value] of expected) {
    const metric = metricOf(birth.payload, name)
    assert.ok(metric, `DBIRTH lacks ${name}`)
    assert.deepEqual([metric.datatype, metric.value], [datatype, value], name)
  }
})

test('gateway opcua - subscription changes arrive as DDATA', async () => {
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  const from = observer.messages.length
  // UInt32 travels in long_value: a host without the birth's datatype at hand decodes a bigint.
  const first = await nextData('Counter', from, (m) => m.value !== undefined && m.isNull !== true)
  const seen = Number(metricOf(first.payload, 'Counter', aliasesOf(births().at(-1)!.payload))!.value)
  await nextData('Counter', observer.messages.indexOf(first) + 1, (m) => Number(m.value) > seen)
})

test('gateway opcua - a DCMD write changes the server value; the read-back (audit and the next DDATA) is the written value', async () => {
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  const from = observer.messages.length
  await host.command('spBv1.0/Plant1/DCMD/Line3-GW/Plant', [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }])
  const first = await nextData('Setpoint', from, () => true)
  assert.equal(metricOf(first.payload, 'Setpoint', aliasesOf(births().at(-1)!.payload))!.value, 42.5, 'the value from before the write was published again')
  assert.match(await gateway.waitForLine(/command accepted.*metric=Setpoint/, T), /readBack=42\.5/)
  assert.equal(await server.get('Setpoint'), 42.5)
})

test('gateway opcua - a Bad status is published as is_null, and the value returns when it is Good again', async () => {
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  const from = observer.messages.length
  await server.status('Status', 'Bad')
  const bad = await nextData('Status', from, (m) => m.isNull === true)
  await server.status('Status', 'Good')
  await nextData('Status', observer.messages.indexOf(bad) + 1, (m) => m.isNull !== true && m.value === 1)
})

test('gateway opcua - server stopped: DDEATH; restarted: DBIRTH again without a gateway restart', async () => {
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  const from = observer.messages.length
  await server.stop()
  const death = await observer.waitFor((m) => isAfter(m, from) && m.type === 'DDEATH' && m.deviceId === 'Plant', T)
  await server.restart()
  const reborn = await observer.waitFor((m) => isAfter(m, observer.messages.indexOf(death)) && m.type === 'DBIRTH' && m.deviceId === 'Plant', T)
  assert.equal(metricOf(reborn.payload, 'Double')?.value, 3.25)
})
