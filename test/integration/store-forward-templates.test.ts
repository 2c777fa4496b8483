/**
 * Template members across a broker outage: members are buffered like tags, and what was read
 * while the broker was away arrives afterwards as partial instances flagged historical, in order,
 * with nothing lost.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { PayloadMetric, Template } from '../../gateway/sparkplug/payload.js'
import { httpUrlOf } from '../helpers/gateway-http.js'
import type { ReceivedMessage } from '../helpers/durable-observer.js'
import { startRig } from '../helpers/rig.js'
import { brokerOutage, waitForBuffered } from '../helpers/store-forward-rig.js'

const T = 20_000
const PERIOD = 250

const meterType = ['type: Meter', 'parameters:', '  - { name: Site, type: String, default: Plant }', 'members:', '  - { name: Count, datatype: Int32 }', '  - { name: Level, datatype: Double }'].join('\n')
const device = [
  'device: Meters',
  'driver: simulator',
  'poll: 50ms',
  'offlineAfter: 2',
  'tags:',
  '  - { name: Flag, signal: boolean, period: 1h }',
  'instances:',
  '  - name: Meter1',
  '    type: Meter',
  '    members:',
  `      - { name: Count, signal: counter, period: ${PERIOD}ms }`,
  '      - { name: Level, signal: setpoint, type: Double, initial: 3 }',
].join('\n')

interface Sample { value: number; at: number; historical: boolean }

/** Every Count member the instance delivered in DDATA (by its alias from the last DBIRTH before it). */
function countSamples(messages: readonly ReceivedMessage[]): Sample[] {
  let alias: number | undefined
  const out: Sample[] = []
  for (const m of messages) {
    if (m.deviceId !== 'Meters') continue
    if (m.type === 'DBIRTH') alias = m.payload.metrics.find((x) => x.name === 'Meter1')?.alias
    if (m.type !== 'DDATA') continue
    for (const metric of m.payload.metrics.filter((x) => x.alias === alias)) {
      const count = (metric.value as Template).metrics.find((x: PayloadMetric) => x.name === 'Count')
      if (count !== undefined) out.push({ value: Number(count.value), at: count.timestamp!, historical: metric.isHistorical === true })
    }
  }
  return out
}

test('store-and-forward - template members read during a broker outage arrive afterwards as historical partial instances, none lost', async (t) => {
  const rig = await startRig(t, {
    mosquitto: { persistence: true }, observer: 'durable',
    gateway: (dir) => {
      mkdirSync(join(dir, 'types'), { recursive: true })
      writeFileSync(join(dir, 'types', 'Meter.yaml'), meterType)
      return { devices: { meters: device }, extra: 'buffer: { durability: process }' }
    },
  })
  const http = await httpUrlOf(rig.gateway, T)
  const sf = { broker: rig.broker, observer: rig.durable, gateway: rig.gateway, http, dir: rig.dir, host: undefined as never, restartGateway: async () => {} }
  await rig.durable.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Meters', 4, T)

  const from = await brokerOutage(sf, T)
  await waitForBuffered(sf, 3000 / PERIOD, T)
  const to = Date.now()
  await rig.broker.start()
  await rig.durable.waitFor((m) => m.type === 'DDATA' && m.deviceId === 'Meters' && m.receivedAt > to && m.payload.metrics.some((x) => x.isHistorical !== true), T)

  const samples = countSamples(rig.durable.messages)
  const during = samples.filter((s) => s.at > from + PERIOD && s.at < to)
  assert.ok(during.length >= 3000 / PERIOD - 1, `${during.length} counts from the outage arrived`)
  assert.ok(during.every((s) => s.historical), 'what was read during the outage is history')
  // Every counter step from the first to the last sample arrived (a replayed one may come twice).
  const values = [...new Set(samples.map((s) => s.value))].sort((a, b) => a - b)
  const missing = values.slice(1).filter((v, i) => v !== values[i]! + 1)
  assert.deepEqual(missing, [], 'counter values missing after the outage')
})
