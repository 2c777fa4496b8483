/** `upstream.nats` of gateway.yaml: keys, defaults, auth files read and checked, ids NATS cannot carry. */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { formatError, formatWarning, loadConfig, type LocatedError } from '../../../gateway/config/load.js'
import { parseGateway } from '../../../gateway/config/parse.js'
import type { ConfigError } from '../../../gateway/model/result.js'
import { credsFile, nkeyUser, operatorMode } from '../../helpers/nats-credentials.js'

const base = { sparkplug: { groupId: 'Plant.1', edgeNodeId: 'Line3-GW' }, upstream: { nats: { servers: ['nats://n1:4222'] } } }
const withNats = (nats: Record<string, unknown>) => ({ ...base, upstream: { nats: { ...base.upstream.nats, ...nats } } })

function nats(raw: unknown) {
  const result = parseGateway(raw, '/etc/gw/gateway.yaml')
  if (!result.ok) assert.fail(JSON.stringify(result.error))
  return { config: result.value.config.upstream.nats!, secret: result.value.natsSecret }
}

function errors(raw: unknown): string[] {
  const result = parseGateway(raw, '/etc/gw/gateway.yaml')
  assert.ok(!result.ok, 'expected errors')
  return result.error.map((e: ConfigError) => `${e.path.join('.')}: ${e.message}`)
}

test('nats config - defaults: core mode, name from the ids, 10s keepalive and heartbeat, replay 3.5 keepalives, stream SPARKPLUG', () => {
  assert.deepEqual(nats(base).config, {
    servers: ['nats://n1:4222'], mode: 'core', name: 'Plant-1-Line3-GW',
    keepaliveMs: 10_000, connectTimeoutMs: 10_000, reconnectMinMs: 1_000, reconnectMaxMs: 30_000, heartbeatMs: 10_000, replayWindowMs: 35_000,
    jetstream: { stream: 'SPARKPLUG', create: true, replicas: 1, duplicateWindowMs: 3_600_000, ackTimeoutMs: 5_000 },
  })
  const set = nats(withNats({
    servers: 'tls://n1:4222', mode: 'jetstream', name: 'gw', keepalive: '2s', heartbeat: '1h', reconnect: { min: '100ms', max: '2s' },
    tls: { ca: 'ca.pem', verifyHostname: false }, jetstream: { stream: 'SP_1', create: false, replicas: 3, duplicateWindow: '2m', ackTimeout: '1s' },
  })).config
  assert.deepEqual([set.servers, set.mode, set.name, set.keepaliveMs, set.replayWindowMs, set.heartbeatMs, set.reconnectMinMs], [['tls://n1:4222'], 'jetstream', 'gw', 2000, 7000, 3_600_000, 100])
  assert.deepEqual(set.tls, { ca: '/etc/gw/ca.pem', verifyHostname: false })
  assert.deepEqual(set.jetstream, { stream: 'SP_1', create: false, replicas: 3, duplicateWindowMs: 120_000, ackTimeoutMs: 1000 })
})

test('nats config - server URLs: nats:// or tls:// only, never with a login in them (not repeated in the message)', () => {
  assert.deepEqual(errors(withNats({ servers: [] })), ['upstream.nats.servers: expected at least one server URL'])
  assert.deepEqual(errors(withNats({ servers: ['mqtt://n:1883', 'nats://n:4222/x'] })), [
    'upstream.nats.servers.0: expected a URL such as nats://server:4222 or tls://server:4222',
    'upstream.nats.servers.1: expected a URL such as nats://server:4222 or tls://server:4222',
  ])
  const [message] = errors(withNats({ servers: ['nats://gw:hunter2@n:4222'] }))
  assert.equal(message, 'upstream.nats.servers.0: a user or password in a NATS server URL would show in logs and /status; use auth.username with auth.passwordFile, or auth.tokenFile')
})

test('nats config - bounds of mode, keepalive, heartbeat, reconnect and the jetstream keys', () => {
  assert.deepEqual(errors(withNats({ mode: 'stream', keepalive: '500ms', heartbeat: '2h', reconnect: { min: '5s', max: '1s' } })), [
    'upstream.nats.mode: expected one of core, jetstream',
    'upstream.nats.keepalive: expected a duration between 1s and 1h',
    'upstream.nats.reconnect.max: reconnect.max must be at least reconnect.min',
    'upstream.nats.heartbeat: expected a duration between 1s and 1h',
  ])
  assert.deepEqual(errors(withNats({ mode: 'jetstream', jetstream: { stream: 'SP.1', replicas: 6, duplicateWindow: '30s', ackTimeout: '0s', size: 1 } })), [
    "upstream.nats.jetstream.size: unknown key 'size'",
    "upstream.nats.jetstream.stream: expected a stream name of at most 255 characters without spaces, '.', '*', '>', '/', '\\' or control characters",
    'upstream.nats.jetstream.replicas: expected 1 to 5 (JetStream keeps at most 5 replicas)',
    'upstream.nats.jetstream.duplicateWindow: expected at least 1m: a record resent after a reconnect must still be recognised as a duplicate',
    'upstream.nats.jetstream.ackTimeout: expected a duration above 0',
  ])
  assert.deepEqual(errors(withNats({ mode: 'jetstream', jetstream: { replicas: 0 } })), ['upstream.nats.jetstream.replicas: expected a whole number >= 1'])
})

test('nats config - auth: exactly one way, and the file that holds its secret', () => {
  assert.deepEqual(nats(withNats({ auth: { tokenFile: 'secrets/token' } })).secret, { kind: 'token', file: '/etc/gw/secrets/token', key: 'tokenFile' })
  assert.deepEqual(nats(withNats({ auth: { username: 'gw', passwordFile: 'pw' } })).secret, { kind: 'user', username: 'gw', file: '/etc/gw/pw', key: 'passwordFile' })
  assert.deepEqual(nats(withNats({ auth: { nkeySeedFile: '/k/gw.nk' } })).secret, { kind: 'nkey', file: '/k/gw.nk', key: 'nkeySeedFile' })
  assert.deepEqual(nats(withNats({ auth: { credentialsFile: 'gw.creds' } })).secret, { kind: 'credentials', file: '/etc/gw/gw.creds', key: 'credentialsFile' })
  const one = 'give exactly one of tokenFile, username with passwordFile, nkeySeedFile or credentialsFile'
  assert.deepEqual(errors(withNats({ auth: { tokenFile: 't', credentialsFile: 'c' } })), [`upstream.nats.auth: ${one}, not several`])
  assert.deepEqual(errors(withNats({ auth: {} })), [`upstream.nats.auth: ${one}`])
  assert.deepEqual(errors(withNats({ auth: { username: 'gw' } })), ['upstream.nats.auth: username needs passwordFile'])
  assert.deepEqual(errors(withNats({ auth: { passwordFile: 'pw' } })), ['upstream.nats.auth: passwordFile needs username'])
})

test('nats config - ids NATS cannot carry are errors naming the id and the character; dots are fine', () => {
  const why = "with upstream.nats ids may not contain spaces, tabs, '*' or '>' (NATS subject tokens end at blanks; * and > are wildcards)"
  assert.deepEqual(errors({ ...base, sparkplug: { groupId: 'Plant 1', edgeNodeId: 'GW*', primaryHostId: 'SCADA>' } }), [
    `sparkplug.groupId: 'Plant 1' contains a space at character 6; ${why}`,
    `sparkplug.edgeNodeId: 'GW*' contains '*' at character 3; ${why}`,
    `sparkplug.primaryHostId: 'SCADA>' contains '>' at character 6; ${why}`,
  ])
  // The same ids are fine over MQTT, where only /, + and # are refused.
  const overMqtt = parseGateway({ sparkplug: { groupId: 'Plant 1', edgeNodeId: 'GW*' }, upstream: { mqtt: { servers: ['mqtt://b'] } } }, '/g.yaml')
  assert.ok(overMqtt.ok)
  assert.deepEqual(errors({ ...base, sparkplug: { groupId: 'a/b', edgeNodeId: 'GW' } }), ["sparkplug.groupId: 'a/b' contains '/'; Sparkplug ids may not contain /, + or #"])
})

const root = mkdtempSync(join(tmpdir(), 'gw-nats-config-'))
after(() => rmSync(root, { recursive: true, force: true }))
let count = 0
/** A folder with gateway.yaml (upstream.nats with `auth`), one device `deviceId`, and secret files (mode 0600 unless told). */
function folder(auth: string, files: Record<string, string> = {}, options: { deviceId?: string; mode?: number } = {}): string {
  const dir = join(root, String(count++))
  mkdirSync(join(dir, 'devices'), { recursive: true })
  writeFileSync(join(dir, 'devices/d1.yaml'), `device: ${options.deviceId ?? 'D1'}\ndriver: simulator\nconnection: {}\ntags: [{ name: C, signal: counter }]\n`)
  writeFileSync(join(dir, 'gateway.yaml'), `sparkplug: { groupId: Plant1, edgeNodeId: GW1 }\nupstream:\n  nats:\n    servers: [nats://127.0.0.1:4222]\n${auth}`)
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text)
    chmodSync(join(dir, name), options.mode ?? 0o600)
  }
  return dir
}

async function loadErrors(dir: string): Promise<string[]> {
  const loaded = await loadConfig(join(dir, 'gateway.yaml'))
  assert.ok(!loaded.ok, 'expected errors')
  return loaded.error.map(formatError)
}

test('nats config - load reads the token, password, seed and credentials files into auth', async () => {
  const user = nkeyUser()
  const jwtUser = operatorMode().user('gw')
  const cases: [string, Record<string, string>, unknown][] = [
    ['    auth: { tokenFile: token }\n', { token: 's3cret\n' }, { kind: 'token', token: 's3cret' }],
    ['    auth: { username: gw, passwordFile: pw }\n', { pw: 'p w\n' }, { kind: 'user', username: 'gw', password: 'p w' }],
    ['    auth: { nkeySeedFile: gw.nk }\n', { 'gw.nk': `${user.seed}\n` }, { kind: 'nkey', seed: user.seed, seedFile: 'gw.nk' }],
    ['    auth: { credentialsFile: gw.creds }\n', { 'gw.creds': jwtUser.creds }, { kind: 'credentials', credentials: jwtUser.creds, credentialsFile: 'gw.creds' }],
  ]
  for (const [auth, files, expected] of cases) {
    const dir = folder(auth, files)
    const loaded = await loadConfig(join(dir, 'gateway.yaml'))
    if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
    const got = JSON.parse(JSON.stringify(loaded.value.upstream.nats!.auth).split(`${dir}/`).join(''))
    assert.deepEqual(got, expected)
  }
})

test('nats config - a wrong or unreadable secret file is an error at its key naming the file and what was expected', async () => {
  let dir = folder('    auth: { nkeySeedFile: gw.nk }\n', { 'gw.nk': 'not a seed\n' })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.nkeySeedFile: ${dir}/gw.nk does not hold an NKey user seed: expected one line starting with SU`])
  dir = folder('    auth: { nkeySeedFile: gw.nk }\n', { 'gw.nk': `SA${nkeyUser().seed.slice(2)}\n` })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.nkeySeedFile: ${dir}/gw.nk does not hold an NKey user seed: found a seed of another kind ('SA…'); expected a user seed, starting with SU`])
  const seed = nkeyUser().seed
  // One character changed inside the key (the last one may only hold padding bits the checksum does not cover).
  dir = folder('    auth: { nkeySeedFile: gw.nk }\n', { 'gw.nk': `${seed.slice(0, 10)}${seed[10] === 'A' ? 'B' : 'A'}${seed.slice(11)}\n` })
  assert.match((await loadErrors(dir))[0]!, /upstream\.nats\.auth\.nkeySeedFile: .*gw\.nk does not hold an NKey user seed: it does not decode \(nkeys: invalid checksum\)$/)
  const jwt = operatorMode().user('gw').jwt
  dir = folder('    auth: { credentialsFile: gw.creds }\n', { 'gw.creds': `${jwt}\n` })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.credentialsFile: ${dir}/gw.creds is not a NATS credentials file: expected a user JWT between -----BEGIN NATS USER JWT----- and ------END NATS USER JWT------`])
  dir = folder('    auth: { credentialsFile: gw.creds }\n', { 'gw.creds': credsFile(jwt, '').replace(/-----BEGIN USER NKEY SEED-----[\s\S]*------END USER NKEY SEED------/, '') })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.credentialsFile: ${dir}/gw.creds is not a NATS credentials file: expected a seed between -----BEGIN USER NKEY SEED----- and ------END USER NKEY SEED------`])
  dir = folder('    auth: { credentialsFile: gw.creds }\n', { 'gw.creds': credsFile(jwt, 'SUBAD') })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.credentialsFile: the seed in credentials file ${dir}/gw.creds is not an NKey user seed: it does not decode (nkeys: invalid checksum)`])
  dir = folder('    auth: { tokenFile: token }\n', { token: '\n' })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.tokenFile: ${dir}/token is empty`])
  dir = folder('    auth: { tokenFile: /dev/zero }\n')
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.tokenFile: cannot read /dev/zero: it is a character device, not a regular file; only regular files are read as configuration`])
  dir = folder('    auth: { credentialsFile: big.creds }\n', { 'big.creds': 'x'.repeat(65_537) })
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:13: upstream.nats.auth.credentialsFile: cannot read ${dir}/big.creds: it is larger than 65536 bytes, the limit for a credentials file`])
  dir = folder('    tls: { ca: missing.pem }\n')
  assert.deepEqual(await loadErrors(dir), [`${dir}/gateway.yaml:5:12: upstream.nats.tls.ca: cannot read ${dir}/missing.pem: no such file or directory`])
})

test('nats config - a secret file its group or others can read is a warning', async () => {
  const dir = folder('    auth: { tokenFile: token }\n', { token: 't\n' }, { mode: 0o644 })
  const warnings: LocatedError[] = []
  assert.ok((await loadConfig(join(dir, 'gateway.yaml'), undefined, warnings)).ok)
  assert.deepEqual(warnings.map(formatWarning), [
    `${dir}/gateway.yaml:5:13: warning: upstream.nats.auth.tokenFile: secret file ${dir}/token can be read by its group or others (mode 0644); run chmod 600 ${dir}/token`,
  ])
})

test('nats config - a device id NATS cannot carry is an error in its device file', async () => {
  const dir = folder('', {}, { deviceId: "'Boiler 1'" })
  assert.deepEqual(await loadErrors(dir), [
    `${dir}/devices/d1.yaml:1:1: device: 'Boiler 1' contains a space at character 7; with upstream.nats ids may not contain spaces, tabs, '*' or '>' (NATS subject tokens end at blanks; * and > are wildcards)`,
  ])
})
