/**
 * What the OPC UA timing keys promise, through the gateway's own loader and a real node-opcua
 * server: `poll` alone gets every change at that rate, each with its own source timestamp; a
 * combination that would drop samples, and keys the chosen mode ignores, are named at load.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Reading } from '../../drivers/driver.js'
import { opcuaModule, type OpcuaDeviceConfig, type OpcuaDriver } from '../../drivers/opcua/index.js'
import { formatError, formatWarning, loadDevices, type LocatedError } from '../../gateway/config/load.js'
import { freshDirs } from '../helpers/fresh-dirs.js'
import { recordingLog, watchReadings } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'

const freshDir = freshDirs('opcua-timing')
let server: OpcuaTestServer
before(async () => {
  // Counter steps every 200 ms on the server's clock.
  server = await startOpcuaServer({ counterMs: 200 })
})
after(async () => {
  await server?.stop()
})

async function load(text: string): Promise<{ config?: OpcuaDeviceConfig; errors: string[]; warnings: string[] }> {
  const dir = freshDir()
  writeFileSync(join(dir, 'press.yaml'), text)
  const warnings: LocatedError[] = []
  const loaded = await loadDevices(dir, undefined, { warnings })
  const shown = (e: LocatedError) => formatWarning({ ...e, file: 'press.yaml' })
  if (!loaded.ok) return { errors: loaded.error.map((e) => formatError({ ...e, file: 'press.yaml' })), warnings: warnings.map(shown) }
  return { config: loaded.value[0].driverConfig as OpcuaDeviceConfig, errors: [], warnings: warnings.map(shown) }
}

const device = (lines: readonly string[]) => ['device: Press', 'driver: opcua', ...lines].join('\n') + '\n'

test('opcua timing - poll: 100ms and no other timing key: every change of a variable stepping every 200 ms arrives, each with its source timestamp', async () => {
  const { config, errors, warnings } = await load(device([
    `connection: { endpoint: '${server.endpoint}', pkiDir: ${join(freshDir(), 'pki')} }`,
    'poll: 100ms',
    'tags:',
    "  - { name: Counter, nodeId: 'ns=1;s=Counter', type: UInt32 }",
  ]))
  assert.deepEqual(errors, [])
  assert.deepEqual(warnings, [])
  const driver = opcuaModule.create(config!, recordingLog()) as OpcuaDriver
  const watched = watchReadings(driver)
  try {
    await driver.open()
    const first = await watched.until((r) => 'value' in r, 'of Counter')
    const start = Number((first as { value: number }).value)
    await watched.until((r) => 'value' in r && Number(r.value) >= start + 15, `Counter ${start + 15}`)
    const good = watched.seen.filter((r): r is Extract<Reading, { value: unknown }> => 'value' in r)
    const values = [...new Set(good.map((r) => Number(r.value)))].filter((v) => v >= start && v <= start + 15)
    assert.deepEqual(values, Array.from({ length: 16 }, (_, i) => start + i), 'every step of Counter, none skipped')
    const stamps = good.filter((r) => Number(r.value) > start && Number(r.value) <= start + 15).map((r) => r.at)
    assert.ok(stamps.every((at, i) => i === 0 || at > stamps[i - 1]), `each sample has its own source time: ${stamps.join(', ')}`)
  } finally {
    await driver.close()
  }
})

test('opcua timing - a queue too short for publishing ÷ sampling is a warning at its file:line; a key the mode ignores too', async () => {
  const subscription = await load(device([
    "connection: { endpoint: 'opc.tcp://127.0.0.1:4840', publishingInterval: 1s }",
    'tags:',
    "  - { name: Fast, nodeId: 'ns=1;s=Counter', samplingInterval: 100ms, queueSize: 2 }",
    "  - { name: Covered, nodeId: 'ns=1;s=Double', samplingInterval: 100ms }",
  ]))
  assert.deepEqual(subscription.errors, [])
  assert.equal(subscription.config!.points[1].queueSize, 11, 'the default queue covers 1 s ÷ 100 ms, plus one for timer jitter')
  assert.equal(subscription.warnings.length, 1, subscription.warnings.join('\n'))
  assert.match(subscription.warnings[0], /^press\.yaml:5:\d+: warning: tags\[0\]\.queueSize: .*keeps 2 of the 10 samples .*publishingInterval 1000 ms/)

  const polling = await load(device([
    "connection: { endpoint: 'opc.tcp://127.0.0.1:4840', mode: polling, publishingInterval: 1s, trustServer: true }",
    'tags:',
    "  - { name: A, nodeId: 'ns=1;s=Counter', samplingInterval: 100ms, queueSize: 4 }",
  ]))
  assert.deepEqual(polling.errors, [])
  const where = (w: string) => w.replace(/^press\.yaml:(\d+):\d+: warning: ([^:]+):.*$/, '$1 $2')
  assert.deepEqual(polling.warnings.map(where), ['3 connection.publishingInterval', '3 connection.trustServer', '5 tags[0].samplingInterval', '5 tags[0].queueSize'])
  assert.match(polling.warnings[0], /no effect with mode: polling/)

  const percent = await load(device([
    "connection: { endpoint: 'opc.tcp://127.0.0.1:4840', mode: polling }",
    'tags:',
    "  - { name: A, nodeId: 'ns=1;s=Counter', deadbandPercent: 5 }",
  ]))
  assert.equal(percent.errors.length, 1, percent.errors.join('\n'))
  assert.match(percent.errors[0], /^press\.yaml:5:\d+: tags\[0\]\.deadbandPercent: .*mode: subscription/)
})
