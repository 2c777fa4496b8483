import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DriverError, type Reading } from '../../../drivers/driver.js'
import type { TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { createMemoryOutbox } from '../../../gateway/outbox/memory-outbox.js'
import { compileDerived } from '../../../gateway/derive/compile.js'
import { derivedTagDefs } from '../../../gateway/normalise/derived.js'
import type { DerivedTagConfig } from '../../../gateway/config/types.js'
import { OnlineState } from '../../../gateway/runtime/online-state.js'
import { NodeState } from '../../../gateway/node/node-state.js'
import { Recorder } from '../../../gateway/node/recorder.js'
import { recordingLog } from '../../helpers/fake-upstream.js'
import { ManualClock } from '../../helpers/manual-clock.js'

const configs: TagConfig[] = ['Level', 'Flow'].map((name) => ({ name, pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0 }))
const tags = tagDefs(configs, [
  { name: 'Level', type: 'Int32' },
  { name: 'Flow', type: 'Int32' },
])

/** A device Tank (offline after 3 failed scans) whose births and deaths are recorded; `live` says whether a session would announce them. */
function rig(live = true) {
  const clock = new ManualClock()
  const session = new NodeState([], [{ deviceId: 'Tank', tags }])
  const outbox = createMemoryOutbox()
  const changes: string[] = []
  let notified = 0
  const recorder = new Recorder(session, outbox, {
    notify: () => notified++,
    deviceChanged: (id: string, online: boolean) => (changes.push(`${id} ${online ? 'DBIRTH' : 'DDEATH'}`), live),
    definitionsChanged: () => {},
  })
  const log = recordingLog()
  const state = new OnlineState({ deviceId: 'Tank', offlineAfter: 3 }, tags, recorder, log, clock)
  const read = (level: number, flow = 1): Reading[] => [
    { point: 'Level', at: clock.now(), value: level },
    { point: 'Flow', at: clock.now(), value: flow },
  ]
  const buffered = () => outbox.peek(100).map((r) => r.metrics.map((m) => `${m.name}=${m.value}`).join(' '))
  return { clock, session, outbox, state, changes, notified: () => notified, log, read, buffered }
}

const lost = new DriverError('connection', 'ECONNRESET')

test('online state - the first good scan is the birth: with a live session the DBIRTH carries the values, later scans are data', () => {
  const { state, session, changes, read, buffered, notified } = rig()
  state.scanned(read(5), 12)
  assert.deepEqual(changes, ['Tank DBIRTH'])
  assert.ok(session.isOnline('Tank'))
  assert.equal(session.lastValue('Tank', 'Level'), 5)
  assert.deepEqual(buffered(), [], 'the values travel in the DBIRTH')
  state.scanned(read(6), 11)
  assert.deepEqual(buffered(), ['Level=6'], 'an unchanged Flow is not sent again')
  assert.equal(notified(), 1)
  assert.deepEqual(state.stats(), { online: true, scans: 2, failedScans: 0, timeouts: 0, lastScanMs: 11, lastError: null })
})

test('online state - a birth without a live session keeps its values as history in the buffer', () => {
  const { state, read, buffered, notified } = rig(false)
  state.answered(read(5))
  assert.deepEqual(buffered(), ['Level=5 Flow=1'])
  assert.equal(notified(), 1)
})

test('online state - failed scans mark the points read bad until offlineAfter, then the device dies (DDEATH) and its next answer is a rebirth', () => {
  const { state, session, changes, read, buffered, clock, log } = rig()
  state.answered(read(5))
  clock.advance(100)
  assert.equal(state.failed(lost, ['Level']), 'connection')
  assert.equal(state.failed(new DriverError('timeout', 'no answer'), ['Flow']), 'timeout')
  assert.deepEqual(buffered(), ['Level=null', 'Flow=null'])
  assert.equal(changes.length, 1, 'still online after 2 of 3 failures')
  state.failed(lost, ['Level'])
  assert.deepEqual(changes, ['Tank DBIRTH', 'Tank DDEATH'])
  assert.equal(session.isOnline('Tank'), false)
  assert.equal(buffered().length, 2, 'the failure that kills the device reports no bad values: the DDEATH says it')
  state.failed(lost, ['Level'])
  assert.equal(changes.length, 2, 'a dead device dies once')
  state.answered(read(6))
  assert.deepEqual(changes, ['Tank DBIRTH', 'Tank DDEATH', 'Tank DBIRTH'])
  assert.deepEqual(state.stats(), { online: true, scans: 0, failedScans: 4, timeouts: 1, lastScanMs: 0, lastError: null })
  const said = log.lines.items.map((l) => `${l.level} ${l.message}`)
  assert.deepEqual(said, ['info device online', 'warn device not answering', 'warn device offline', 'info device answering again', 'info device online'])
})

test('online state - bad values carry the time of the failure from the clock', () => {
  const { state, read, clock, outbox } = rig()
  state.answered(read(5))
  clock.advance(2500)
  state.failed(lost, ['Flow'])
  const [record] = outbox.peek(10)
  assert.deepEqual(record?.metrics.map((m) => [m.name, m.value, m.at]), [['Flow', null, clock.now()]])
})

test('online state - a good answer between failures starts the count toward offlineAfter over', () => {
  const { state, changes, read } = rig()
  state.answered(read(5))
  state.failed(lost, ['Level'])
  state.failed(lost, ['Level'])
  state.answered(read(5))
  state.failed(lost, ['Level'])
  state.failed(lost, ['Level'])
  assert.deepEqual(changes, ['Tank DBIRTH'])
})

test('online state - new types from the device: an online device dies and is declared again, born with its next reading', () => {
  const { state, session, changes, read } = rig()
  state.answered(read(5))
  const retyped = tagDefs(configs, [
    { name: 'Level', type: 'Float' },
    { name: 'Flow', type: 'Int32' },
  ])
  state.retyped(retyped)
  assert.deepEqual(changes, ['Tank DBIRTH', 'Tank DDEATH'])
  assert.equal(session.isOnline('Tank'), false)
  assert.equal(session.lookup('Tank', 'Level')?.type, 'Float')
  state.answered(read(5))
  assert.deepEqual(changes, ['Tank DBIRTH', 'Tank DDEATH', 'Tank DBIRTH'])
})

test('online state - a written tag reports its read-back even when it did not change', () => {
  const { state, read, buffered } = rig()
  state.answered(read(5))
  state.report(read(5))
  assert.deepEqual(buffered(), [])
  state.written('Level')
  state.report(read(5))
  assert.deepEqual(buffered(), ['Level=5'])
  assert.equal(state.lastValue('Level'), 5)
})

test('online state - a device that is offline buffers nothing when its scans fail: a host has no birth for its data', () => {
  const { state, read, buffered, changes } = rig()
  state.failed(lost, ['Level', 'Flow'])
  assert.deepEqual(buffered(), [], 'never answered')
  state.answered(read(5))
  for (let n = 0; n < 3; n++) state.failed(lost, ['Level'])
  assert.deepEqual(changes, ['Tank DBIRTH', 'Tank DDEATH'])
  const atDeath = buffered()
  state.failed(lost, ['Level', 'Flow'])
  assert.deepEqual(buffered(), atDeath, 'dead')
})

test('online state - the log says why the device stopped answering and how many scans failed', () => {
  const { state, read, log } = rig()
  state.answered(read(5))
  for (let n = 0; n < 3; n++) state.failed(new DriverError('timeout', 'no answer within 500 ms'), ['Level'])
  state.answered(read(6))
  const said = log.lines.items.filter((l) => l.message !== 'device online').map((l) => [l.message, l.fields])
  assert.deepEqual(said, [
    ['device not answering', { error: 'no answer within 500 ms', kind: 'timeout' }],
    ['device offline', { failedScans: 3 }],
    ['device answering again', { failedScans: 3 }],
  ])
})

test('online state - a derived tag reading a node metric is born with its value and follows it at the next scan', () => {
  const clock = new ManualClock()
  const records = { name: 'Gateway/Buffer/Records', type: 'Int64', value: 0n, aliased: true, writable: false } as const
  const sources = [
    { name: 'Tank/Backlog', expression: '{Level} + {node:Gateway/Buffer/Records}' },
    { name: 'Tank/Buffering', expression: '{node:Gateway/Buffer/Records} > 6' },
  ]
  const compiled = compileDerived(sources, new Map([['Level', 'number'], ['node:Gateway/Buffer/Records', 'number']]), () => '')
  assert.deepEqual(compiled.errors, [])
  const derived: DerivedTagConfig[] = sources.map((s, i) => ({ ...s, ...compiled.tags[i]!, sparkplugType: i === 0 ? 'Double' : 'Boolean', deadband: 0 }))
  const session = new NodeState([records], [{ deviceId: 'Tank', tags: [...tags, ...derivedTagDefs(derived, 1000)] }])
  const outbox = createMemoryOutbox()
  const recorder = new Recorder(session, outbox, { notify: () => {}, deviceChanged: () => true, definitionsChanged: () => {} })
  recorder.initial(null, [{ name: records.name, type: 'Int64', value: 5n, at: 100 }])
  const state = new OnlineState({ deviceId: 'Tank', offlineAfter: 3, derived, pollMs: 1000 }, tags, recorder, recordingLog(), clock)
  state.scanned([{ point: 'Level', at: 1000, value: 10 }], 1)
  assert.equal(session.lastValue('Tank', 'Tank/Backlog'), 15, 'DBIRTH carries Level + the node metric')
  assert.equal(session.lastValue('Tank', 'Tank/Buffering'), false)
  recorder.data(null, [{ name: records.name, type: 'Int64', value: 7n, at: 1500 }])
  state.scanned([{ point: 'Level', at: 2000, value: 10 }], 1)
  const sent = outbox.peek(10).filter((r) => r.deviceId === 'Tank').flatMap((r) => r.metrics.map((m) => `${m.name}=${m.value}@${m.at}`))
  assert.deepEqual(sent, ['Tank/Backlog=17@2000', 'Tank/Buffering=true@1500'], 'evaluated again with the new node metric, stamped with its time')
  recorder.data(null, [{ name: records.name, type: 'Int64', value: null, at: 2500 }])
  state.scanned([{ point: 'Level', at: 3000, value: 10 }], 1)
  assert.equal(session.lastValue('Tank', 'Tank/Backlog'), null, 'a bad node metric makes the derived tag bad')
})

test('online state - the last failure is kept in words (at most 200 characters) until the next good scan', () => {
  const { state, read } = rig()
  state.failed(new DriverError('connection', 'connection refused 127.0.0.1:5020'), ['Level'])
  assert.equal(state.stats().lastError, 'connection refused 127.0.0.1:5020')
  state.failed(new DriverError('timeout', 'x'.repeat(500)), ['Level'])
  assert.equal(state.stats().lastError, 'x'.repeat(200))
  state.scanned(read(5), 12)
  assert.equal(state.stats().lastError, null)
})
