/**
 * Modbus TCP through the whole gateway: pymodbus (an independent Modbus implementation) as the
 * device, the gateway as a separate process, real mosquitto, Sparkplug decoded as a host sees it.
 * Unit 1 holds the golden vectors, unit 2 a tank with writable tags and a refused address range,
 * unit 3 the tags of drivers/modbus/example-tags.csv.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { before, test } from 'node:test'
import type { Payload } from '../../gateway/sparkplug/payload.js'
import type { GatewayProcess } from '../helpers/gateway-process.js'
import type { TestHost } from '../helpers/host.js'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'
import { startRig } from '../helpers/rig.js'
import { aliasesOf, metricOf, type SparkplugMessage, type SparkplugObserver } from '../helpers/sparkplug-observer.js'

const T = 10_000
const DCMD = 'spBv1.0/Plant1/DCMD/Line3-GW/Tank'

interface Case {
  type: string
  order?: string
  length?: number
  stringOrder?: string
  bit?: number
  words: string[]
  value: number | string | boolean
}

// The compiled test sits in dist/test/integration; the data files stay in the source tree.
const source = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url))
const { cases } = JSON.parse(readFileSync(source('test/cases/modbus/registers.json'), 'utf8')) as { cases: Case[] }
const sparkplugTypes: Record<string, string> = {
  int16: 'Int16', uint16: 'UInt16', int32: 'Int32', uint32: 'UInt32', int64: 'Int64', uint64: 'UInt64',
  float32: 'Float', float64: 'Double', string: 'String', boolean: 'Boolean',
}

/** Every golden vector as one tag at its own registers, HR0 upwards. */
const golden = (() => {
  let offset = 0
  return cases.map((c, i) => {
    const tag = {
      name: `${c.type}/${c.order ?? c.stringOrder ?? `bit${c.bit}`}/${i}`,
      offset,
      words: c.words.map((w) => parseInt(w, 16)),
      expected: c.type === 'int64' || c.type === 'uint64' ? BigInt(c.value as string) : c.value,
      datatype: sparkplugTypes[c.type]!,
      yaml: [
        `address: 'HR${offset}${c.bit === undefined ? '' : `.${c.bit}`}'`,
        `type: ${c.type}`,
        ...(c.order ? [`order: ${c.order}`] : []),
        ...(c.length ? [`length: ${c.length}`] : []),
        ...(c.stringOrder ? [`stringOrder: ${c.stringOrder}`] : []),
      ].join(', '),
    }
    offset += c.words.length
    return tag
  })
})()
// Scaled tags become Double (engineering = raw * scale + offset); a scaled float32 stays Float.
const scaledBase = 1000
const scaled = [
  { name: 'Scaled/int16', yaml: 'type: int16, scale: 0.1, offset: -10', words: [0xfb2e], expected: -1234 * 0.1 - 10, datatype: 'Double' },
  { name: 'Scaled/uint32', yaml: 'type: uint32, order: CDAB, scale: 0.001', words: [0x5678, 0x1234], expected: 305419896 * 0.001, datatype: 'Double' },
  { name: 'Scaled/float32', yaml: 'type: float32, scale: 2, offset: 1', words: [0x3fc0, 0x0000], expected: 4, datatype: 'Float' },
].map((t, i) => ({ ...t, offset: scaledBase + 2 * i }))

const goldenDevice = [
  'device: Golden',
  'driver: modbus-tcp',
  'connection: { host: 127.0.0.1, port: PORT, unitId: 1, timeout: 300ms }',
  'poll: 250ms',
  'offlineAfter: 2',
  'tags:',
  ...golden.map((t) => `  - { name: '${t.name}', ${t.yaml} }`),
  ...scaled.map((t) => `  - { name: '${t.name}', address: HR${t.offset}, ${t.yaml} }`),
].join('\n')

const tankDevice = [
  'device: Tank',
  'driver: modbus-tcp',
  'connection: { host: 127.0.0.1, port: PORT, unitId: 2, timeout: 300ms }',
  'poll: 200ms',
  'offlineAfter: 2',
  'tags:',
  '  - { name: Level, address: HR0 }',
  '  - { name: Setpoint, address: HR10, type: uint16, scale: 0.1, writable: true, min: 0, max: 100, units: degC }',
  '  - { name: Refused/A, address: HR20 }',
  '  - { name: Refused/B, address: HR22, type: int16 }',
  '  - { name: After, address: HR25 }',
  '  - { name: Pump/Run, address: CO0, writable: true }',
].join('\n')

const csvDevice = [
  'device: Csv',
  'driver: modbus-tcp',
  'connection: { host: 127.0.0.1, port: PORT, unitId: 3, timeout: 300ms }',
  'poll: 250ms',
  'offlineAfter: 2',
  `tags: ${source('drivers/modbus/example-tags.csv')}`,
].join('\n')

let server: Pymodbus
let observer: SparkplugObserver, host: TestHost, gateway: GatewayProcess

const births = (deviceId: string) => observer.messages.filter((m) => m.type === 'DBIRTH' && m.deviceId === deviceId)
const firstBirth = (deviceId: string) => observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === deviceId, T)
const isAfter = (m: SparkplugMessage, index: number) => observer.messages.indexOf(m) >= index
const valueIn = (payload: Payload, name: string, aliases: Map<string, number>) => metricOf(payload, name, aliases)?.value

/** The next DDATA of `deviceId` (after message `from`) that carries `name` with a value passing `ok`. */
function nextData(deviceId: string, name: string, from: number, ok: (v: unknown) => boolean): Promise<SparkplugMessage> {
  return observer.waitFor((m) => {
    if (!isAfter(m, from) || m.type !== 'DDATA' || m.deviceId !== deviceId) return false
    const aliases = aliasesOf(births(deviceId).at(-1)!.payload)
    const metric = metricOf(m.payload, name, aliases)
    return metric !== undefined && metric.isNull !== true && ok(metric.value)
  }, T)
}

before(async (t) => {
  const rig = await startRig(t, { host: true })
  observer = rig.observer
  host = rig.host
  server = await startPymodbus({ mode: 'tcp', units: [1, 2, 3] })
  rig.defer(() => server.stop())
  for (const t of [...golden, ...scaled]) await server.set(1, 'hr', t.offset, t.words)
  await server.set(2, 'hr', 0, [7])
  await server.set(2, 'hr', 10, [200])
  await server.set(2, 'hr', 25, [25])
  await server.command({ cmd: 'reject', unit: 2, table: 'hr', start: 20, end: 24 })
  // example-tags.csv: Level 2.5 (float32 CDAB), Temp 215 x 0.1, Valve on, High on, Mode 2, Pump Fault (bit 4).
  await server.set(3, 'hr', 0, [0x0000, 0x4020])
  await server.set(3, 'ir', 10, [215])
  await server.set(3, 'co', 0, [1])
  await server.set(3, 'di', 0, [1])
  await server.set(3, 'hr', 20, [2, 0x0010])
  const port = (text: string) => text.replace('PORT', String(server.port))
  gateway = rig.startGateway({ devices: { golden: port(goldenDevice), tank: port(tankDevice), csv: port(csvDevice) } })
})

test('gateway modbus - every golden vector arrives in the DBIRTH with its value and Sparkplug datatype', async () => {
  const birth = await firstBirth('Golden')
  for (const t of [...golden, ...scaled]) {
    const metric = metricOf(birth.payload, t.name)
    assert.ok(metric, `DBIRTH lacks ${t.name}`)
    assert.equal(metric.datatype, t.datatype, t.name)
    assert.notEqual(metric.isNull, true, `${t.name} is null`)
    assert.deepEqual(metric.value, t.expected, t.name)
    assert.equal(metric.properties?.Quality?.value, 192, t.name)
  }
})

test('gateway modbus - a changed register arrives in DDATA, by alias, decoded', async () => {
  const aliases = aliasesOf((await firstBirth('Golden')).payload)
  const from = observer.messages.length
  const int32 = golden.find((t) => t.name.startsWith('int32/CDAB/'))!
  // 0x12345678; CDAB puts the low word first. (A negative Int32 in DDATA carries no datatype and
  // decodes as its unsigned wire form; hosts sign it by the DBIRTH's datatype.)
  await server.set(1, 'hr', int32.offset, [0x5678, 0x1234])
  const data = await nextData('Golden', int32.name, from, (v) => v === 305419896)
  assert.equal(metricOf(data.payload, int32.name, aliases)!.name, undefined)
})

test('gateway modbus - a CSV tag list loads through the gateway with its types and scaling', async () => {
  const birth = await firstBirth('Csv')
  const expected: [string, string, unknown][] = [
    ['Tank/Level', 'Float', 2.5],
    ['Tank/Temp', 'Double', 215 * 0.1],
    ['Tank/Valve', 'Boolean', true],
    ['Tank/High', 'Boolean', true],
    ['Tank/Mode', 'UInt16', 2],
    ['Tank/Pump Fault', 'Boolean', true],
  ]
  for (const [name, datatype, value] of expected) {
    const metric = metricOf(birth.payload, name)
    assert.ok(metric, `DBIRTH lacks ${name}`)
    assert.deepEqual([metric.datatype, metric.value], [datatype, value], name)
  }
  assert.equal(metricOf(birth.payload, 'Tank/Temp')!.properties?.engUnit?.value, 'degC')
})

test('gateway modbus - refused addresses are null with Quality 0; the other tags keep updating', async () => {
  const birth = await firstBirth('Tank')
  const aliases = aliasesOf(birth.payload)
  for (const name of ['Refused/A', 'Refused/B']) {
    const metric = metricOf(birth.payload, name)!
    assert.equal(metric.isNull, true, name)
    assert.equal(metric.value, undefined, name)
    assert.equal(metric.properties?.Quality?.value, 0, name)
  }
  assert.equal(valueIn(birth.payload, 'After', aliases), 25) // the register right after the refused range still reads
  for (const level of [8, 9]) {
    const from = observer.messages.length
    await server.set(2, 'hr', 0, [level])
    await nextData('Tank', 'Level', from, (v) => v === level)
  }
  // Unchanged tags are left out (report by exception); whenever a refused one is sent, it is null.
  const refused = new Set(['Refused/A', 'Refused/B'].map((name) => aliases.get(name)))
  const numbers = observer.messages
    .filter((m) => m.deviceId === 'Tank' && m.type === 'DDATA')
    .flatMap((m) => m.payload.metrics.filter((x) => refused.has(x.alias) && (x.isNull !== true || x.value !== undefined)))
  assert.deepEqual(numbers.map((x) => String(x.value)), [], 'a refused tag never reported a number')
})

test('gateway modbus - DCMD writes a scaled holding register and a coil; the next DDATA carries the value read back', async () => {
  const aliases = aliasesOf((await firstBirth('Tank')).payload)
  assert.equal(valueIn(births('Tank').at(-1)!.payload, 'Setpoint', aliases), 200 * 0.1)
  let from = observer.messages.length
  await host.command(DCMD, [{ name: 'Setpoint', datatype: 'Double', value: 42.5 }])
  await nextData('Tank', 'Setpoint', from, (v) => v === 425 * 0.1)
  assert.deepEqual(await server.get(2, 'hr', 10, 1), [425])
  assert.match(await gateway.waitForLine(/command accepted.*metric=Setpoint/, T), /readBack=42.5/)

  from = observer.messages.length
  await host.command(DCMD, [{ name: 'Pump/Run', datatype: 'Boolean', value: true }])
  await nextData('Tank', 'Pump/Run', from, (v) => v === true)
  assert.deepEqual(await server.get(2, 'co', 0, 1), [1])
})

test('gateway modbus - a write above max is refused with an audit line; the register is unchanged', async () => {
  await firstBirth('Tank')
  const refusedBefore = gateway.output.filter((l) => l.includes('command refused')).length
  await host.command(DCMD, [{ name: 'Setpoint', datatype: 'Double', value: 150 }])
  const [line] = (await gateway.waitForLines(/command refused/, refusedBefore + 1, T)).slice(-1)
  assert.match(line!, /metric=Setpoint/)
  assert.deepEqual(await server.get(2, 'hr', 10, 1), [425])
})

test('gateway modbus - device stopped: tags go bad, then DDEATH; started again: DBIRTH with values', async () => {
  await Promise.all(['Golden', 'Tank', 'Csv'].map(firstBirth))
  const from = observer.messages.length
  await server.command({ cmd: 'stop' })
  const deaths = await Promise.all(['Golden', 'Tank', 'Csv'].map((id) =>
    observer.waitFor((m) => isAfter(m, from) && m.type === 'DDEATH' && m.deviceId === id, T)))
  const goldenDeath = observer.messages.indexOf(deaths[0]!)
  const bad = observer.messages.slice(from, goldenDeath).find((m) => m.type === 'DDATA' && m.deviceId === 'Golden')
  assert.ok(bad, 'Golden reported bad values before its DDEATH')
  for (const metric of bad.payload.metrics) {
    assert.equal(metric.isNull, true)
    assert.equal(metric.properties?.Quality?.value, 0)
  }
  const dead = Math.max(...deaths.map((d) => observer.messages.indexOf(d)))
  await server.command({ cmd: 'start' })
  const reborn = await observer.waitFor((m) => isAfter(m, dead + 1) && m.type === 'DBIRTH' && m.deviceId === 'Tank', T)
  assert.equal(metricOf(reborn.payload, 'Setpoint')!.value, 425 * 0.1)
  assert.equal(metricOf(reborn.payload, 'Refused/A')!.isNull, true)
  await observer.waitFor((m) => isAfter(m, dead + 1) && m.type === 'DBIRTH' && m.deviceId === 'Golden', T)
})
