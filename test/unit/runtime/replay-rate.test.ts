import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ReplayRate, REPLAY_RATE_WINDOW_MS } from '../../../gateway/runtime/replay-rate.js'

// Samples of the running total of replayed metrics, every 10 s as the buffer sampler takes them.
const STEP = 10_000

test('replay rate - 0 before there are two samples, and while nothing is replayed', () => {
  const rate = new ReplayRate()
  assert.equal(rate.current, 0)
  assert.equal(rate.sample(500, 0), 0, 'one sample: no interval yet')
  assert.equal(rate.sample(500, STEP), 0)
})

test('replay rate - a steady replay shows its metrics per second, to one decimal', () => {
  const rate = new ReplayRate()
  let total = 0
  rate.sample(total, 0)
  for (let i = 1; i <= 10; i++) rate.sample((total += 123), i * STEP)
  assert.equal(rate.current, 12.3)
})

test(`replay rate - over the last ${REPLAY_RATE_WINDOW_MS / 1000} s: a burst counts while in the window and is 0 once out of it`, () => {
  const rate = new ReplayRate()
  rate.sample(0, 0)
  assert.equal(rate.sample(300, STEP), 30)
  assert.equal(rate.sample(300, 2 * STEP), 15)
  assert.equal(rate.sample(300, 3 * STEP), 10)
  assert.equal(rate.sample(300, 4 * STEP), 0, 'the burst is older than the window')
  assert.equal(rate.current, 0)
})

test('replay rate - a day of samples keeps the window, not the day', () => {
  const rate = new ReplayRate()
  for (let i = 0; i <= 8640; i++) rate.sample(i * 20, i * STEP)
  assert.equal(rate.current, 2)
  assert.ok(rate.samplesHeld <= REPLAY_RATE_WINDOW_MS / STEP + 1, `${rate.samplesHeld} samples held`)
})
