/**
 * The OPC UA driver against a real node-opcua server (test/helpers/opcua-server-main.ts) on
 * 127.0.0.1. The server allows 4 monitored items and 5 nodes per call, so every test that opens
 * the driver also proves that items and reads go out in batches the server accepts.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { DriverError, type Reading } from '../../drivers/driver.js'
import { opcuaDriver, recordingLog, valueOf, watchReadings } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'
import { scalars } from '../helpers/opcua-values.js'

let server: OpcuaTestServer
before(async () => {
  server = await startOpcuaServer({ counterMs: 50 })
})
after(async () => {
  await server?.stop()
})

const expected: Readonly<Record<string, readonly [string, unknown]>> = {
  Boolean: ['Boolean', true], SByte: ['Int8', -5], Byte: ['UInt8', 200], Int16: ['Int16', -30000], UInt16: ['UInt16', 60000],
  Int32: ['Int32', -2000000000], UInt32: ['UInt32', 4000000000], Int64: ['Int64', -9007199254740993n],
  UInt64: ['UInt64', 18446744073709551615n], Float: ['Float', 1.5], Double: ['Double', 3.25], String: ['String', 'hello'],
  DateTime: ['DateTime', 1714979289123n], Guid: ['UUID', '72962B91-FA75-4AE6-8D28-B404DC7DAF63'],
  ByteString: ['Bytes', new Uint8Array([1, 2, 3])], LocalizedText: ['String', 'Boiler'], QualifiedName: ['String', '1:Q'],
  StatusCode: ['UInt32', 0x808c0000], XmlElement: ['String', '<a>1</a>'],
  DoubleArray: ['DoubleArray', [1.5, 2.5, 3.5]], Int32Array: ['Int32Array', [1, -2, 3]],
}
const names = Object.keys(expected)
const tag = (name: string, extra: Record<string, unknown> = {}) => ({ name, nodeId: `ns=1;s=${name}`, ...extra })

for (const mode of ['subscription', 'polling'] as const) {
  test(`${mode}: every built-in scalar and the arrays arrive with the server's types resolved at open`, async () => {
    assert.equal(scalars.length + 2, names.length, 'the table covers every variable of the test server')
    const driver = opcuaDriver({ endpoint: server.endpoint, mode }, names.map((n) => tag(n)))
    try {
      await driver.open()
      assert.deepEqual(driver.resolvedPoints().map((p) => [p.name, p.type]), names.map((n) => [n, expected[n][0]]))
      const readings = await driver.read(names)
      assert.deepEqual(readings.map((r) => [r.point, valueOf(r)]), names.map((n) => [n, expected[n][1]]))
    } finally {
      await driver.close()
    }
  })
}

test('a declared type wins: the birth types are known before open, and values convert to them', async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint }, [tag('Int16', { type: 'Double' }), tag('Int64', { type: 'Int64' }), tag('DoubleArray', { type: 'Double[]' })])
  try {
    assert.deepEqual(driver.points.map((p) => p.type), ['Double', 'Int64', 'DoubleArray'])
    await driver.open()
    assert.deepEqual((await driver.read(['Int16', 'Int64', 'DoubleArray'])).map(valueOf), [-30000, -9007199254740993n, [1.5, 2.5, 3.5]])
  } finally {
    await driver.close()
  }
})

test('a tag without type, for a caller that takes no resolved types, is text matching its String birth type', async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint }, [tag('Int64'), tag('DoubleArray')])
  try {
    assert.deepEqual(driver.points.map((p) => p.type), ['String', 'String'])
    await driver.open()
    assert.deepEqual((await driver.read(['Int64', 'DoubleArray'])).map(valueOf), ['-9007199254740993', '[1.5,2.5,3.5]'])
  } finally {
    await driver.close()
  }
})

test('a declared type that cannot hold the server value gives a bad reading naming both, not a wrapped number', async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint, mode: 'polling' }, [tag('UInt32', { type: 'Int16' })])
  try {
    await driver.open()
    const [reading] = await driver.read(['UInt32'])
    assert.ok('error' in reading)
    assert.equal(reading.error.kind, 'decode')
    assert.match(reading.error.message, /4000000000 does not fit Int16/)
  } finally {
    await driver.close()
  }
})

test('subscription: changes are pushed as they happen (Counter on the server timer)', async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint }, [tag('Counter')])
  const watched = watchReadings(driver)
  try {
    await driver.open()
    const first = await watched.until((r) => r.point === 'Counter' && 'value' in r, 'of Counter')
    const later = await watched.until((r) => 'value' in r && 'value' in first && Number(r.value) > Number(first.value), 'of a higher Counter')
    assert.ok('value' in later)
    assert.equal((await driver.read(['Counter']))[0].point, 'Counter')
  } finally {
    await driver.close()
  }
})

test('server-side deadband: absolute and percent of EURange suppress small changes, a raw item sees them', async () => {
  await server.set('Level', 10)
  const driver = opcuaDriver({ endpoint: server.endpoint }, [
    tag('Raw', { nodeId: 'ns=1;s=Level', samplingInterval: '0ms' }),
    tag('Absolute', { nodeId: 'ns=1;s=Level', deadband: 0.5, samplingInterval: '0ms' }),
    tag('Percent', { nodeId: 'ns=1;s=Level', deadbandPercent: 5, samplingInterval: '0ms' }),
  ])
  const watched = watchReadings(driver)
  const saw = (point: string, value: number) => (r: Reading) => r.point === point && 'value' in r && r.value === value
  try {
    await driver.open()
    for (const point of ['Raw', 'Absolute', 'Percent']) await watched.until(saw(point, 10), `${point} = 10`)
    await server.set('Level', 10.2)
    await watched.until(saw('Raw', 10.2), 'Raw = 10.2')
    await server.set('Level', 13)
    await watched.until(saw('Absolute', 13), 'Absolute = 13')
    await watched.until(saw('Raw', 13), 'Raw = 13')
    await server.set('Level', 16)
    for (const point of ['Raw', 'Absolute', 'Percent']) await watched.until(saw(point, 16), `${point} = 16`)
    const values = (point: string) => watched.seen.filter((r) => r.point === point).map(valueOf)
    assert.deepEqual(values('Raw'), [10, 10.2, 13, 16])
    assert.deepEqual(values('Absolute'), [10, 13, 16])
    assert.deepEqual(values('Percent'), [10, 16], 'EURange 0..100: 5 % is 5, so 13 (3 from 10) is not reported')
  } finally {
    await driver.close()
  }
})

for (const mode of ['subscription', 'polling'] as const) {
  test(`${mode}: Bad status -> a bad reading naming the status code; Uncertain -> the value marked uncertain`, async () => {
    const driver = opcuaDriver({ endpoint: server.endpoint, mode }, [tag('Status')])
    const watched = watchReadings(driver)
    const current = async (match: (r: Reading) => boolean, what: string): Promise<Reading> =>
      mode === 'polling' ? (await driver.read(['Status']))[0] : watched.until(match, what)
    try {
      await server.status('Status', 'Good')
      await driver.open()
      driver.resolvedPoints()
      await server.status('Status', 'Bad')
      const bad = await current((r) => 'error' in r, 'bad')
      assert.ok('error' in bad, 'a bad value is never published as a number')
      assert.match(bad.error.message, /BadSensorFailure \(0x808c0000\)/)
      await server.status('Status', 'Uncertain')
      const uncertain = await current((r) => 'value' in r && (r as { quality?: string }).quality === 'uncertain', 'uncertain')
      assert.equal(valueOf(uncertain), 1)
      assert.equal((uncertain as { quality?: string }).quality, 'uncertain')
      await server.status('Status', 'Good')
      const good = await current((r) => 'value' in r && (r as { quality?: string }).quality === undefined && watched.seen.indexOf(r) > watched.seen.indexOf(uncertain), 'good again')
      assert.equal(valueOf(good), 1)
    } finally {
      await server.status('Status', 'Good')
      await driver.close()
    }
  })
}

test('a node the server does not know goes bad alone; the other tags read', async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint }, [tag('Double'), tag('Missing', { nodeId: 'ns=1;s=NoSuchNode', type: 'Double' })])
  try {
    await driver.open()
    driver.resolvedPoints()
    const [good, missing] = await driver.read(['Double', 'Missing'])
    assert.equal(valueOf(good), 3.25)
    assert.ok('error' in missing)
    assert.equal(missing.error.kind, 'rejected')
    assert.match(missing.error.message, /ns=1;s=NoSuchNode: BadNodeIdUnknown/)
  } finally {
    await driver.close()
  }
})

test("writes use the node's data type and change the server's value; refusals carry the reason or status code", async () => {
  const driver = opcuaDriver({ endpoint: server.endpoint, mode: 'polling' }, [
    tag('Setpoint', { writable: true }), tag('WritableInt16', { writable: true }), tag('Double', { writable: true }), tag('String'),
  ])
  try {
    await driver.open()
    driver.resolvedPoints()
    await driver.write('Setpoint', 42.5)
    assert.equal(await server.get('Setpoint'), 42.5)
    assert.equal(valueOf((await driver.read(['Setpoint']))[0]), 42.5)
    await driver.write('WritableInt16', -3)
    assert.equal(await server.get('WritableInt16'), -3)
    await assert.rejects(driver.write('WritableInt16', 40000), (e: DriverError) => e.kind === 'rejected' && /Int16.*40000 does not fit Int16/.test(e.message))
    assert.equal(await server.get('WritableInt16'), -3)
    await assert.rejects(driver.write('Double', 1), (e: DriverError) => e.kind === 'rejected' && /BadNotWritable \(0x803b0000\)|BadUserAccessDenied/.test(e.message))
    await assert.rejects(driver.write('String', 'x'), (e: DriverError) => e.kind === 'rejected' && /not writable/.test(e.message))
  } finally {
    await driver.close()
  }
})

test('server stopped: the loss is reported and read fails; after a restart a reopened driver reads again', async () => {
  const own = await startOpcuaServer({ counterMs: 50 })
  const log = recordingLog()
  const driver = opcuaDriver({ endpoint: own.endpoint, timeout: '2s' }, [tag('Counter'), tag('Double')], log)
  try {
    const watched = watchReadings(driver)
    await driver.open()
    assert.equal(valueOf((await driver.read(['Double']))[0]), 3.25)
    await own.stop()
    const lost = await watched.lost()
    assert.ok(lost instanceof DriverError && (lost.kind === 'connection' || lost.kind === 'timeout'))
    await assert.rejects(driver.read(['Counter', 'Double']), (e: DriverError) => e.kind === 'connection' || e.kind === 'timeout')
    await driver.close()
    await assert.rejects(driver.open(), (e: DriverError) => e.kind === 'connection' || e.kind === 'timeout')
    await own.restart()
    const mark = watched.seen.length
    await driver.open()
    assert.equal(valueOf((await driver.read(['Double']))[0]), 3.25)
    const resumed = await watched.until((r) => r.point === 'Counter' && 'value' in r && watched.seen.indexOf(r) >= mark && Number(r.value) > 1, 'Counter counting after restart')
    assert.ok('value' in resumed)
  } finally {
    await driver.close()
    await own.stop()
  }
})

test('browse is bounded: --depth stops above the variables, --max-nodes stops the walk and says so', async () => {
  const { browseServer } = await import('../../drivers/opcua/browse.js')
  const { opcuaModule } = await import('../../drivers/opcua/index.js')
  const parsed = opcuaModule.parse({ driver: 'opcua', connection: { endpoint: server.endpoint, pkiDir: mkdtempSync(join(tmpdir(), 'opcua-browse-')) }, tags: [] }, [])
  assert.ok(parsed.ok)
  const log = recordingLog()
  const shallow = await browseServer(parsed.value, { root: 'i=85', depth: 1, maxNodes: 1000 }, log)
  assert.deepEqual(shallow.tags, [], 'the Plant variables sit two levels below Objects')
  const full = await browseServer(parsed.value, { root: 'ns=1;s=Plant', depth: 1, maxNodes: 1000 }, log)
  assert.equal(full.tags.length, 26)
  assert.deepEqual(full.tags.find((t) => t.name === 'Setpoint'), { name: 'Setpoint', nodeId: 'ns=1;s=Setpoint', type: 'Double', writable: true })
  const cut = await browseServer(parsed.value, { root: 'ns=1;s=Plant', depth: 1, maxNodes: 5 }, log)
  assert.equal(cut.truncated, true)
  assert.equal(cut.tags.length, 4, 'the root counts as one of the 5 nodes')
  assert.ok(log.lines.some((l) => l.level === 'warn' && /node limit/.test(l.message)))
})
