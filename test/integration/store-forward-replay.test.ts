import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Metric } from '../../gateway/model/value.js'
import { createSqliteOutbox } from '../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { checkDelivery, counterSamples, ranges } from '../helpers/counter-samples.js'
import { startRig } from '../helpers/rig.js'
import { simDevice } from '../helpers/sim-device.js'
import { sessionStarts } from '../helpers/store-forward-rig.js'

// A period well above the poll interval: a reading delayed by a busy machine still sees every value.
const PERIOD = 250
const T = 30_000
const RECORDS = 3000
const TAGS = 100
const tagName = (t: number) => `Tag${String(t).padStart(3, '0')}`
const backlogDevice = ['device: Backlog', 'driver: simulator', 'connection: {}', 'poll: 1s', 'tags:',
  ...Array.from({ length: TAGS }, (_, t) => `  - { name: ${tagName(t)}, signal: counter, period: 1h }`)].join('\n')

test('store-and-forward - a 300,000-metric backlog replays in order while another device\'s live values keep arriving, none skipped (live data keeps flowing during the replay)', async (t) => {
  const rig = await startRig(t, { mosquitto: { persistence: true }, observer: 'durable' })
  const observer = rig.durable
  const { dir } = rig.configure({
    devices: { backlog: backlogDevice, sim1: simDevice('Sim1', { poll: '25ms', counterPeriod: `${PERIOD}ms` }) },
    extra: 'buffer: { path: buffer.db, durability: process }',
  })
  const start = Date.now() - RECORDS * 1000
  const outbox = createSqliteOutbox({ path: join(dir, 'buffer.db'), maxSizeBytes: 64 * 1024 ** 2, whenFull: 'drop-oldest', durability: 'process', log: silentLog })
  for (let n = 0; n < RECORDS; n++) {
    const metrics: Metric[] = Array.from({ length: TAGS }, (_, t) => ({ name: tagName(t), type: 'Int32', value: n, at: start + n * 1000 }))
    outbox.add({ deviceId: 'Backlog', at: start + n * 1000, metrics })
  }
  outbox.close()
  rig.launchGateway()

  // Records carry times before the fill ended; the device's own first reading comes after.
  const backlogMetrics = (m: (typeof observer.messages)[number]) =>
    m.type === 'DDATA' && m.deviceId === 'Backlog' ? m.payload.metrics.filter((x) => x.isHistorical === true && Number(x.timestamp) < start + RECORDS * 1000) : []
  // Tag000 leads every record, so it is the first metric of every history payload.
  const firstTag = (m: (typeof observer.messages)[number]) => backlogMetrics(m).filter((x) => x.alias === m.payload.metrics[0]!.alias)
  const last = await observer.waitFor((m) => firstTag(m).some((x) => Number(x.value) === RECORDS - 1), T)
  await observer.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Sim1' && observer.messages.indexOf(m) > observer.messages.indexOf(last), 5, T)

  const history = observer.messages.filter((m) => backlogMetrics(m).length > 0)
  const firstAt = observer.messages.indexOf(history[0]!)
  const lastAt = observer.messages.indexOf(last)
  assert.equal(history.reduce((sum, m) => sum + backlogMetrics(m).length, 0), RECORDS * TAGS)
  assert.deepEqual(history.flatMap((m) => firstTag(m).map((x) => Number(x.value))), Array.from({ length: RECORDS }, (_, n) => n), 'the backlog arrives in order')
  const samples = counterSamples(observer.messages, 'Sim1')
  const during = samples.filter((s) => !s.historical && s.message > firstAt && s.message < lastAt)
  const counts = checkDelivery(samples, PERIOD, { from: 0, to: 0 }, sessionStarts(observer.messages))
  t.diagnostic(`backlog in ${history.length} messages; ${during.length} live values arrived between its first and last; ` +
    `live values ${counts.first}-${counts.last}, missing: ${ranges(counts.missing)}`)
  assert.ok(during.length > 0, 'no live value arrived while the backlog replayed')
  assert.deepEqual(counts.missing, [])
})
