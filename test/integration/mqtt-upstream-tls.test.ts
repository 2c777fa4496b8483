import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMqttUpstream } from '../../gateway/upstream/mqtt-upstream.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { brokerPool, deathOf, isKind, messageTo, mqttConfig, testNode } from '../helpers/mqtt-upstream-kit.js'

const broker = brokerPool()

const hasOpenssl = existsSync('/usr/bin/openssl')
describe('mqtt-upstream TLS', { skip: hasOpenssl ? false : 'openssl is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-tls-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' })

  function makeCa(): void {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'))
  }
  function makeServerCert(name: string, san: string): { cert: string; key: string } {
    writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`)
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`))
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`))
    return { cert: file(`${name}.pem`), key: file(`${name}.key`) }
  }

  test('mqtt-upstream TLS - a certificate for localhost fails hostname verification at 127.0.0.1 with kind tls', async () => {
    makeCa()
    const server = await broker({ tls: { ca: file('ca.pem'), ...makeServerCert('dns', 'DNS:localhost') } })
    const verifying = createMqttUpstream(mqttConfig([server.url], '3.1.1', { tls: { ca: file('ca.pem'), verifyHostname: true } }), silentLog)
    let sent = 0
    await assert.rejects(
      verifying.connect({ server: 0, will: deathOf('x'), ...testNode, onConnectSent: () => void sent++ }),
      isKind('tls', /does not name this host/),
    )
    assert.equal(sent, 0)
    const lenient = createMqttUpstream(mqttConfig([server.url], '3.1.1', { tls: { ca: file('ca.pem'), verifyHostname: false } }), silentLog)
    await lenient.connect({ server: 0, will: deathOf('x'), ...testNode })
    await lenient.disconnect()
    await server.stop()
  })

  test('mqtt-upstream TLS - a certificate with SAN IP:127.0.0.1 verifies and connects', async () => {
    if (!existsSync(file('ca.pem'))) makeCa()
    const server = await broker({ tls: { ca: file('ca.pem'), ...makeServerCert('ip', 'IP:127.0.0.1') } })
    const upstream = createMqttUpstream(mqttConfig([server.url], '5', { tls: { ca: file('ca.pem'), verifyHostname: true } }), silentLog)
    let sent = 0
    await upstream.connect({ server: 0, will: deathOf('x'), ...testNode, onConnectSent: () => void sent++ })
    assert.equal(sent, 1)
    await upstream.publish(messageTo('spBv1.0/G/NDATA/E', Buffer.from('x'), 'data'))
    await upstream.disconnect()
    await server.stop()
  })

  test('mqtt-upstream TLS - an untrusted server certificate is refused with kind tls', async () => {
    if (!existsSync(file('ca.pem'))) makeCa()
    const server = await broker({ tls: { ca: file('ca.pem'), ...makeServerCert('ip2', 'IP:127.0.0.1') } })
    const upstream = createMqttUpstream(mqttConfig([server.url], '3.1.1', { tls: { verifyHostname: true } }), silentLog)
    await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('tls'))
    await server.stop()
  })
})
