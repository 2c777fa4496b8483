import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { startHttpServer } from '../../../gateway/http/server.js'
import type { GatewayStatus } from '../../../gateway/base/status.js'
import type { Log } from '../../../gateway/model/log.js'
import { httpsGet } from '../../helpers/https-get.js'
import { hasOpenssl, makeTestCa, type TestCa } from '../../helpers/test-certs.js'

const skip = hasOpenssl ? false : 'openssl is not installed'
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet } } as unknown as Log
const status = () => ({ node: { groupId: 'G', edgeNodeId: 'N', version: '1' } }) as unknown as GatewayStatus
let ca: TestCa
let tls: { certFile: string; keyFile: string; cert: string; key: string }

before(() => {
  if (!hasOpenssl) return
  ca = makeTestCa()
  const pair = ca.issue('gateway', 'IP:127.0.0.1')
  tls = { certFile: pair.cert, keyFile: pair.key, cert: readFileSync(pair.cert, 'utf8'), key: readFileSync(pair.key, 'utf8') }
})

after(() => ca?.remove())

test('status page over TLS - with http.tls the listener speaks https, and plain http gets no answer', { skip }, async () => {
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, tls }, status, quiet)
  try {
    const answer = await httpsGet(`https://127.0.0.1:${server.port}/status`, readFileSync(ca.ca, 'utf8'))
    assert.equal(answer.status, 200)
    assert.equal((JSON.parse(answer.body) as GatewayStatus).node.groupId, 'G')
    assert.equal((await httpsGet(`https://127.0.0.1:${server.port}/`, readFileSync(ca.ca, 'utf8'))).status, 200)
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/status`))
  } finally {
    await server.close()
  }
})

test('status page over TLS - credentials are still required beyond loopback: TLS does not replace them', { skip }, async () => {
  const server = await startHttpServer({ host: '0.0.0.0', port: 0, tls, auth: { kind: 'token', file: 't', secret: 'abc' } }, status, quiet)
  try {
    const url = `https://127.0.0.1:${server.port}/healthz`
    const trusted = readFileSync(ca.ca, 'utf8')
    assert.equal((await httpsGet(url, trusted)).status, 401)
    assert.equal((await httpsGet(url, trusted, { authorization: 'Bearer abc' })).status, 200)
  } finally {
    await server.close()
  }
})
