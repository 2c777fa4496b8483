/**
 * Modbus RTU through the whole gateway: two devices (unit ids 1 and 2) on one serial line made by
 * socat, pymodbus answering on the other end, the gateway as a separate process, real mosquitto.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'
import { startPtyPair, type PtyPair } from '../helpers/socat.js'

const T = 10_000
// Rates are compared over windows of 20 register steps written by the test, not of wall time: a
// machine that slows down slows the steps with the scans, so the ratio holds.
const WINDOW_STEPS = 20

const device = (deviceId: string, port: string, unitId: number) => [
  `device: ${deviceId}`,
  'driver: modbus-rtu',
  `connection: { port: ${port}, baudRate: 38400, unitId: ${unitId}, timeout: 100ms }`,
  'poll: 200ms',
  'offlineAfter: 2',
  'tags:',
  '  - { name: Count, address: HR0 }',
  '  - { name: Temp, address: HR1, type: float32, order: CDAB }',
].join('\n')

let pty: PtyPair
let server: Pymodbus
let observer: SparkplugObserver

const indexOf = (m: SparkplugMessage) => observer.messages.indexOf(m)

/**
 * Bumps both units' Count register every 100 ms, `steps` times or until `done` holds (at most `ms`),
 * so every scan of an answering unit sees a change and yields one DDATA; returns the window as a
 * range of observer message indexes.
 */
async function feed(steps: number, count: { n: number }, done: () => boolean = () => false, ms = Infinity): Promise<[number, number]> {
  const from = observer.messages.length
  const end = Date.now() + ms
  for (let step = 0; step < steps && Date.now() < end && !done(); step++) {
    count.n++
    await server.set(1, 'hr', 0, [count.n])
    await server.set(2, 'hr', 0, [count.n])
    await delay(100)
  }
  return [from, observer.messages.length]
}

const dataIn = (deviceId: string, [from, to]: [number, number]) =>
  observer.messages.slice(from, to).filter((m) => m.type === 'DDATA' && m.deviceId === deviceId)

before(async (t) => {
  const rig = await startRig(t)
  observer = rig.observer
  pty = await startPtyPair()
  rig.defer(() => pty.stop())
  server = await startPymodbus({ mode: 'rtu', device: pty.b, units: [1, 2] })
  rig.defer(() => server.stop())
  // Temp: 1.5 (0x3FC00000) on unit 1, -2.25 (0xC0100000) on unit 2, low word first.
  await server.set(1, 'hr', 0, [0, 0x0000, 0x3fc0])
  await server.set(2, 'hr', 0, [0, 0x0000, 0xc010])
  rig.startGateway({ devices: { one: device('Unit1', pty.a, 1), two: device('Unit2', pty.a, 2) } })
})

test('gateway modbus-rtu - two units on one serial line are born with their own values', async () => {
  const [one, two] = await Promise.all(['Unit1', 'Unit2'].map((id) => observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === id, T)))
  assert.deepEqual([metricOf(one!.payload, 'Temp')!.value, metricOf(two!.payload, 'Temp')!.value], [1.5, -2.25])
  assert.equal(metricOf(one!.payload, 'Temp')!.datatype, 'Float')
})

test('gateway modbus-rtu - a silent unit goes bad and dies alone; the other keeps its DDATA rate', async () => {
  const birth = await observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === 'Unit2', T)
  const aliases = aliasesOf(birth.payload)
  const count = { n: 0 }
  const steady = await feed(WINDOW_STEPS, count)
  await server.command({ cmd: 'silence', unit: 2 })
  const died = (m: SparkplugMessage) => m.type === 'DDEATH' && m.deviceId === 'Unit2'
  const dying = await feed(Infinity, count, () => observer.messages.some(died), T)
  const death = observer.messages.slice(dying[0]).find(died)
  assert.ok(death, 'Unit2 died during the silence')
  const bad = dataIn('Unit2', [dying[0], indexOf(death)]).find((m) => m.payload.metrics.some((x) => x.isNull))
  assert.ok(bad, 'Unit2 reported bad values before its DDEATH')
  assert.equal(metricOf(bad.payload, 'Count', aliases)!.properties?.Quality?.value, 0)

  // Dead, the silent unit is retried with a growing backoff: it costs the line a timeout now and then.
  const silent = await feed(WINDOW_STEPS, count)
  assert.equal(dataIn('Unit2', [indexOf(death), silent[1]]).length, 0, 'nothing from Unit2 after its DDEATH')
  assert.equal(observer.messages.some((m) => m.deviceId === 'Unit1' && m.type === 'DDEATH'), false)
  const before_ = dataIn('Unit1', steady).length
  const during = dataIn('Unit1', silent).length
  assert.ok(before_ > 0 && dataIn('Unit2', steady).length > 0, 'both units sent DDATA before the silence')
  assert.ok(during * 4 >= before_ * 3, `Unit1 sent ${during} DDATA during the silence against ${before_} before`)
  assert.ok(dataIn('Unit1', [dying[0], silent[1]]).every((m) => m.payload.metrics.every((x) => x.isNull !== true)), 'Unit1 never went bad')
})

test('gateway modbus-rtu - the silent unit answers again: DBIRTH with its current values', async () => {
  const death = observer.messages.filter((m) => m.type === 'DDEATH' && m.deviceId === 'Unit2').at(-1)!
  await server.set(2, 'hr', 0, [4242])
  await server.command({ cmd: 'silence', unit: 2, on: false })
  const reborn = await observer.waitFor((m) => indexOf(m) > indexOf(death) && m.type === 'DBIRTH' && m.deviceId === 'Unit2', T)
  assert.equal(metricOf(reborn.payload, 'Count')!.value, 4242)
  assert.equal(metricOf(reborn.payload, 'Temp')!.value, -2.25)
})
