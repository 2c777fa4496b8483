import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { DeviceConfig, GatewayConfig } from '../../../gateway/config/types.js'
import { planReload, type SharedBus } from '../../../gateway/runtime/reload-plan.js'

const device = (deviceId: string, extra: Partial<DeviceConfig> = {}): DeviceConfig => ({
  file: `/etc/gw/devices/${deviceId.toLowerCase()}.yaml`,
  deviceId,
  driver: 'simulator',
  pollMs: 1000,
  offlineAfter: 3,
  tags: [{ name: 'Count', pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0 }],
  driverConfig: { line: 'none' },
  ...extra,
})

const config = (devices: DeviceConfig[], extra: Partial<GatewayConfig> = {}): GatewayConfig => ({
  file: '/etc/gw/gateway.yaml',
  sparkplug: { groupId: 'Plant', edgeNodeId: 'Edge1', uint32Field: 'long_value' },
  upstream: { mqtt: { servers: ['mqtt://a:1883'], version: '5', clientId: 'c', keepaliveMs: 30_000, connectTimeoutMs: 3000, reconnectMinMs: 1000, reconnectMaxMs: 30_000, dataQos: 0, replayWindowMs: 45_000 } },
  devices,
  devicesDir: '/etc/gw/devices',
  buffer: { path: null, maxSizeBytes: 1e6, whenFull: 'drop-oldest', durability: 'process' },
  stateDir: '/var/lib/gw',
  log: { level: 'info' },
  ...extra,
})

const noBus = (): SharedBus | null => null
const ids = (devices: readonly DeviceConfig[]) => devices.map((d) => d.deviceId)

test('reload plan - devices are added, removed, changed or untouched by what they do, not by file name', () => {
  const before = config([device('A'), device('B'), device('C')])
  const after = config([device('A', { file: '/etc/gw/devices/renamed.yaml' }), device('B', { pollMs: 500 }), device('D')])
  const plan = planReload(before, after, noBus)
  assert.deepEqual([ids(plan.added), plan.removed, ids(plan.changed), plan.unchanged], [['D'], ['C'], ['B'], ['A']])
  assert.deepEqual(plan.needsRestart, [])
})

test('reload plan - a tag change (also in a 64-bit allowed value) changes the device', () => {
  const limited = (allowed: bigint) => device('A', { tags: [{ name: 'Total', sparkplugType: 'Int64', pollMs: 1000, deadband: 0, writable: true, writeIntervalMs: 0, allowed: [allowed] }] })
  assert.deepEqual(ids(planReload(config([limited(10n)]), config([limited(11n)]), noBus).changed), ['A'])
  assert.deepEqual(ids(planReload(config([limited(10n)]), config([limited(10n)]), noBus).changed), [])
})

test('reload plan - new line settings of a shared bus reopen every device on it; another change on the bus does not', () => {
  const onLine = (id: string, baud: number, pollMs = 1000) => device(id, { pollMs, driverConfig: { port: '/dev/ttyUSB0', baud } })
  const busOf = (d: DeviceConfig): SharedBus | null => {
    const c = d.driverConfig as { port?: string; baud?: number }
    return c.port === undefined ? null : { key: c.port, settings: String(c.baud) }
  }
  const before = config([onLine('A', 9600), onLine('B', 9600), device('C')])
  assert.deepEqual(ids(planReload(before, config([onLine('A', 19200), onLine('B', 19200), device('C')]), busOf).changed), ['A', 'B'])
  assert.deepEqual(ids(planReload(before, config([onLine('A', 9600, 500), onLine('B', 9600), device('C')]), busOf).changed), ['A'])
})

test('reload plan - node-level sections that differ are listed as needing a restart', () => {
  const before = config([device('A')])
  const after = config([device('A')], { sparkplug: { groupId: 'Other', edgeNodeId: 'Edge1', uint32Field: 'long_value' }, log: { level: 'debug' } })
  assert.deepEqual(planReload(before, after, noBus).needsRestart, ['sparkplug', 'log'])
})
