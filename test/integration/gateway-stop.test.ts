import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { EX_TEMPFAIL } from '../../gateway/cli/exit-codes.js'
import { startRig, type Rig } from '../helpers/rig.js'
import type { SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000

/** Broker, observer, host and a gateway named `edgeNodeId`, its device born; stopped by PID when `t` ends. */
async function startGatewayRig(t: TestContext, edgeNodeId: string): Promise<Rig> {
  const rig = await startRig(t, { host: true, gateway: { edgeNodeId, devices: { sim1: simDevice('Sim1') } } })
  await rig.observer.waitFor((m) => m.type === 'DBIRTH' && m.topic.includes(`/${edgeNodeId}/`), T)
  return rig
}

/**
 * A client that has been served once on its connection (so the listener surely holds it) and then
 * starts a second request whose headers never end: one more header line every half second.
 */
async function slowClient(rig: Rig): Promise<Socket> {
  const { hostname, port } = new URL(await rig.http(T))
  const socket = connect(Number(port), hostname)
  rig.defer(() => socket.destroy())
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

const deathsOf = (observer: SparkplugObserver, edgeNodeId: string) => {
  const ofNode = observer.messages.filter((m) => m.topic.includes(`/${edgeNodeId}`))
  const lastBirth = ofNode.findLastIndex((m) => m.type === 'NBIRTH')
  return ofNode.slice(lastBirth).filter((m) => m.type === 'DDEATH' || m.type === 'NDEATH').map((m) => `${m.type} ${m.deviceId ?? ''}`.trim())
}

// A test that fails here hangs until its timeout: the gateway waits for the client to finish.
test('stop - SIGTERM with an HTTP client trickling headers: DDEATH and NDEATH go out and the process exits 0', { timeout: 30_000 }, async (t) => {
  const rig = await startGatewayRig(t, 'Stop-GW')
  const { gateway, observer } = rig
  const client = await slowClient(rig)
  await gateway.kill('SIGTERM')
  assert.equal(await gateway.exited, 0)
  await observer.waitFor((m) => m.type === 'NDEATH' && m.topic.endsWith('/Stop-GW'), T)
  assert.deepEqual(deathsOf(observer, 'Stop-GW'), ['DDEATH Sim1', 'NDEATH'])
  assert.ok(client.destroyed || client.readableEnded, 'the slow connection was closed by the gateway')
})

test('stop - Node Control/Reboot with an HTTP client trickling headers: the deaths go out and the process exits for a restart', { timeout: 30_000 }, async (t) => {
  const rig = await startGatewayRig(t, 'Reboot-GW')
  const { gateway, observer, host } = rig
  await slowClient(rig)
  await host.command('spBv1.0/Plant1/NCMD/Reboot-GW', [{ name: 'Node Control/Reboot', datatype: 'Boolean', value: true }])
  assert.equal(await gateway.exited, EX_TEMPFAIL)
  await observer.waitFor((m) => m.type === 'NDEATH' && m.topic.endsWith('/Reboot-GW'), T)
  assert.deepEqual(deathsOf(observer, 'Reboot-GW'), ['DDEATH Sim1', 'NDEATH'])
})
