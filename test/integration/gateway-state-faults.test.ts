import assert from 'node:assert/strict'
import { rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { scrapeMetrics, waitForMetric } from '../helpers/gateway-http.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import { startRig } from '../helpers/rig.js'
import { metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'
import { fillDisk, stateOnTmpfs } from '../helpers/tmpfs.js'

const T = 15_000

/** Broker, host, an observer of `groupId` and a gateway whose state directory is a tmpfs mounted with `options`. */
async function startWithStateOn(t: TestContext, options: string, groupId: string) {
  const rig = await startRig(t, { groupId, host: true })
  rig.configure({ groupId, devices: { sim1: simDevice('Sim1') } })
  const { state, runtime } = stateOnTmpfs(rig, options)
  const gateway = rig.launchGateway({ RUNTIME_DIRECTORY: runtime })
  return { state, host: rig.host, observer: rig.observer, gateway, http: await rig.http(T) }
}

/** The exit code, or 'still running' after `ms` (the /proc case hung before the fix). */
async function exitWithin(gateway: GatewayProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(resolve, ms, 'still running')))
  try {
    return await Promise.race([gateway.exited, late])
  } finally {
    clearTimeout(timer)
  }
}

const bdSeq = (m: SparkplugMessage) => Number(metricOf(m.payload, 'bdSeq')!.value)
const after_ = (observer: SparkplugObserver, m: SparkplugMessage) => (x: SparkplugMessage) => observer.messages.indexOf(x) > observer.messages.indexOf(m)
const live = (m: SparkplugMessage) => m.type === 'DDATA' && m.payload.metrics.every((x) => x.isHistorical !== true)

async function status(http: string): Promise<{ state: { writable: boolean; bdseq: { writable: boolean; error: string | null; writeErrors: number; keptIn: string | null }; buffer: { writable: boolean; error: string | null } | null } }> {
  return (await (await fetch(`${http}/status`)).json()) as never
}

test('state faults - a full state directory: bdSeq and the buffer go to the runtime directory, births and live data go on, reported once', async (t) => {
  const { state, host, observer, gateway, http } = await startWithStateOn(t, 'rw', 'Full')
  const first = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  await observer.waitFor((m) => live(m) && after_(observer, first)(m), T)
  fillDisk(state)

  for (let n = 1; n <= 2; n++) {
    await host.command('spBv1.0/Full/NCMD/Line3-GW', [{ name: 'Node Control/Next Server', datatype: 'Boolean', value: true }])
    const birth = await observer.waitFor((m) => m.type === 'NBIRTH' && bdSeq(m) === bdSeq(first) + n, T)
    await observer.waitForCount((m) => live(m) && after_(observer, birth)(m), 3, T)
  }
  // The buffer's WAL cannot grow either: its records wait in memory and go out live, none dropped.
  const metrics = await waitForMetric(http, 'sparkplug_gateway_state_writable{file="buffer"}', (v) => v === 0, T)
  const birth = observer.messages.findLast((m) => m.type === 'NBIRTH')!
  const data = await observer.waitForCount((m) => live(m) && after_(observer, birth)(m), observer.messages.filter((m) => live(m) && after_(observer, birth)(m)).length + 3, T)
  const counters = data.map((m) => Number(m.payload.metrics[0]!.value))
  for (let i = 1; i < counters.length; i++) assert.ok(counters[i]! > counters[i - 1]!, `Counter went ${counters.join(', ')}`)
  assert.equal(metrics.get('sparkplug_gateway_buffer_dropped_total'), 0)
  assert.equal(metrics.get('sparkplug_gateway_state_writable{file="bdseq"}'), 0)
  assert.equal(metrics.get('sparkplug_gateway_state_write_errors_total{file="bdseq"}'), 2)

  assert.equal(await Promise.race([gateway.exited, 'running']), 'running')
  for (const pattern of [/cannot write the bdseq file/, /cannot write the buffer database/]) {
    const lines = gateway.output.filter((l) => pattern.test(l))
    assert.equal(lines.length, 1, lines.join('\n'))
  }

  const report = (await status(http)).state
  assert.equal(report.writable, false)
  assert.equal(report.bdseq.writable, false)
  assert.equal(report.bdseq.writeErrors, 2)
  assert.match(report.bdseq.error ?? '', /ENOSPC/)
  assert.match(report.bdseq.keptIn ?? '', /\/run\/[^/]+\/bdseq$/)
  assert.equal(report.buffer?.writable, false)
  assert.match(report.buffer?.error ?? '', /full/)
})

test('state faults - a full state directory that has room again: buffer writes resume within seconds, not at the next minute, with no record dropped', async (t) => {
  const { state, observer, gateway, http } = await startWithStateOn(t, 'rw', 'Refilled')
  const birth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  await observer.waitForCount((m) => live(m) && after_(observer, birth)(m), 3, T)
  fillDisk(state)
  await waitForMetric(http, 'sparkplug_gateway_state_writable{file="buffer"}', (v) => v === 0, T)
  rmSync(join(state, 'filler'))
  const metrics = await waitForMetric(http, 'sparkplug_gateway_state_writable{file="buffer"}', (v) => v === 1, T)
  assert.equal(metrics.get('sparkplug_gateway_buffer_dropped_total'), 0)
  assert.equal(gateway.output.filter((l) => /buffer writes succeed again/.test(l)).length, 1, gateway.output.join('\n'))
})

test('state faults - a state directory already full at start: the buffer file is opened once space is freed, without a restart, nothing dropped', async (t) => {
  const rig = await startRig(t, { groupId: 'FullAtStart' })
  rig.configure({ groupId: 'FullAtStart', devices: { sim1: simDevice('Sim1') } })
  const { state, runtime } = stateOnTmpfs(rig, 'rw')
  fillDisk(state)
  const gateway = rig.launchGateway({ RUNTIME_DIRECTORY: runtime })
  const http = await rig.http(T)
  await waitForMetric(http, 'sparkplug_gateway_state_writable{file="buffer"}', (v) => v === 0, T)
  rmSync(join(state, 'filler'))
  const metrics = await waitForMetric(http, 'sparkplug_gateway_state_writable{file="buffer"}', (v) => v === 1, T)
  assert.equal(metrics.get('sparkplug_gateway_buffer_dropped_total'), 0)
  assert.ok(statSync(join(state, 'buffer.db')).size > 0, 'the buffer file exists')
  assert.equal(gateway.output.filter((l) => /buffer file opened/.test(l)).length, 1, gateway.output.join('\n'))
})

test('state faults - a read-only state directory: the gateway runs on a buffer in the runtime directory and says so', async (t) => {
  const { observer, gateway, http } = await startWithStateOn(t, 'ro', 'ReadOnly')
  const birth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  assert.equal(bdSeq(birth), 0)
  await observer.waitForCount((m) => live(m) && after_(observer, birth)(m), 3, T)
  assert.equal(await Promise.race([gateway.exited, 'running']), 'running')
  const report = (await status(http)).state
  assert.equal(report.writable, false)
  assert.equal(report.bdseq.writable, false)
  assert.match(report.bdseq.error ?? '', /EROFS/)
  assert.equal(report.buffer?.writable, false)
  assert.match(report.buffer?.error ?? '', /read-only/)
  const metrics = await scrapeMetrics(http)
  assert.equal(metrics.get('sparkplug_gateway_state_writable{file="buffer"}'), 0)
  assert.equal(gateway.output.filter((l) => /buffering outside the buffer file: it cannot be opened \(records wait in the runtime directory/.test(l)).length, 1)
})

test('state faults - a state directory that cannot be created is exit 73 with one line, promptly', async (t) => {
  const rig = await startRig(t, { observer: 'none' })
  const device = { sim1: simDevice('Sim1') }
  const { dir } = rig.configure({ devices: device })
  const file = join(dir, 'plain-file')
  writeFileSync(file, 'not a directory\n')
  const cases = {
    'under /proc': '/proc/sparkplug-gateway-state',
    'below a regular file': join(file, 'state'),
    'a regular file': file,
  }
  for (const [name, stateDir] of Object.entries(cases)) {
    await t.test(name, async () => {
      const gateway = rig.startGateway({ stateDir, devices: device }, dir)
      const code = await exitWithin(gateway, T)
      assert.equal(code, 73, gateway.output.join('\n'))
      const problems = gateway.output.filter((l) => /stateDir/.test(l))
      assert.equal(problems.length, 1, gateway.output.join('\n'))
      assert.ok(problems[0]!.includes(stateDir), problems[0])
      assert.ok(!gateway.output.some((l) => /^\s+at /.test(l)), gateway.output.join('\n'))
    })
  }
  assert.equal(statSync(file).isFile(), true)
  rmSync(file)
})
