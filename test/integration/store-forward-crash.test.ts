import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { checkDelivery, counterSamples, ranges } from '../helpers/counter-samples.js'
import { scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import { startRig as startProcesses } from '../helpers/rig.js'
import { countReadings, readingsOf } from '../helpers/readings.js'
import { simDevice } from '../helpers/sim-device.js'
import { counterAt, liveData, sessionStarts, startRig, brokerOutage } from '../helpers/store-forward-rig.js'

// The counter (every 250 ms) checks timestamps and order; the Walk, a new value at every read (50 ms),
// counts the readings the first gateway took against those that arrived.
const PERIOD = 250
const device = { sim1: simDevice('Sim1', { poll: '50ms', counterPeriod: `${PERIOD}ms`, walk: true }) }
// durability: process (no fsync per commit): on this shared VM an fsync now and then takes 200+ ms, and
// better-sqlite3 commits on the event loop, so a reading could be skipped, which would read as a loss here.
const extra = 'buffer: { durability: process }'
const T = 20_000
const records = 'sparkplug_gateway_buffer_records'

test('store-and-forward - kill -9 of the gateway during a broker outage, then a restart: every value read and committed arrives (nothing buffered is lost by a crash or restart)', async (t) => {
  const rig = await startRig(t, { devices: device, extra }, T)
  await rig.observer.waitForCount(liveData('Sim1'), 8, T)

  const from = await brokerOutage(rig, T)
  const base = (await scrapeMetrics(rig.http)).get(records)!
  await waitForMetric(rig.http, records, (n) => n >= base + 12, T)
  // A scrape commits the buffer: every value whose period ended before it was read and is on disk.
  const committedAt = Date.now()
  await scrapeMetrics(rig.http)
  await rig.gateway.kill('SIGKILL')
  const restartedAt = Date.now()
  await rig.restartGateway(T)
  const reopened = (await scrapeMetrics(rig.http)).get(records)!
  assert.ok(reopened >= base + 12, `the restarted gateway found ${reopened} buffered records, expected at least ${base + 12}`)
  await waitForMetric(rig.http, records, (n) => n >= reopened + 12, T)
  const to = Date.now()
  await rig.broker.start()
  await rig.observer.waitForCount((m) => liveData('Sim1')(m) && m.receivedAt > to, 8, T)

  const samples = counterSamples(rig.observer.messages, 'Sim1')
  const counts = checkDelivery(samples, PERIOD, { from, to }, sessionStarts(rig.observer.messages))
  const lastCommitted = counterAt(committedAt, PERIOD) - 1
  const firstAfterRestart = Math.min(...samples.filter((s) => s.at >= restartedAt).map((s) => s.value))
  t.diagnostic(`values ${counts.first}-${counts.last}: ${counts.values} distinct, ${counts.live} live, ${counts.historical} historical, ` +
    `${counts.replayedAgain} arrived a second time as history; not read while the gateway was dead: ${ranges(counts.missing)} ` +
    `(${counts.missing.length}; dead from ${lastCommitted + 1} to ${firstAfterRestart - 1} at the latest)`)
  // A restarted gateway starts the Walk again: count the first process's readings on their own.
  const firstRun = readingsOf(rig.observer.messages, 'Sim1').filter((r) => r.at < restartedAt)
  const read = countReadings(firstRun)
  assert.deepEqual(read.missing, [], 'the killed gateway\'s readings that arrived have holes: committed records were lost')
  // At least the 12 records counted before the committing scrape (less a node buffer-metrics record).
  assert.ok(firstRun.filter((r) => r.at > from).length >= 12 - 1, 'the readings buffered before the kill arrived')
  const lost = counts.missing.filter((v) => v >= firstAfterRestart)
  assert.deepEqual(lost, [], 'values read after the restart are missing')
})

test('store-and-forward - a buffer database overwritten with garbage is moved aside and the gateway publishes (a corrupt file is reported, not fatal)', async (t) => {
  const processes = await startProcesses(t)
  const { observer } = processes
  const { dir } = processes.configure({ devices: device, extra: 'buffer: { path: buffer.db, durability: process }' })
  writeFileSync(join(dir, 'buffer.db'), randomBytes(64 * 1024))
  const gateway = processes.launchGateway()
  const line = await gateway.waitForLine(/buffer database is unreadable; moved it aside/, T)
  assert.match(line, /movedTo=\S*buffer\.db\.corrupt-/)
  assert.equal(readdirSync(dir).filter((f) => /^buffer\.db\.corrupt-/.test(f)).length, 1)
  await observer.waitForCount((m) => m.type === 'DDATA' && m.deviceId === 'Sim1', 5, T)
})
