/**
 * An OPC UA server whose publish engine is stuck: it answers Read, CreateSubscription and
 * CreateMonitoredItems, but never a Publish. Each reconnect succeeds and then hears nothing; the
 * gateway must count those as failed scans and declare the device offline after `offlineAfter`,
 * not bring it back online on the values the reconnect read. Real node-opcua server, gateway
 * process, mosquitto.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { startRig } from '../helpers/rig.js'
import { type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'

const T = 30_000

let server: OpcuaTestServer
let observer: SparkplugObserver, gateway: GatewayProcess

const of = (type: string) => (m: SparkplugMessage) => m.type === type && m.deviceId === 'Press'
const from = (index: number, p: (m: SparkplugMessage) => boolean) => (m: SparkplugMessage) => observer.messages.indexOf(m) >= index && p(m)

before(async (t) => {
  const rig = await startRig(t)
  observer = rig.observer
  server = await startOpcuaServer({ counterMs: 100 })
  rig.defer(() => server.stop())
  gateway = rig.startGateway((dir) => ({
    devices: {
      press: [
        'device: Press',
        'driver: opcua',
        `connection: { endpoint: '${server.endpoint}', publishingInterval: 200ms, timeout: 1s, pkiDir: ${join(dir, 'state', 'opcua-pki')} }`,
        'offlineAfter: 2',
        'tags:',
        "  - { name: Counter, nodeId: 'ns=1;s=Counter', type: UInt32 }",
      ].join('\n'),
    },
  }))
})

test('opcua stuck publish - reconnects that never produce a notification count as failed scans: DDEATH, no rebirth until Publish answers again', async () => {
  await observer.waitFor(of('DBIRTH'), T)
  const stalledAt = observer.messages.length
  await server.publishing(false)
  const death = await observer.waitFor(from(stalledAt, of('DDEATH')), T)
  const deathIndex = observer.messages.indexOf(death)
  // Two more sessions opened (and read) while Publish stays stuck: neither may bring the device back.
  const opens = gateway.output.filter((l) => /OPC UA session open/.test(l)).length
  await gateway.waitForLines(/OPC UA session open/, opens + 2, T)
  await observer.flush()
  assert.deepEqual(observer.messages.slice(deathIndex).filter((m) => m.deviceId === 'Press').map((m) => m.type), ['DDEATH'], 'reborn on a reconnect that never published')
  await server.publishing(true)
  await observer.waitFor(from(deathIndex, of('DBIRTH')), T)
})
