import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, afterEach, before, test } from 'node:test'
import { EX_TEMPFAIL } from '../../gateway/cli/exit-codes.js'
import { httpUrlOf } from '../helpers/gateway-http.js'
import { removeDir, startGatewayProcess, writeGatewayConfig, type GatewayProcess } from '../helpers/gateway-process.js'
import { connectHost, type TestHost } from '../helpers/host.js'
import { startMosquitto, type Broker } from '../helpers/mosquitto.js'
import { observeSparkplug, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
let broker: Broker
let observer: SparkplugObserver
let host: TestHost
const dirs: string[] = []
const started: GatewayProcess[] = []
const clients: Socket[] = []

before(async () => {
  broker = await startMosquitto()
  observer = await observeSparkplug(broker.url)
  host = await connectHost(broker.url)
})

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  for (const gateway of started.splice(0)) await gateway.kill('SIGKILL')
})

after(async () => {
  await host?.close()
  await observer?.close()
  await broker?.stop()
  for (const dir of dirs) removeDir(dir)
})

async function startGateway(edgeNodeId: string): Promise<GatewayProcess> {
  const setup = writeGatewayConfig({ servers: [broker.url], edgeNodeId, devices: { sim1: simDevice('Sim1') } })
  dirs.push(setup.dir)
  const gateway = startGatewayProcess(setup.file)
  started.push(gateway)
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.topic.includes(`/${edgeNodeId}/`), T)
  return gateway
}

/**
 * A client that has been served once on its connection (so the listener surely holds it) and then
 * starts a second request whose headers never end: one more header line every half second.
 */
async function slowClient(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  clients.push(socket)
  socket.on('error', () => {})
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`)
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.write(`GET /status HTTP/1.1\r\nHost: ${hostname}\r\n`)
  let line = 0
  const trickle = setInterval(() => socket.write(`X-Slow-${line++}: 1\r\n`), 500)
  socket.once('close', () => clearInterval(trickle))
  return socket
}

const deathsOf = (edgeNodeId: string) => {
  const ofNode = observer.messages.filter((m) => m.topic.includes(`/${edgeNodeId}`))
  const lastBirth = ofNode.findLastIndex((m) => m.type === 'NBIRTH')
  return ofNode.slice(lastBirth).filter((m) => m.type === 'DDEATH' || m.type === 'NDEATH').map((m) => `${m.type} ${m.deviceId ?? ''}`.trim())
}

// A test that fails here hangs until its timeout: the gateway waits for the client to finish.
test('stop - SIGTERM with an HTTP client trickling headers: DDEATH and NDEATH go out and the process exits 0', { timeout: 30_000 }, async () => {
  const gateway = await startGateway('Stop-GW')
  const client = await slowClient(await httpUrlOf(gateway, T))
  await gateway.kill('SIGTERM')
  assert.equal(await gateway.exited, 0)
  await observer.waitFor((m) => m.type === 'NDEATH' && m.topic.endsWith('/Stop-GW'), T)
  assert.deepEqual(deathsOf('Stop-GW'), ['DDEATH Sim1', 'NDEATH'])
  assert.ok(client.destroyed || client.readableEnded, 'the slow connection was closed by the gateway')
})

test('stop - Node Control/Reboot with an HTTP client trickling headers: the deaths go out and the process exits for a restart', { timeout: 30_000 }, async () => {
  const gateway = await startGateway('Reboot-GW')
  await slowClient(await httpUrlOf(gateway, T))
  await host.command('spBv1.0/Plant1/NCMD/Reboot-GW', [{ name: 'Node Control/Reboot', datatype: 'Boolean', value: true }])
  assert.equal(await gateway.exited, EX_TEMPFAIL)
  await observer.waitFor((m) => m.type === 'NDEATH' && m.topic.endsWith('/Reboot-GW'), T)
  assert.deepEqual(deathsOf('Reboot-GW'), ['DDEATH Sim1', 'NDEATH'])
})
