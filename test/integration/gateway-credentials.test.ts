/**
 * Credentials written inside server URLs, against a real mosquitto with password auth and the
 * gateway as its own process: each server's URL login is used for that server, and the password
 * shows up nowhere a user or a monitoring system can read.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { httpUrlOf, waitForMetric } from '../helpers/gateway-http.js'
import { startRig } from '../helpers/rig.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000

test('credentials - a password inside a server URL authenticates, yet is in no log line, /status or /metrics', async (t) => {
  const rig = await startRig(t, { mosquitto: { users: { gw: 'right@SECRET-2' } }, observer: 'none' })
  const { broker } = rig
  const shown = `mqtt://127.0.0.1:${broker.port}`
  // Both entries reach the same broker: the first with a wrong password (refused), the second
  // with the right one, percent-encoded as URLs require.
  const gateway = rig.startGateway({
    servers: [`mqtt://gw:wrong-SECRET-1@127.0.0.1:${broker.port}`, `mqtt://gw:right%40SECRET-2@127.0.0.1:${broker.port}`],
    devices: { sim1: simDevice('Sim1') },
  })
  const refused = await gateway.waitForLine(/cannot connect upstream/, T)
  assert.match(refused, /refused the connection: not authorized/)
  const base = await httpUrlOf(gateway, T)
  await waitForMetric(base, `sparkplug_gateway_upstream_connected{server="${shown}"}`, (v) => v === 1, T)
  await gateway.waitForLine(/INFO +connected /, T)

  const status = await (await fetch(`${base}/status`)).text()
  const metrics = await (await fetch(`${base}/metrics`)).text()
  assert.equal(JSON.parse(status).upstream.server, shown)
  for (const [where, text] of [['log', gateway.output.join('\n')], ['/status', status], ['/metrics', metrics]] as const) {
    assert.ok(!text.includes('SECRET'), `${where} shows a password:\n${text}`)
  }
  assert.ok(gateway.output.some((l) => l.includes(`server=${shown}`)), 'log lines name the server without its login')
  assert.ok(gateway.output.some((l) => l.includes('warning: upstream.mqtt.servers[0]: this URL holds a password and')), 'gateway.yaml (0644) holding a password is a warning')
})
