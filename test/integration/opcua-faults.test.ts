/**
 * A misbehaving OPC UA server degrades its own device and nothing else. One gateway process with
 * three devices and real mosquitto: Press (a real node-opcua server that the test freezes with
 * SIGSTOP: TCP stays open, nothing answers), Junk (a TCP server here that answers every byte with
 * garbage) and Sim (a simulator whose DDATA must keep flowing throughout).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { Collection } from '../helpers/collection.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { startRig } from '../helpers/rig.js'
import { type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'
import { countReadings, readingsOf } from '../helpers/readings.js'

const T = 30_000
/** A stalled server is found by the subscription keep-alive allowance: 11 publishing intervals plus the request timeout. */
const PUBLISHING_MS = 200
const TIMEOUT_MS = 3_000

let server: OpcuaTestServer
let junk: { port: number; connections(count: number, timeoutMs: number): Promise<void>; close(): Promise<void> }
let observer: SparkplugObserver, gateway: GatewayProcess
let stopped = false

/** Accepts TCP and answers every chunk it receives with random bytes. */
async function garbageServer(): Promise<typeof junk> {
  const sockets = new Set<Socket>()
  const connected = new Collection<Socket>((all) => `${all.length} connection(s) to the garbage server`)
  const tcp: Server = createServer((socket) => {
    connected.push(socket)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.on('data', () => socket.write(randomBytes(64)))
  })
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
  const address = tcp.address()
  assert.ok(address !== null && typeof address === 'object')
  return {
    port: address.port,
    connections: async (count, timeoutMs) => void (await connected.waitForCount(() => true, count, timeoutMs)),
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => tcp.close(() => resolve()))
    },
  }
}

const opcuaDevice = (deviceId: string, endpoint: string, pkiDir: string, tags = ["{ name: Counter, nodeId: 'ns=1;s=Counter', type: UInt32 }", "{ name: Double, nodeId: 'ns=1;s=Double', type: Double }"], timeoutMs = TIMEOUT_MS): string => [
  `device: ${deviceId}`,
  'driver: opcua',
  `connection: { endpoint: '${endpoint}', publishingInterval: ${PUBLISHING_MS}ms, timeout: ${timeoutMs}ms, pkiDir: ${pkiDir} }`,
  'offlineAfter: 1',
  'tags:',
  ...tags.map((t) => `  - ${t}`),
].join('\n')

const of = (type: string, deviceId: string) => (m: SparkplugMessage) => m.type === type && m.deviceId === deviceId
const after_ = (index: number, p: (m: SparkplugMessage) => boolean) => (m: SparkplugMessage) => observer.messages.indexOf(m) >= index && p(m)

/** Gateway timestamps of the simulator's DDATA between two message indexes. */
function simDataTimes(from: number, to: number): number[] {
  return observer.messages.slice(from, to).filter(of('DDATA', 'Sim')).map((m) => Number(m.payload.timestamp))
}

before(async (t) => {
  const rig = await startRig(t)
  observer = rig.observer
  server = await startOpcuaServer({ counterMs: 100 })
  rig.defer(() => server.stop())
  junk = await garbageServer()
  rig.defer(() => junk.close())
  gateway = rig.startGateway((dir) => {
    const pki = join(dir, 'state', 'opcua-pki')
    return {
      devices: {
        press: opcuaDevice('Press', server.endpoint, pki),
        junk: opcuaDevice('Junk', `opc.tcp://127.0.0.1:${junk.port}/test`, pki),
        // A value that never changes: the subscription only keeps alive (every 10 x 200 ms), far
        // longer than this device's 500 ms request timeout.
        quiet: opcuaDevice('Quiet', server.endpoint, pki, ["{ name: Setpoint, nodeId: 'ns=1;s=Setpoint', type: Double }"], 500),
        sim: simDevice('Sim', { walk: true }),
      },
    }
  })
  // A frozen server cannot die of SIGKILL until it is continued.
  rig.defer(() => stopped && process.kill(server.pid, 'SIGCONT'))
})

test('opcua faults - a quiet subscription is not a dead device: a value that never changes stays online through many keep-alive periods', async () => {
  await observer.waitFor(of('DBIRTH', 'Quiet'), T)
  const from = observer.messages.length
  // Sim polls every 100 ms: 100 more of its DDATA span at least five keep-alive periods of Quiet.
  await observer.waitForCount(after_(from, of('DDATA', 'Sim')), 100, T)
  assert.deepEqual(observer.messages.slice(from).filter((m) => m.deviceId === 'Quiet').map((m) => m.type), [], 'no death, no rebirth of the quiet device')
  assert.equal(gateway.output.filter((l) => /device=Quiet/.test(l) && /lost|not answering/.test(l)).length, 0)
})

test('opcua faults - a stalled server: its device goes DDEATH, the simulator keeps publishing, SIGCONT brings DBIRTH', async (t) => {
  await observer.waitFor(of('DBIRTH', 'Press'), T)
  // A stretch of normal traffic to compare the stall with (Sim polls every 100 ms).
  await observer.waitForCount(of('DDATA', 'Sim'), 80, T)
  const stallFrom = observer.messages.length
  const stallAt = Date.now()
  process.kill(server.pid, 'SIGSTOP')
  stopped = true
  const death = await observer.waitFor(after_(stallFrom, of('DDEATH', 'Press')), T)
  const deadAt = Date.now()
  const deathIndex = observer.messages.indexOf(death)
  process.kill(server.pid, 'SIGCONT')
  stopped = false
  const birth = await observer.waitFor(after_(deathIndex, of('DBIRTH', 'Press')), T)
  const bornAt = Date.now()
  const birthIndex = observer.messages.indexOf(birth)

  const stalled = simDataTimes(stallFrom, deathIndex)
  const recovering = simDataTimes(deathIndex, birthIndex)
  t.diagnostic(`stall to DDEATH ${deadAt - stallAt} ms: ${stalled.length} Sim DDATA; SIGCONT to DBIRTH ${bornAt - deadAt} ms: ${recovering.length} Sim DDATA`)
  assert.ok(stalled.length > 0 && recovering.length > 0, 'the simulator published during the stall and the recovery')
  assert.equal(observer.messages.slice(stallFrom).filter(of('DDEATH', 'Sim')).length, 0)
  assert.deepEqual(countReadings(readingsOf(observer.messages.map((m) => ({ ...m, receivedAt: 0 })), 'Sim')).missing, [], 'no reading of the simulator lost')
})

test('opcua faults - a server answering garbage: its device never comes online, one log line, the simulator unaffected', async () => {
  // Three connection attempts prove the device keeps retrying rather than giving up or hanging.
  const tried = observer.messages.length
  await junk.connections(3, T)
  assert.equal(observer.messages.filter(of('DBIRTH', 'Junk')).length, 0, 'the garbage server produced a DBIRTH')
  const lines = gateway.output.filter((l) => /device=Junk|Junk/.test(l) && /warn|error/i.test(l))
  assert.equal(lines.length, 1, `expected one warning for Junk, got:\n${lines.join('\n')}`)
  assert.match(lines[0], new RegExp(`device not answering.*127\\.0\\.0\\.1:${junk.port}`))
  await observer.waitForCount(after_(tried, of('DDATA', 'Sim')), 10, T)
})
