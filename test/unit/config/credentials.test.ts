/**
 * Credentials in gateway.yaml: a login inside a server URL is taken out of the URL that is shown,
 * a password never goes to a plaintext server silently, and secrets readable by others are a warning.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { run as validate } from '../../../gateway/cli/validate.js'
import { formatError, loadConfig, type LocatedError } from '../../../gateway/config/load.js'
import { buildClientOptions } from '../../../gateway/upstream/mqtt-options.js'

const root = mkdtempSync(join(tmpdir(), 'gw-credentials-'))
after(() => rmSync(root, { recursive: true, force: true }))

let count = 0
/** A folder with gateway.yaml (mode 0600 unless told), a device and the given extra files. */
function folder(mqtt: string, files: Record<string, string> = {}, mode = 0o600): string {
  const dir = join(root, String(count++))
  mkdirSync(join(dir, 'devices'), { recursive: true })
  writeFileSync(join(dir, 'devices/d1.yaml'), 'device: D1\ndriver: simulator\nconnection: {}\ntags: [{ name: C, signal: counter }]\n')
  writeFileSync(join(dir, 'gateway.yaml'), `sparkplug: { groupId: Plant1, edgeNodeId: Gateway1 }\nupstream:\n  mqtt:\n${mqtt}`, { mode })
  chmodSync(join(dir, 'gateway.yaml'), mode)
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text)
    chmodSync(join(dir, name), 0o600)
  }
  return dir
}

const will = { topic: 'spBv1.0/Plant1/NDEATH/Gateway1', payload: new Uint8Array(0), qos: 1 as const, retain: false }

test('credentials - a login inside a server URL is used for that server and taken out of the URL that is shown', async () => {
  const dir = folder('    servers: [mqtt://gw:p%40ss:word@a:1883, "ws://b:9001/mqtt", mqtt://c]\n    username: other\n    passwordFile: pw\n', { pw: 'from-file\n' })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'))
  if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
  const mqtt = loaded.value.upstream.mqtt!
  assert.deepEqual(mqtt.servers, ['mqtt://a:1883', 'ws://b:9001/mqtt', 'mqtt://c'])
  assert.ok(!JSON.stringify(mqtt.servers).includes('word'))
  const first = await buildClientOptions(mqtt, mqtt.servers[0]!, will, mqtt.serverLogins?.[0] ?? null)
  assert.deepEqual([first.username, first.password], ['gw', 'p@ss:word'])
  const second = await buildClientOptions(mqtt, mqtt.servers[1]!, will, mqtt.serverLogins?.[1] ?? null)
  assert.deepEqual([second.username, second.password], ['other', 'from-file'])
})

test('credentials - TLS and plaintext servers mixed while a password is set is an error unless allowPlaintextCredentials', async () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ['    servers: [mqtts://a:8883, mqtt://b:1883]\n    passwordFile: pw\n', { pw: 'x' }, ['4:31: upstream.mqtt.servers[1]']],
    ['    servers: [mqtt://gw:secret@a:1883, wss://b/mqtt]\n', {}, ['4:15: upstream.mqtt.servers[0]']],
    ['    servers: [mqtts://a:8883, mqtt://b:1883]\n    passwordFile: pw\n    allowPlaintextCredentials: true\n', { pw: 'x' }, []],
    // Every server plaintext is a visible choice; no password is nothing to leak.
    ['    servers: [mqtt://a:1883, ws://b/mqtt]\n    passwordFile: pw\n', { pw: 'x' }, []],
    ['    servers: [mqtts://a:8883, mqtt://b:1883]\n    username: gw\n', {}, []],
  ]
  for (const [mqtt, files, expected] of cases) {
    const dir = folder(mqtt, files)
    const loaded = await loadConfig(join(dir, 'gateway.yaml'))
    const lines = loaded.ok ? [] : loaded.error.map(formatError)
    assert.deepEqual(lines.map((l) => l.replace(`${dir}/gateway.yaml:`, '').replace(/: this plaintext server .*$/, '')), expected, mqtt)
    for (const line of lines) {
      assert.match(line, /would be sent the MQTT password in clear text, while other servers use TLS; use mqtts:\/\/ or wss:\/\/ for every server, or set allowPlaintextCredentials: true/)
      assert.ok(!line.includes('secret'), line)
    }
  }
})

test('credentials - a password file or a gateway.yaml with a password readable by group or others is a warning naming the fix', async () => {
  const dir = folder('    servers: [mqtt://gw:secret@a:1883]\n    passwordFile: pw\n', { pw: 'x\n' }, 0o644)
  chmodSync(join(dir, 'pw'), 0o640)
  const warnings: LocatedError[] = []
  assert.ok((await loadConfig(join(dir, 'gateway.yaml'), undefined, warnings)).ok)
  assert.deepEqual(warnings.map(formatError), [
    `${dir}/gateway.yaml:5:5: upstream.mqtt.passwordFile: password file ${dir}/pw can be read by its group or others (mode 0640); run chmod 600 ${dir}/pw`,
    `${dir}/gateway.yaml:4:15: upstream.mqtt.servers[0]: this URL holds a password and ${dir}/gateway.yaml can be read by its group or others (mode 0644); move the password to passwordFile, or run chmod 600 ${dir}/gateway.yaml`,
  ])

  const out: string[] = []
  const err: string[] = []
  assert.equal(await validate(['--config', join(dir, 'gateway.yaml')], { out: (l) => out.push(l), err: (l) => err.push(l) }), 0, 'warnings do not fail validate')
  assert.equal(err.length, 2)
  assert.match(err[0]!, /gateway\.yaml:5:5: warning: upstream\.mqtt\.passwordFile: password file .* \(mode 0640\); run chmod 600 /)

  chmodSync(join(dir, 'pw'), 0o600)
  chmodSync(join(dir, 'gateway.yaml'), 0o600)
  const none: LocatedError[] = []
  assert.ok((await loadConfig(join(dir, 'gateway.yaml'), undefined, none)).ok)
  assert.deepEqual(none, [])
})
