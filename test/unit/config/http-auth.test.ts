import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { formatError, loadConfig } from '../../../gateway/config/load.js'
import { parseGateway } from '../../../gateway/config/parse.js'
import type { ConfigError } from '../../../gateway/model/result.js'

const file = '/etc/gw/gateway.yaml'
const base = { sparkplug: { groupId: 'Plant1', edgeNodeId: 'GW1' }, upstream: { mqtt: { servers: ['mqtt://b:1883'] } } }

function errors(raw: unknown): string[] {
  const result = parseGateway(raw, file)
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e: ConfigError) => `${e.path.join('.')}: ${e.message}`)
}

test('http auth - a listener beyond loopback without credentials is refused', () => {
  for (const listen of ['0.0.0.0:9780', '[::]:9780', '192.168.1.10:9780', 'gateway.local:9780']) {
    assert.deepEqual(errors({ ...base, http: { listen } }), [`http.listen: ${/^\[?([^\]]+)\]?:\d+$/.exec(listen)![1]} is reachable from the network: set http.auth (username with passwordFile, or tokenFile), or listen on 127.0.0.1`], listen)
  }
})

test('http auth - loopback listeners need no credentials; beyond loopback a user or a token file is taken', () => {
  for (const listen of ['127.0.0.1:9780', '127.0.0.2:9780', '[::1]:9780', 'localhost:9780']) {
    const result = parseGateway({ ...base, http: { listen } }, file)
    assert.ok(result.ok, listen)
  }
  const user = parseGateway({ ...base, http: { listen: '0.0.0.0:9780', auth: { username: 'tech', passwordFile: 'http.pw' } } }, file)
  assert.ok(user.ok)
  assert.deepEqual(user.value.config.http?.auth, { kind: 'user', username: 'tech', file: '/etc/gw/http.pw' })
  const token = parseGateway({ ...base, http: { listen: '0.0.0.0:9780', auth: { tokenFile: '/run/token' } } }, file)
  assert.ok(token.ok)
  assert.deepEqual(token.value.config.http?.auth, { kind: 'token', file: '/run/token' })
})

test('http auth - half a credential, or both kinds at once, is refused at http.auth', () => {
  const expected = ['http.auth: give either username with passwordFile, or tokenFile']
  assert.deepEqual(errors({ ...base, http: { listen: '0.0.0.0:1', auth: { username: 'tech' } } }), expected)
  assert.deepEqual(errors({ ...base, http: { listen: '0.0.0.0:1', auth: { passwordFile: 'p' } } }), expected)
  assert.deepEqual(errors({ ...base, http: { listen: '0.0.0.0:1', auth: { tokenFile: 't', username: 'u', passwordFile: 'p' } } }), expected)
})

test('http auth - the refusal names gateway.yaml and the line of http.listen; the password file is read at load', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'http-auth-'))
  try {
    await writeFile(join(dir, 'devices.yaml'), '')
    const yaml = ['sparkplug: { groupId: G, edgeNodeId: N }', 'upstream:', '  mqtt: { servers: [mqtt://127.0.0.1:1] }', 'devices: devs', 'http:', '  listen: 0.0.0.0:9780', '']
    const { mkdir } = await import('node:fs/promises')
    await mkdir(join(dir, 'devs'))
    await writeFile(join(dir, 'gateway.yaml'), yaml.join('\n'))
    const refused = await loadConfig(join(dir, 'gateway.yaml'))
    assert.ok(!refused.ok)
    assert.match(formatError(refused.error[0]), new RegExp(`^${join(dir, 'gateway.yaml')}:6:\\d+: http.listen: 0.0.0.0 is reachable from the network`))

    await writeFile(join(dir, 'http.pw'), 's3cret\n')
    await chmod(join(dir, 'http.pw'), 0o600)
    await writeFile(join(dir, 'gateway.yaml'), [...yaml.slice(0, -1), '  auth: { username: tech, passwordFile: http.pw }', ''].join('\n'))
    const loaded = await loadConfig(join(dir, 'gateway.yaml'))
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.error))
    assert.deepEqual(loaded.value.http?.auth, { kind: 'user', username: 'tech', file: join(dir, 'http.pw'), secret: 's3cret' })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
