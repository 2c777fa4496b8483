import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { test } from 'node:test'
import { Backoff, delay } from '../../../gateway/base/backoff.js'

const fixed = (r: number) => () => r
/** Lets every already-resolved promise chain run (setImmediate is not mocked here). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve))

test('backoff - without jitter the delay doubles from min up to max and stays there', () => {
  const backoff = new Backoff(100, 1000, fixed(0.5))
  const delays = Array.from({ length: 8 }, () => backoff.next())
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000, 1000])
})

test('backoff - jitter spreads each delay over 80 % to 120 % of its step', () => {
  assert.deepEqual([new Backoff(1000, 60_000, fixed(0)).next(), new Backoff(1000, 60_000, fixed(0.999999)).next()], [800, 1200])
  const low = new Backoff(1000, 60_000, fixed(0))
  low.next()
  assert.equal(low.next(), 1600)
})

test('backoff - the delay never exceeds max, whatever the jitter (max is the documented longest delay)', () => {
  for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
    const backoff = new Backoff(1000, 30_000, fixed(r))
    const delays = Array.from({ length: 12 }, () => backoff.next())
    assert.ok(delays.every((d) => d <= 30_000), `random ${r}: ${delays.join(', ')}`)
    assert.ok(delays[11]! >= 24_000, `random ${r} still jitters below max: ${delays[11]}`)
  }
})

test('backoff - many attempts do not overflow', () => {
  const backoff = new Backoff(1, 5000, fixed(0.5))
  for (let i = 0; i < 10_000; i++) backoff.next()
  assert.equal(backoff.next(), 5000)
})

test('backoff - reset() starts again from min', () => {
  const backoff = new Backoff(100, 1000, fixed(0.5))
  for (let i = 0; i < 5; i++) backoff.next()
  backoff.reset()
  assert.equal(backoff.next(), 100)
  assert.equal(backoff.next(), 200)
})

test('backoff - delay() resolves at once when the signal is already aborted', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  let done = false
  void delay(60_000, AbortSignal.abort()).then(() => (done = true))
  // The timers are mocked and never advanced: only an immediate resolve sets `done` by now.
  await settled()
  assert.equal(done, true)
})

test('backoff - delay() resolves early on abort and leaves no listener behind', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const controller = new AbortController()
  let done = false
  const pending = delay(60_000, controller.signal).then(() => (done = true))
  t.mock.timers.tick(59_000)
  await Promise.resolve()
  assert.equal(done, false)
  controller.abort()
  await settled()
  assert.equal(done, true, 'resolved by the abort, with 1 s of the delay left')
  await pending
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})

test('backoff - delay() resolves after ms and removes its abort listener', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const controller = new AbortController()
  const pending = delay(1000, controller.signal)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  t.mock.timers.tick(1000)
  await pending
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})
