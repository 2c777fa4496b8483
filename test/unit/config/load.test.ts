import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, test } from 'node:test'
import { run as validate } from '../../../gateway/cli/validate.js'
import { formatError, loadConfig } from '../../../gateway/config/load.js'
import { gatewayKeys } from '../../../gateway/config/parse.js'
import { fakeRegistry } from './fake-registry.js'

const example = fileURLToPath(new URL('../../../../deploy/gateway.example.yaml', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'gw-config-'))
after(() => rmSync(root, { recursive: true, force: true }))

let count = 0
/** A fresh folder with the given files (paths relative to it). */
function folder(files: Record<string, string>): string {
  const dir = join(root, String(count++))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

const gateway = (extra = '') => `sparkplug: { groupId: Plant1, edgeNodeId: Gateway1 }
upstream:
  mqtt:
    servers: [mqtt://localhost:1883]
${extra}`
const fakeDevice = 'device: D1\ndriver: fake-tcp\nconnection: { host: plc }\ntags: [{ name: A, address: HR1 }, { name: B, address: HR2 }]\n'
const simDevice = 'device: Sim1\ndriver: simulator\ntags: [{ name: C, signal: counter }, { name: S, signal: setpoint, writable: true }]\nconnection: {}\n'

test('example - deploy/gateway.example.yaml loads and shows every default', async () => {
  const dir = folder({ 'devices/d1.yaml': fakeDevice, 'minimal.yaml': gateway() })
  copyFileSync(example, join(dir, 'gateway.yaml'))
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
  const minimal = await loadConfig(join(dir, 'minimal.yaml'), fakeRegistry)
  assert.ok(minimal.ok)
  assert.deepEqual({ ...loaded.value, file: '' }, { ...minimal.value, file: '' }, 'the example states exactly the defaults')
})

test('example - every key the parser accepts appears in the example, set or commented', () => {
  const text = readFileSync(example, 'utf8')
  for (const key of Object.values(gatewayKeys).flat()) assert.match(text, new RegExp(`\\b${key}:`), `${key} is missing from the example`)
})

test('load - the password file is read, without its final newline', async () => {
  const dir = folder({ 'gateway.yaml': gateway('    username: gw\n    passwordFile: pw\n'), pw: 'p@ss word\n', 'devices/d1.yaml': fakeDevice })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(loaded.ok)
  assert.equal(loaded.value.upstream.mqtt!.password, 'p@ss word')
})

test('load - an empty password file is an error at the key naming it', async () => {
  const dir = folder({ 'gateway.yaml': gateway('    passwordFile: pw\n'), pw: '', 'devices/d1.yaml': fakeDevice })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [`${dir}/gateway.yaml:5:5: upstream.mqtt.passwordFile: password file ${dir}/pw is empty`])
})

test('load - a devices directory next to gateway.yaml does not read gateway.yaml as a device', async () => {
  const dir = folder({ 'gateway.yaml': gateway('devices: .\n'), 'd1.yaml': fakeDevice })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
  assert.deepEqual(loaded.value.devices.map((d) => d.deviceId), ['D1'])
})

test('load - a missing gateway.yaml is one located error', async () => {
  const loaded = await loadConfig(join(root, 'nowhere.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [`${root}/nowhere.yaml:1:1: cannot read: no such file or directory`])
})

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
}

test('validate - a good configuration prints one summary line and exits 0', async () => {
  const dir = folder({ 'gateway.yaml': gateway(), 'devices/sim.yaml': simDevice })
  const io = capture()
  assert.equal(await validate(['--config', join(dir, 'gateway.yaml')], io.output), 0)
  assert.deepEqual(io.err, [])
  assert.deepEqual(io.out, [`${dir}/gateway.yaml OK: 1 device, 2 tags`])
})

test('validate - problems are printed as file:line:col lines and exit with 78 (EX_CONFIG)', async () => {
  const dir = folder({ 'gateway.yaml': gateway('log: { levle: info }\n'), 'devices/sim.yaml': simDevice.replace('driver: simulator', 'driver: simulatr') })
  const io = capture()
  assert.equal(await validate([`--config=${join(dir, 'gateway.yaml')}`], io.output), 78)
  assert.deepEqual(io.out, [])
  assert.deepEqual(io.err.map((l) => l.replace(/ \(known: .*\)$/, '')), [
    `${dir}/gateway.yaml:5:8: log.levle: unknown key 'levle'; did you mean 'level'?`,
    `${dir}/devices/sim.yaml:2:1: driver: unknown driver 'simulatr'; did you mean 'simulator'?`,
  ])
})

test('validate - SPARKPLUG_GATEWAY_CONFIG names the file when --config is not given', async (t) => {
  const dir = folder({ 'gateway.yaml': gateway(), 'devices/sim.yaml': simDevice })
  const saved = process.env.SPARKPLUG_GATEWAY_CONFIG
  t.after(() => (saved === undefined ? delete process.env.SPARKPLUG_GATEWAY_CONFIG : (process.env.SPARKPLUG_GATEWAY_CONFIG = saved)))
  process.env.SPARKPLUG_GATEWAY_CONFIG = join(dir, 'gateway.yaml')
  const io = capture()
  assert.equal(await validate([], io.output), 0)
  assert.match(io.out[0], /gateway\.yaml OK: 1 device, 2 tags$/)
})

test('validate - an unknown option is a usage error (64)', async () => {
  const io = capture()
  assert.equal(await validate(['--conifg', 'x'], io.output), 64)
  assert.match(io.err[0], /^validate: Unknown option '--conifg'/)
})
