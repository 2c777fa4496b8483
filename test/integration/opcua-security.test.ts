/**
 * OPC UA security against a real node-opcua server that offers only SignAndEncrypt
 * (Basic256Sha256) and knows one user: the untrusted-certificate path, `sparkplug-gateway trust`,
 * the trustServer flag, and username right, wrong and missing.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { DriverError } from '../../drivers/driver.js'
import { opcuaDriver, recordingLog, runCli, valueOf } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'

let server: OpcuaTestServer
let dir: string
let passwordFile: string

before(async () => {
  server = await startOpcuaServer({ secure: true, users: { operator: 'correct horse' } })
  dir = mkdtempSync(join(tmpdir(), 'opcua-security-'))
  passwordFile = join(dir, 'operator-password')
  writeFileSync(passwordFile, 'correct horse\n', { mode: 0o600 })
})
after(async () => {
  await server?.stop()
})

const secured = (pkiDir: string, extra: Record<string, unknown> = {}) => ({
  endpoint: server.endpoint, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', pkiDir,
  user: { username: 'operator', passwordFile }, ...extra,
})
const tags = [{ name: 'Double', nodeId: 'ns=1;s=Double', type: 'Double' }]

/** A gateway.yaml with one OPC UA device using `pkiDir`, for the CLI. */
function gatewayConfig(pkiDir: string): string {
  const configDir = mkdtempSync(join(dir, 'config-'))
  mkdirSync(join(configDir, 'devices'))
  writeFileSync(join(configDir, 'gateway.yaml'), 'sparkplug: { groupId: Plant1, edgeNodeId: GW1 }\nupstream: { mqtt: { servers: mqtt://127.0.0.1:1883 } }\n')
  writeFileSync(join(configDir, 'devices', 'press.yaml'), JSON.stringify({ device: 'Press4', driver: 'opcua', connection: secured(pkiDir), tags }))
  return join(configDir, 'gateway.yaml')
}


test('an untrusted server certificate is refused with one log line naming the trust command; after `trust` the session opens', async () => {
  const pkiDir = join(mkdtempSync(join(dir, 'pki-')), 'opcua-pki')
  const log = recordingLog()
  const driver = opcuaDriver(secured(pkiDir), tags, log)
  try {
    await assert.rejects(driver.open(), (e: DriverError) => e.kind === 'connection' && /server certificate not trusted/.test(e.message))
    const lines = log.lines.filter((l) => l.level === 'error')
    assert.equal(lines.length, 1)
    assert.match(lines[0].message, new RegExp(`check it, then run: sparkplug-gateway trust ${server.endpoint.replace(/[.]/g, '\\.')}$`))
    assert.equal(readdirSync(join(pkiDir, 'rejected')).length, 1, 'the refused certificate is kept for the trust step')

    const trusted = await runCli(['trust', server.endpoint, '--config', gatewayConfig(pkiDir)])
    assert.equal(trusted.code, 0, trusted.stderr)
    assert.match(trusted.stdout, /^trusted the certificate of opc\.tcp:\/\/127\.0\.0\.1:\d+\/test \(device Press4\): .*SHA-1 [0-9a-f]{40}, moved out of rejected\/\n$/)
    assert.equal(readdirSync(join(pkiDir, 'rejected')).length, 0)

    await driver.open()
    assert.deepEqual((await driver.read(['Double'])).map(valueOf), [3.25])
  } finally {
    await driver.close()
  }
})

test('trust names an unknown device with the OPC UA devices there are, exit 64', async () => {
  const result = await runCli(['trust', 'Boiler9', '--config', gatewayConfig(join(dir, 'unused-pki'))])
  assert.equal(result.code, 64)
  assert.match(result.stderr, /no OPC UA device 'Boiler9' \(OPC UA devices: Press4\)/)
})

test('trustServer: true accepts the certificate without the trust step, with a warning at each connect', async () => {
  const log = recordingLog()
  const driver = opcuaDriver(secured(join(mkdtempSync(join(dir, 'pki-')), 'p'), { trustServer: true }), tags, log)
  try {
    await driver.open()
    assert.deepEqual((await driver.read(['Double'])).map(valueOf), [3.25])
    assert.ok(log.lines.some((l) => l.level === 'warn' && /trustServer is on/.test(l.message)))
  } finally {
    await driver.close()
  }
})

test('a wrong password and a missing user are refused by the server, with what was presented', async () => {
  const wrong = join(dir, 'wrong-password')
  writeFileSync(wrong, 'battery staple\n', { mode: 0o600 })
  const pki = (): string => join(mkdtempSync(join(dir, 'pki-')), 'p')
  for (const [user, expected] of [
    [{ username: 'operator', passwordFile: wrong }, /the server refused user 'operator': .*BadUserAccessDenied/],
    [undefined, /the server refused anonymous access: .*(ANONYMOUS user token|BadIdentityTokenInvalid|BadIdentityTokenRejected|BadUserAccessDenied)/],
  ] as const) {
    const driver = opcuaDriver({ ...secured(pki(), { trustServer: true }), user }, tags)
    try {
      await assert.rejects(driver.open(), (e: DriverError) => e.kind === 'connection' && expected.test(e.message))
    } finally {
      await driver.close()
    }
  }
})

test('a password file that cannot be read is named in the error', async () => {
  const driver = opcuaDriver(secured(join(mkdtempSync(join(dir, 'pki-')), 'p'), { trustServer: true, user: { username: 'operator', passwordFile: join(dir, 'absent') } }), tags)
  try {
    await assert.rejects(driver.open(), (e: DriverError) => /cannot read connection\.user\.passwordFile .*absent: ENOENT/.test(e.message))
  } finally {
    await driver.close()
  }
})
