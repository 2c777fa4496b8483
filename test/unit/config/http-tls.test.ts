import assert from 'node:assert/strict'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { formatError, formatWarning, loadConfig, type LocatedError } from '../../../gateway/config/load.js'
import { parseGateway } from '../../../gateway/config/parse.js'
import { hasOpenssl, makeTestCa, type TestCa } from '../../helpers/test-certs.js'

const skip = hasOpenssl ? false : 'openssl is not installed'
const base = { sparkplug: { groupId: 'Plant1', edgeNodeId: 'GW1' }, upstream: { mqtt: { servers: ['mqtt://b:1883'] } } }
let ca: TestCa
let dir: string
let pair: { cert: string; key: string }
let other: { cert: string; key: string }

before(() => {
  if (!hasOpenssl) return
  ca = makeTestCa()
  pair = ca.issue('gateway', 'IP:127.0.0.1')
  other = ca.issue('other', 'IP:127.0.0.1')
  dir = mkdtempSync(join(tmpdir(), 'http-tls-'))
  mkdirSync(join(dir, 'devs'))
  copyFileSync(pair.cert, join(dir, 'http.pem'))
  copyFileSync(pair.key, join(dir, 'http.key'))
  chmodSync(join(dir, 'http.key'), 0o600)
})

after(() => {
  ca?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

// gateway.yaml with `http.tls` on line 6; the errors (or the loaded http section) formatted.
async function load(tls: string): Promise<{ errors: string[]; warnings: string[]; http?: unknown }> {
  const yaml = ['sparkplug: { groupId: G, edgeNodeId: N }', 'upstream:', '  mqtt: { servers: [mqtt://127.0.0.1:1] }', 'devices: devs', 'http:', `  tls: ${tls}`, '']
  writeFileSync(join(dir, 'gateway.yaml'), yaml.join('\n'))
  const warnings: LocatedError[] = []
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), undefined, warnings)
  const shown = warnings.map(formatWarning)
  return loaded.ok ? { errors: [], warnings: shown, http: loaded.value.http } : { errors: loaded.error.map(formatError), warnings: shown }
}

test('http tls - certFile and keyFile go together', () => {
  for (const tls of [{ certFile: 'a.pem' }, { keyFile: 'a.key' }, {}]) {
    const result = parseGateway({ ...base, http: { tls } }, '/etc/gw/gateway.yaml')
    assert.ok(!result.ok, JSON.stringify(tls))
    assert.deepEqual(result.error.map((e) => `${e.path.join('.')}: ${e.message}`), ['http.tls: give certFile and keyFile (PEM files: the certificate, and its private key)'])
  }
})

test('http tls - the certificate and key are read at load, relative to gateway.yaml', { skip }, async () => {
  const loaded = await load('{ certFile: http.pem, keyFile: http.key }')
  assert.deepEqual(loaded.errors, [])
  assert.deepEqual(loaded.warnings, [])
  assert.deepEqual(loaded.http, { host: '127.0.0.1', port: 9780, tls: { certFile: join(dir, 'http.pem'), keyFile: join(dir, 'http.key'), cert: readFileSync(pair.cert, 'utf8'), key: readFileSync(pair.key, 'utf8') } })
})

test('http tls - a missing file is refused at its line, with the reason', { skip }, async () => {
  const { errors } = await load('{ certFile: http.pem, keyFile: missing.key }')
  assert.equal(errors.length, 1, errors.join('\n'))
  assert.match(errors[0]!, new RegExp(`^${join(dir, 'gateway.yaml')}:6:\\d+: http\\.tls\\.keyFile: cannot read ${join(dir, 'missing.key')}: .*no such file`, 'i'))
})

test('http tls - a file that is no PEM certificate, or a key of another certificate, is refused with what to fix', { skip }, async () => {
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n')
  const junk = await load('{ certFile: junk.pem, keyFile: http.key }')
  assert.equal(junk.errors.length, 1, junk.errors.join('\n'))
  assert.match(junk.errors[0]!, new RegExp(`^${join(dir, 'gateway.yaml')}:6:\\d+: http\\.tls\\.certFile: ${join(dir, 'junk.pem')} is not a PEM certificate \\(-----BEGIN CERTIFICATE-----\\): `))

  copyFileSync(other.key, join(dir, 'other.key'))
  chmodSync(join(dir, 'other.key'), 0o600)
  const mismatch = await load('{ certFile: http.pem, keyFile: other.key }')
  assert.equal(mismatch.errors.length, 1, mismatch.errors.join('\n'))
  assert.match(mismatch.errors[0]!, new RegExp(`http\\.tls\\.keyFile: ${join(dir, 'other.key')} is not the private key of ${join(dir, 'http.pem')}`))

  const swapped = await load('{ certFile: http.key, keyFile: http.pem }')
  assert.match(swapped.errors[0] ?? '', /http\.tls\.certFile: .* is not a PEM certificate/)
})

test('http tls - a key file others can read loads, with a warning naming the chmod', { skip }, async () => {
  copyFileSync(pair.key, join(dir, 'open.key'))
  chmodSync(join(dir, 'open.key'), 0o644)
  const { errors, warnings } = await load('{ certFile: http.pem, keyFile: open.key }')
  assert.deepEqual(errors, [])
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /http\.tls\.keyFile: .*can be read by its group or others \(mode 0644\); run chmod 600/)
})
