/**
 * The status page under load, against the gateway as its own process with no broker: 20 clients
 * that keep loading the page and polling /status do not cost the device a scan, and the page's
 * data is the gateway's own (a buffering node, one device online, one offline).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { httpUrlOf } from '../helpers/gateway-http.js'
import { removeDir, startGatewayProcess, writeGatewayConfig } from '../helpers/gateway-process.js'
import { closedPort } from '../helpers/ports.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 20_000
const SCANS = 100
const CLIENTS = 20

interface Status { upstream: { connected: boolean }; buffer: { records: number }; devices: Record<string, { online: boolean; scans: number; failedScans: number; timeouts: number }> }

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

test(`status page - ${CLIENTS} page clients for ${SCANS} scans: no failed scan, no timeout, the dark device offline`, async (t) => {
  const dark = await closedPort()
  const { dir, file } = writeGatewayConfig({
    servers: [`mqtt://127.0.0.1:${await closedPort()}`],
    devices: {
      sim: simDevice('Sim1', { poll: '50ms' }),
      dark: ['device: Dark1', 'driver: modbus-tcp', `connection: { host: 127.0.0.1, port: ${dark}, timeout: 200ms, connectTimeout: 200ms }`, 'poll: 500ms', 'tags:', '  - { name: T, address: HR1 }'].join('\n'),
    },
  })
  const gateway = startGatewayProcess(file)
  try {
    const base = await httpUrlOf(gateway, T)
    const get = async (path: string): Promise<string> => {
      const response = await fetch(`${base}${path}`)
      assert.equal(response.status, 200, path)
      return response.text()
    }
    const status = async (): Promise<Status> => JSON.parse(await get('/status')) as Status
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
    await gateway.kill('SIGTERM')
    removeDir(dir)
  }
})
