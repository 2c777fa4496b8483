/** drivers/opcua/example.yaml loads through the gateway's loader, and the README shows it verbatim. */
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { drivers } from '../../../drivers/registry.js'
import type { OpcuaDeviceConfig } from '../../../drivers/opcua/index.js'
import { formatError, loadConfig } from '../../../gateway/config/load.js'

// Compiled tests run from dist/test/unit/opcua; the YAML and README stay in the source tree.
const folder = fileURLToPath(new URL('../../../../drivers/opcua/', import.meta.url))

test('opcua example - example.yaml loads through the gateway with every key resolved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opcua-example-'))
  mkdirSync(join(dir, 'devices'))
  writeFileSync(join(dir, 'gateway.yaml'), 'sparkplug: { groupId: Plant1, edgeNodeId: GW1 }\nupstream: { mqtt: { servers: mqtt://127.0.0.1:1883 } }\n')
  copyFileSync(join(folder, 'example.yaml'), join(dir, 'devices', 'press4.yaml'))
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), drivers)
  if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
  const [device] = loaded.value.devices
  const config = device.driverConfig as OpcuaDeviceConfig
  assert.deepEqual(
    { ...config, points: undefined },
    {
      endpoint: 'opc.tcp://192.168.10.30:4840', securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256',
      user: { kind: 'username', username: 'gateway', passwordFile: '/etc/sparkplug-gateway/secrets/press4-password' },
      mode: 'subscription', publishingIntervalMs: 500, timeoutMs: 5000, maxBytesPerScan: 4194304, trustServer: false, pkiDir: null, points: undefined,
    },
  )
  assert.deepEqual(config.points.map((p) => [p.name, p.declared && `${p.declared.base}${p.declared.array ? '[]' : ''}`, p.samplingIntervalMs, p.queueSize, p.deadband, p.writable]), [
    ['Hydraulics/Pressure', 'Double', 500, 2, { kind: 'absolute', value: 0.2 }, false],
    ['Hydraulics/Oil Level', null, 500, 2, { kind: 'percent', value: 1 }, false],
    ['Counters/Strokes', 'UInt64', 500, 2, null, false],
    ['Counters/Last Stroke', 'DateTime', 500, 2, null, false],
    ['Profile/Force', 'Float[]', 100, 10, null, false],
    ['Recipe/Setpoint', 'Double', 500, 2, null, true],
    ['Recipe/Name', 'LocalizedText', 500, 2, null, false],
  ])
})

test('opcua example - the README shows example.yaml verbatim', () => {
  const readme = readFileSync(join(folder, 'README.md'), 'utf8')
  const block = /```yaml\n([\s\S]*?)```/.exec(readme)
  assert.ok(block, 'README.md has no yaml block')
  assert.equal(block[1], readFileSync(join(folder, 'example.yaml'), 'utf8'))
})
