/**
 * The gateway as its own process with `http.tls`: it logs an https:// URL and answers the status
 * page and /status over TLS with the configured certificate.
 */
import assert from 'node:assert/strict'
import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { httpUrlOf } from '../helpers/gateway-http.js'
import { removeDir, startGatewayProcess, writeGatewayConfig } from '../helpers/gateway-process.js'
import { httpsGet } from '../helpers/https-get.js'
import { closedPort } from '../helpers/ports.js'
import { simDevice } from '../helpers/sim-device.js'
import { hasOpenssl, makeTestCa } from '../helpers/test-certs.js'

const T = 20_000

test('http tls - the gateway serves its status page over https with the certificate of http.tls', { skip: hasOpenssl ? false : 'openssl is not installed' }, async () => {
  const ca = makeTestCa()
  const { dir, file } = writeGatewayConfig({
    servers: [`mqtt://127.0.0.1:${await closedPort()}`],
    devices: { sim: simDevice('Sim1', { poll: '100ms' }) },
    http: '{ listen: 127.0.0.1:0, tls: { certFile: http.pem, keyFile: http.key } }',
  })
  const pair = ca.issue('gateway', 'IP:127.0.0.1')
  copyFileSync(pair.cert, join(dir, 'http.pem'))
  copyFileSync(pair.key, join(dir, 'http.key'))
  const gateway = startGatewayProcess(file)
  try {
    const base = await httpUrlOf(gateway, T)
    assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/)
    const trusted = readFileSync(ca.ca, 'utf8')
    const page = await httpsGet(`${base}/`, trusted)
    assert.equal(page.status, 200)
    assert.match(page.body, /<title>Sparkplug gateway status<\/title>/)
    const status = await httpsGet(`${base}/status`, trusted)
    assert.equal((JSON.parse(status.body) as { node: { groupId: string } }).node.groupId, 'Plant1')
  } finally {
    await gateway.kill('SIGTERM')
    removeDir(dir)
    ca.remove()
  }
})
