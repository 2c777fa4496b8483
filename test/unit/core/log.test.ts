import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { createLog, silentLog } from '../../../gateway/runtime/log.js'

// Captures what the logger writes to stdout and stderr during the test.
function capture(t: TestContext): { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  t.mock.method(process.stdout, 'write', (chunk: string) => out.push(chunk) > 0)
  t.mock.method(process.stderr, 'write', (chunk: string) => err.push(chunk) > 0)
  return { out, err }
}

test('log - under the journal each line starts with its syslog priority and has no timestamp', (t) => {
  const { out, err } = capture(t)
  const log = createLog({ level: 'debug', journal: true })
  log.debug('d')
  log.info('device online')
  log.warn('w')
  log.error('e')
  assert.deepEqual(out, ['<7>d\n', '<6>device online\n'])
  assert.deepEqual(err, ['<4>w\n', '<3>e\n'])
})

test('log - outside the journal a line carries an ISO timestamp and the level', (t) => {
  const { out, err } = capture(t)
  const log = createLog({ level: 'info', journal: false })
  log.info('started', { port: 1883 })
  log.error('failed')
  assert.match(out[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  started port=1883\n$/)
  assert.match(err[0]!, /^\S+Z ERROR failed\n$/)
})

test('log - lines below the configured level are dropped', (t) => {
  const { out, err } = capture(t)
  const log = createLog({ level: 'warn', journal: true })
  log.debug('d')
  log.info('i')
  log.warn('w')
  log.error('e')
  assert.deepEqual(out, [])
  assert.deepEqual(err, ['<4>w\n', '<3>e\n'])
})

test('log - fields are key=value; values with spaces, quotes, = or nothing are JSON-quoted', (t) => {
  const { out } = capture(t)
  createLog({ level: 'info', journal: true }).info('m', {
    plain: 'Boiler1', spaced: 'Pump 2', quoted: 'say "hi"', eq: 'a=b', empty: '', line: 'a\nb',
    n: 1.5, big: 2n ** 64n, yes: true, none: null, skipped: undefined,
  })
  assert.equal(out[0], '<6>m plain=Boiler1 spaced="Pump 2" quoted="say \\"hi\\"" eq="a=b" empty="" line="a\\nb" n=1.5 big=18446744073709551616 yes=true none=null\n')
})

test('log - control characters in a message, key or value cannot end the line or forge another', (t) => {
  const { out, err } = capture(t)
  const log = createLog({ level: 'info', journal: true })
  log.warn('device Boiler\r\n<3>forged failed', { 'k\ney': 'x', device: 'B\x1b[2J', nel: 'a\u0085b', ls: 'a\u2028b', del: 'a\x7fb', bs: 'a\\nb' })
  log.info('tab\there')
  assert.deepEqual(err, ['<4>device Boiler\\r\\n<3>forged failed k\\ney=x device="B\\u001b[2J" nel="a\\u0085b" ls="a\\u2028b" del="a\\u007fb" bs="a\\\\nb"\n'])
  assert.deepEqual(out, ['<6>tab\\there\n'])
})

test('log - a child adds its fields to every line; a call can override them', (t) => {
  const { out } = capture(t)
  const child = createLog({ level: 'info', journal: true, fields: { app: 'gw' } }).child({ device: 'Boiler1' })
  child.info('read', { ms: 12 })
  child.info('moved', { device: 'Boiler2' })
  child.debug('hidden')
  assert.deepEqual(out, ['<6>read app=gw device=Boiler1 ms=12\n', '<6>moved app=gw device=Boiler2\n'])
})

test('log - JOURNAL_STREAM in the environment selects the journal format', (t) => {
  const { out } = capture(t)
  const saved = process.env.JOURNAL_STREAM
  process.env.JOURNAL_STREAM = '8:12345'
  t.after(() => {
    if (saved === undefined) delete process.env.JOURNAL_STREAM
    else process.env.JOURNAL_STREAM = saved
  })
  createLog({ level: 'info' }).info('x')
  assert.deepEqual(out, ['<6>x\n'])
})

test('log - silentLog writes nothing, also through children', (t) => {
  const { out, err } = capture(t)
  silentLog.error('e')
  silentLog.child({ a: 1 }).warn('w')
  assert.deepEqual([out, err], [[], []])
})

test('log - the last 20 warn and error lines of a logger and its children are kept, with their device and fields', (t) => {
  capture(t)
  const log = createLog({ level: 'error', journal: true })
  const boiler = log.child({ device: 'Boiler1' })
  log.info('not kept')
  boiler.warn('device not answering', { error: 'connection refused 127.0.0.1:502' })
  const [line] = log.recentWarnings?.() ?? []
  assert.equal(line?.level, 'warn', 'kept although below the level written')
  assert.equal(line?.device, 'Boiler1')
  assert.equal(line?.message, 'device not answering error="connection refused 127.0.0.1:502"')
  assert.ok(Math.abs((line?.at ?? 0) - Date.now()) < 60_000)
  for (let n = 0; n < 30; n++) log.error(`e${n}`, { detail: 'x'.repeat(400) })
  const kept = boiler.recentWarnings?.() ?? []
  assert.equal(kept.length, 20)
  assert.equal(kept[0]?.message.slice(0, 4), 'e10 ')
  assert.equal(kept[19]?.device, null)
  assert.ok(kept.every((w) => w.message.length <= 300))
})

test('log - a warning that repeats keeps one line, the newest, with how often it came: a retrying upstream cannot push the line of a device out', (t) => {
  capture(t)
  const log = createLog({ level: 'error', journal: true })
  log.child({ device: 'Dark1' }).warn('device not answering', { error: 'refused' })
  for (let n = 0; n < 50; n++) log.warn('cannot connect upstream', { server: 'mqtt://127.0.0.1:1883' })
  const kept = log.recentWarnings?.() ?? []
  assert.deepEqual(kept.map((w) => [w.device, w.message.split(' ')[0], w.repeated]), [['Dark1', 'device', 1], [null, 'cannot', 50]])
})
