import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { before, test } from 'node:test'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { connectHost, type TestHost } from '../helpers/host.js'
import { startRig } from '../helpers/rig.js'
import type { SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
let observer: SparkplugObserver, scada: TestHost, intruder: TestHost, gateway: GatewayProcess

/** The first code block after the README's "Who may command this node" heading. */
function readmeAcl(): string {
  const section = readme.slice(readme.indexOf('### Who may command this node'))
  const match = /```\n([\s\S]*?)```/.exec(section)
  assert.ok(match, 'the README shows an ACL')
  return match[1]!
}

const as = (user: string) => (url: string) => url.replace('mqtt://', `mqtt://${user}:${user}-pw@`)

before(async (t) => {
  const users = { scada: 'scada-pw', gateway: 'gateway-pw', intruder: 'intruder-pw' }
  const rig = await startRig(t, { mosquitto: { users, acl: readmeAcl() }, host: true, clientUrl: as('scada') })
  observer = rig.observer
  scada = rig.host
  intruder = await connectHost(as('intruder')(rig.url))
  rig.defer(() => intruder.close())
  const setup = rig.configure({ edgeNodeId: 'Gateway1', devices: { sim1: simDevice('Sim1') } })
  writeFileSync(join(setup.dir, 'pw'), 'gateway-pw\n')
  writeFileSync(setup.file, readFileSync(setup.file, 'utf8').replace('  mqtt:\n', '  mqtt:\n    username: gateway\n    passwordFile: pw\n'))
  gateway = rig.launchGateway()
})

test('README ACL - the gateway publishes its births; only the SCADA user can command it', async () => {
  await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Sim1', T)
  const dcmd = 'spBv1.0/Plant1/DCMD/Gateway1/Sim1'
  // The broker takes the intruder's command (QoS 1 acknowledged) before the host's, and drops it.
  await intruder.command(dcmd, [{ name: 'Setpoint', datatype: 'Double', value: 77 }])
  await scada.command(dcmd, [{ name: 'Setpoint', datatype: 'Double', value: 55 }])
  const audit = await gateway.waitForLine(/command (accepted|refused)/, T)
  assert.match(audit, /command accepted .*metric=Setpoint value=55 /)
  assert.equal(gateway.output.filter((l) => /command (accepted|refused)/.test(l)).length, 1)
})
