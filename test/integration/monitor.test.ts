import { test } from 'node:test'
import assert from 'node:assert/strict'
import mqtt from 'mqtt'
import { run, type MonitorIo } from '../../gateway/cli/monitor.js'
import { encodePayload } from '../../gateway/sparkplug/codec.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startMosquitto } from '../helpers/mosquitto.js'
import { closedPort } from '../helpers/ports.js'

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function capture(signal?: AbortSignal): MonitorIo & { outs: string[]; errs: string[] } {
  const outs: string[] = []
  const errs: string[] = []
  return { outs, errs, signal, out: (t) => outs.push(t), err: (l) => errs.push(l) }
}

test('monitor - prints births, STATE and bad payloads from a real broker, then stops with 0', async () => {
  const broker = await startMosquitto()
  const stop = new AbortController()
  const io = capture(stop.signal)
  const publisher = mqtt.connect(broker.url, { reconnectPeriod: 0 })
  try {
    const exit = run(['--broker', broker.url, '--topic', 'spBv1.0/Plant1/#', '--topic', 'spBv1.0/STATE/+'], io)
    await until('monitor to subscribe', () => io.errs.some((l) => l.includes('listening on')))
    await until('publisher to connect', () => publisher.connected)
    const nbirth = encodePayload(
      { timestamp: 1700000000000, seq: 0, metrics: [{ name: 'bdSeq', datatype: 'Int64', value: 3n }, { name: 'Level', alias: 1, datatype: 'Int8', value: -1 }] },
      { uint32Field: 'int_value' },
    )
    await publisher.publishAsync('spBv1.0/Plant1/NBIRTH/edge1', Buffer.from(nbirth), { qos: 1 })
    await publisher.publishAsync('spBv1.0/Plant1/NDATA/edge1', Buffer.from('garbage!'), { qos: 1 })
    // Outside the filters: were it delivered, it would arrive before the STATE message.
    await publisher.publishAsync('spBv1.0/Other/NDATA/edge9', Buffer.from(nbirth), { qos: 1 })
    await publisher.publishAsync('spBv1.0/STATE/scada', JSON.stringify({ online: true, timestamp: 1700000000000 }), { qos: 1 })
    await until('three messages', () => io.outs.length >= 3)
    stop.abort()
    assert.equal(await exit, 0)
    assert.equal(io.outs[0], [
      'spBv1.0/Plant1/NBIRTH/edge1  seq=0  2023-11-14T22:13:20.000Z  bdSeq=3',
      '  bdSeq Int64 = 3',
      '  Level (1) Int8 = -1',
    ].join('\n'))
    assert.match(io.outs[1], /^spBv1\.0\/Plant1\/NDATA\/edge1 {2}not a Sparkplug B payload \(8 bytes\): /)
    assert.equal(io.outs[2], 'spBv1.0/STATE/scada  STATE online=true  2023-11-14T22:13:20.000Z')
  } finally {
    stop.abort()
    await publisher.endAsync(true)
    await broker.stop()
  }
})

test('monitor - an unreachable broker is one clear line and exit code 69', async () => {
  const port = await closedPort()
  const io = capture()
  assert.equal(await run(['--broker', `mqtt://127.0.0.1:${port}`], io), 69)
  assert.equal(io.errs.length, 1)
  assert.match(io.errs[0], new RegExp(`cannot reach broker mqtt://127.0.0.1:${port}: connect ECONNREFUSED`))
})

test('monitor - a password written in --broker is not printed', async () => {
  const port = await closedPort()
  const io = capture()
  assert.equal(await run(['--broker', `mqtt://plant:SECRET@127.0.0.1:${port}`], io), 69)
  assert.match(io.errs[0]!, new RegExp(`cannot reach broker mqtt://127.0.0.1:${port}: connect ECONNREFUSED`))
  assert.ok(!io.errs.join('\n').includes('SECRET'))
})

test('monitor - bad arguments exit 64 with the usage', async () => {
  const io = capture()
  assert.equal(await run(['--broker', 'localhost'], io), 64)
  assert.match(io.errs[0], /--broker must be a URL/)
})

test('monitor - reads the password from --password-file; a wrong one exits 77', async () => {
  const broker = await startMosquitto({ users: { plant: 's3cret' } })
  const dir = mkdtempSync(join(tmpdir(), 'monitor-pw-'))
  try {
    const good = join(dir, 'good')
    const bad = join(dir, 'bad')
    writeFileSync(good, 's3cret\n')
    writeFileSync(bad, 'wrong\n')
    const stop = new AbortController()
    const io = capture(stop.signal)
    const exit = run(['--broker', broker.url, '--username', 'plant', '--password-file', good], io)
    // The first stderr line is either 'listening on' or the reason it is not.
    await until('monitor to connect or fail', () => io.errs.length > 0)
    stop.abort()
    assert.equal(await exit, 0, io.errs.join('\n'))
    const refused = capture()
    assert.equal(await run(['--broker', broker.url, '--username', 'plant', '--password-file', bad], refused), 77)
    assert.match(refused.errs[0], /refused the connection \(.*Not authorized\); check --username and --password-file/)
    const missing = capture()
    assert.equal(await run(['--broker', broker.url, '--password-file', join(dir, 'none')], missing), 66)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await broker.stop()
  }
})
