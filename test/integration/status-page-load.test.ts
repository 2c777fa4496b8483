/**
 * The status page under load, against the gateway as its own process with no broker: 20 clients
 * that keep loading the page and polling /status do not cost the device a scan, and the page's
 * data is the gateway's own (a buffering node, one device online, one offline).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { startStatusPageGateway } from '../helpers/status-page-gateway.js'

const T = 20_000
const SCANS = 100
const CLIENTS = 20

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

test(`status page - ${CLIENTS} page clients for ${SCANS} scans: no failed scan, no timeout, the dark device offline`, async (t) => {
  const { gateway, get, status, stop } = await startStatusPageGateway({ poll: '50ms', timeoutMs: T })
  try {
    let before = await status()
    while (!before.devices.Sim1.online) before = await status()
    const rssBefore = rssKiB(gateway.pid)
    let done = false
    let loads = 0
    const client = async () => {
      while (!done) {
        await Promise.all([get('/'), get('/page.js'), get('/page.css')])
        await status()
        loads++
      }
    }
    const clients = Array.from({ length: CLIENTS }, client)
    let now = before
    while (now.devices.Sim1.scans < before.devices.Sim1.scans + SCANS) now = await status()
    done = true
    await Promise.all(clients)
    const rssAfter = rssKiB(gateway.pid)
    t.diagnostic(`${loads} page loads by ${CLIENTS} clients during ${SCANS} scans; gateway RSS ${rssBefore} KiB -> ${rssAfter} KiB`)

    assert.ok(loads >= CLIENTS)
    assert.equal(now.devices.Sim1.failedScans, before.devices.Sim1.failedScans, 'no failed scan of the simulator')
    assert.equal(now.devices.Sim1.timeouts, before.devices.Sim1.timeouts, 'no timed-out scan of the simulator')
    assert.equal(now.devices.Sim1.online, true)
    assert.equal(now.devices.Dark1.online, false)
    assert.equal(now.upstream.connected, false, 'no broker: the node buffers')
    assert.ok(now.buffer.records > 0, 'the buffer fills')

    type Tags = { tags: { name: string; value: string | null; quality: string; units: string | null }[] }
    const tag = async (device: string, name: string) => ((JSON.parse(await get(`/status/tags?device=${device}`)) as Tags).tags.find((t) => t.name === name))
    const setpoint = await tag('Sim1', 'Setpoint')
    assert.deepEqual({ value: setpoint?.value, quality: setpoint?.quality, units: setpoint?.units }, { value: '20', quality: 'good', units: 'degC' })
    const first = await tag('Sim1', 'Counter')
    let counter = first
    while (counter?.value === first?.value) counter = await tag('Sim1', 'Counter')
    assert.notEqual(counter?.value, null, 'the counter changes between reads')
    assert.equal((await tag('Dark1', 'T'))?.value ?? null, null, 'the dark device has no value')
  } finally {
    await stop()
  }
})
