import assert from 'node:assert/strict'
import { test } from 'node:test'
import { prometheusText } from '../../../gateway/http/prometheus.js'
import type { GatewayStatus } from '../../../gateway/base/status.js'

const device = { online: true, scans: 3, failedScans: 0, timeouts: 0, lastScanMs: 5, lastError: null }

function status(devices: Record<string, typeof device>, server: string): GatewayStatus {
  return {
    node: { groupId: 'G', edgeNodeId: 'N', version: '0.0.0' },
    upstream: { connected: true, since: 0, server, serverInUse: server, born: true, primaryHostOnline: null, bdSeq: 1, reconnects: 1, published: 2, replayedMetrics: 0 },
    devices,
    buffer: { records: 0, bytes: 0, oldestAt: null, dropped: 0, nextId: 1, replayRate: 0 },
    commands: { accepted: 0, refused: 0 },
    state: { dir: '/var/lib/sparkplug-gateway', writable: true, bdseq: { path: 'bdseq', writable: true, error: null, writeErrors: 0, keptIn: null }, buffer: null },
    warnings: [],
  }
}

test('prometheus - a label value with a line feed, quote or backslash stays inside its sample line', () => {
  const text = prometheusText(status({ 'Boiler\nsparkplug_gateway_fake 1': device, 'a"b\\c': device }, 'mqtt://broker:1883'))
  const online = text.split('\n').filter((line) => line.startsWith('sparkplug_gateway_device_online'))
  assert.deepEqual(online, [
    'sparkplug_gateway_device_online{device="Boiler\\nsparkplug_gateway_fake 1"} 1',
    'sparkplug_gateway_device_online{device="a\\"b\\\\c"} 1',
  ])
  assert.ok(!text.split('\n').some((line) => line.startsWith('sparkplug_gateway_fake')), 'no injected sample line')
})
