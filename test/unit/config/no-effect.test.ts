/**
 * Keys that would have no effect under the chosen mode, driver or setting: an error where the
 * user asked for a guarantee they would not get, a warning otherwise, each at file:line:col.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { formatError, formatWarning, loadConfig, type LocatedError } from '../../../gateway/config/load.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const nextDir = freshDirs('no-effect-')

const sim = ['device: Sim1', 'driver: simulator', 'tags:', '  - { name: Count, signal: counter }'].join('\n')

/** A config directory with gateway.yaml (`yaml` after the sparkplug section) and device files. */
function folder(yaml: string, devices: Readonly<Record<string, string>> = { sim }): string {
  const dir = nextDir()
  mkdirSync(join(dir, 'devices'))
  writeFileSync(join(dir, 'gateway.yaml'), ['sparkplug:', '  groupId: Plant1', '  edgeNodeId: GW', yaml, 'devices: devices/', 'stateDir: state/'].join('\n'))
  for (const [name, text] of Object.entries(devices)) writeFileSync(join(dir, 'devices', `${name}.yaml`), text)
  return dir
}

async function load(dir: string): Promise<{ errors: string[]; warnings: string[] }> {
  const warnings: LocatedError[] = []
  const result = await loadConfig(join(dir, 'gateway.yaml'), undefined, warnings)
  const strip = (line: string) => line.split(`${dir}/`).join('')
  return { errors: result.ok ? [] : result.error.map((e) => strip(formatError(e))), warnings: warnings.map((w) => strip(formatWarning(w))) }
}

test('no-effect config - a jetstream block without mode: jetstream is an error at the block: did you mean mode: jetstream', async () => {
  const dir = folder(['upstream:', '  nats:', '    servers: [nats://127.0.0.1:4222]', '    jetstream: { stream: SPARKPLUG, duplicateWindow: 5m }'].join('\n'))
  assert.deepEqual((await load(dir)).errors, [
    'gateway.yaml:7:5: upstream.nats.jetstream: jetstream settings have no effect in mode core (the default: at most once, nothing stored); did you mean mode: jetstream?',
  ])
  const core = folder(['upstream:', '  nats:', '    servers: [nats://127.0.0.1:4222]', '    mode: core', '    jetstream: { stream: SPARKPLUG }'].join('\n'))
  assert.deepEqual((await load(core)).errors, [
    'gateway.yaml:8:5: upstream.nats.jetstream: jetstream settings have no effect in mode core (at most once, nothing stored); did you mean mode: jetstream?',
  ])
  const js = folder(['upstream:', '  nats:', '    servers: [nats://127.0.0.1:4222]', '    mode: jetstream', '    jetstream: { stream: SPARKPLUG }'].join('\n'))
  assert.deepEqual(await load(js), { errors: [], warnings: [] })
})

test('no-effect config - gateway.yaml keys without effect under the chosen settings are warnings at their key', async () => {
  const mqtt = folder([
    'upstream:',
    '  mqtt:',
    '    servers: [mqtt://127.0.0.1:1883]',
    '    dataQos: 1',
    '    replayWindow: 10s',
    '    allowPlaintextCredentials: true',
    'buffer: { path: memory, durability: process }',
    'commands: { writes: false, maxQueuedWrites: 5, scanRate: false, scanRateMin: 1s }',
  ].join('\n'))
  assert.deepEqual(await load(mqtt), { errors: [], warnings: [
    'gateway.yaml:8:5: warning: upstream.mqtt.replayWindow: has no effect with dataQos 1 (rows leave the buffer on PUBACK, nothing is replayed by time); remove it, or use dataQos 0',
    'gateway.yaml:9:5: warning: upstream.mqtt.allowPlaintextCredentials: has no effect: no server uses TLS (mqtts:// or wss://), so no password can go to a plaintext server by failover',
    'gateway.yaml:10:25: warning: buffer.durability: has no effect with an in-memory buffer (path: memory): nothing is written to disk',
    'gateway.yaml:11:28: warning: commands.maxQueuedWrites: has no effect with writes: false (every DCMD is refused)',
    'gateway.yaml:11:65: warning: commands.scanRateMin: has no effect with scanRate: false (Node Control/Scan Rate is refused)',
  ] })
  const nats = folder(['upstream:', '  nats:', '    servers: [nats://127.0.0.1:4222]', '    mode: jetstream', '    replayWindow: 30s'].join('\n'))
  assert.deepEqual((await load(nats)).warnings, [
    'gateway.yaml:8:5: warning: upstream.nats.replayWindow: has no effect in mode jetstream (rows leave the buffer on PubAck, nothing is replayed by time); remove it, or use mode: core',
  ])
})

test('no-effect config - an MQTT tls block with only plaintext servers is a warning that says the link is not encrypted', async () => {
  const dir = folder(['upstream:', '  mqtt:', '    servers: [mqtt://127.0.0.1:1883, ws://127.0.0.1:8080]', '    tls: { verifyHostname: true }'].join('\n'))
  assert.deepEqual((await load(dir)).warnings, [
    'gateway.yaml:7:5: warning: upstream.mqtt.tls: tls applies to mqtts:// and wss:// servers only, and every server here is plaintext (mqtt:// or ws://): the connection would not be encrypted; use mqtts:// or wss:// URLs, or remove tls',
  ])
})

test('no-effect config - device and tag keys without effect are warnings in the device file', async () => {
  const mb = [
    'device: Pump1',
    'driver: modbus-tcp',
    'connection: { host: 127.0.0.1 }',
    'tags:',
    '  - { name: Running, address: CO1, order: CDAB }',
    '  - { name: Speed, address: HR1, min: 0, max: 10, writeInterval: 1s }',
    '  - { name: Mode, address: HR2, allowed: [1, 2], writable: true }',
  ].join('\n')
  const pushing = ['device: Sim2', 'driver: simulator', 'connection: { push: 1s }', 'tags:', '  - { name: Count, signal: counter, poll: 5s }'].join('\n')
  const dir = folder(['upstream:', '  mqtt:', '    servers: [mqtt://127.0.0.1:1883]'].join('\n'), { mb, pushing })
  assert.deepEqual(await load(dir), { errors: [], warnings: [
    'devices/mb.yaml:5:36: warning: tags[0].order: has no effect on a boolean (one bit has no byte order)',
    'devices/mb.yaml:6:34: warning: tags[1].min: has no effect: the tag is not writable (min, max, allowed and writeInterval bound writes); add writable: true or remove it',
    'devices/mb.yaml:6:42: warning: tags[1].max: has no effect: the tag is not writable (min, max, allowed and writeInterval bound writes); add writable: true or remove it',
    'devices/mb.yaml:6:51: warning: tags[1].writeInterval: has no effect: the tag is not writable (min, max, allowed and writeInterval bound writes); add writable: true or remove it',
    'devices/pushing.yaml:5:37: warning: tags[0].poll: has no effect: this simulator device pushes every 1000 ms (connection.push), it is not polled',
  ] })
})
