/**
 * Large OPC UA values under the packaged unit's heap limits (--max-old-space-size=96 --max-semi-space-size=4): a server
 * with a 10 MB string and a 1,000,000-element array, both new every 500 ms. They must be bad
 * readings naming the limit, logged once, while the same device's small tag and a simulator keep
 * publishing. Real node-opcua server, gateway process, mosquitto.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { opcuaDriver, valueOf } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 60_000
const STRING_BYTES = 10 * 1024 * 1024
const ARRAY_LENGTH = 1_000_000

let server: OpcuaTestServer
let observer: SparkplugObserver, gateway: GatewayProcess
let dir: string

const of = (type: string, deviceId: string) => (m: SparkplugMessage) => m.type === type && m.deviceId === deviceId

// One large value per device, as two servers would give them: both in one Read would pass
// node-opcua's own message size limit (BadTcpMessageTooLarge) before the driver sees them.
const bigDevice = (deviceId: string, tag: string): string => [
  `device: ${deviceId}`,
  'driver: opcua',
  `connection: { endpoint: '${server.endpoint}', pkiDir: ${join(dir, 'state', 'opcua-pki')} }`,
  'poll: 200ms',
  'tags:',
  `  - ${tag}`,
  "  - { name: Small, nodeId: 'ns=1;s=Double', type: Double }",
].join('\n')

before(async (t) => {
  const rig = await startRig(t)
  observer = rig.observer
  server = await startOpcuaServer({ big: { stringBytes: STRING_BYTES, arrayLength: ARRAY_LENGTH, changeMs: 500 } })
  rig.defer(() => server.stop())
  gateway = rig.startGateway((configDir) => {
    dir = configDir
    return {
      devices: {
        text: bigDevice('BigText', "{ name: Text, nodeId: 'ns=1;s=BigString', type: String }"),
        profile: bigDevice('BigProfile', "{ name: Profile, nodeId: 'ns=1;s=BigArray', type: 'Double[]' }"),
        sim: simDevice('Sim', { walk: true }),
      },
      env: { NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=4' },
    }
  })
})

test('opcua large values - a 10 MB string and a 1,000,000-element array are bad readings with the reason, once in the log; the gateway and its other devices keep publishing', async () => {
  for (const [deviceId, big] of [['BigText', 'Text'], ['BigProfile', 'Profile']]) {
    const birth = await observer.waitFor(of('DBIRTH', deviceId), T)
    const aliases = aliasesOf(birth.payload)
    assert.equal(metricOf(birth.payload, 'Small', aliases)?.value, 3.25)
    assert.equal(metricOf(birth.payload, big, aliases)?.isNull, true, `${deviceId} ${big} is published as null (bad)`)
  }
  // 100 simulator readings (at 100 ms) span about 20 new big values on the server.
  const from = observer.messages.length
  await observer.waitForCount((m) => observer.messages.indexOf(m) >= from && of('DDATA', 'Sim')(m), 100, T)
  assert.equal(gateway.output.some((l) => /heap out of memory/i.test(l)), false)
  const logged = gateway.output.filter((l) => /value too large/.test(l))
  assert.equal(logged.length, 2, logged.join('\n'))
  assert.match(logged.find((l) => /tag=Text/.test(l)) ?? '', /10485760 bytes are more than maxStringBytes 65536/)
  assert.match(logged.find((l) => /tag=Profile/.test(l)) ?? '', /1000000 elements is longer than maxArrayLength 10000/)
  assert.equal(observer.messages.filter((m) => m.type === 'DDEATH').length, 0)
})

test('opcua large values - a tag raises its own limits and then reads the value', async () => {
  const readOne = async (tag: Record<string, unknown>) => {
    const driver = opcuaDriver({ endpoint: server.endpoint, mode: 'polling', maxBytesPerScan: '32MiB' }, [tag])
    try {
      await driver.open()
      return (await driver.read([String(tag.name)]))[0]
    } finally {
      await driver.close()
    }
  }
  const text = await readOne({ name: 'Text', nodeId: 'ns=1;s=BigString', type: 'String', maxStringBytes: '11MiB' })
  assert.equal((valueOf(text) as string).length, STRING_BYTES)
  const profile = await readOne({ name: 'Profile', nodeId: 'ns=1;s=BigArray', type: 'Double[]', maxArrayLength: 1_000_000 })
  assert.equal((valueOf(profile) as number[]).length, ARRAY_LENGTH)
  const fallback = await readOne({ name: 'Default', nodeId: 'ns=1;s=BigArray', type: 'Double[]' })
  assert.ok('error' in fallback && fallback.error.kind === 'decode' && /maxArrayLength 10000/.test(fallback.error.message))
})
