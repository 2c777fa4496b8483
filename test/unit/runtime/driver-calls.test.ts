import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DriverError } from '../../../drivers/driver.js'
import { DriverCalls, PollDeadline } from '../../../gateway/runtime/driver-calls.js'
import { ManualClock } from '../../helpers/manual-clock.js'

/** A driver call that returns when the test says. */
function pending<T>() {
  let settle: (value: T) => void = () => {}
  const promise = new Promise<T>((resolve) => (settle = resolve))
  return { promise, settle }
}

test('poll deadline - each wait of the loop promises its end to the watchdog', async () => {
  const clock = new ManualClock()
  const deadline = new PollDeadline(clock)
  assert.equal(deadline.dueBy(), clock.now())
  const waited = deadline.clock.sleep(250)
  assert.equal(deadline.dueBy(), clock.now() + 250)
  clock.advance(250)
  await waited
  assert.equal(deadline.dueBy(), clock.now(), 'a loop that does not turn again after its wait is past its deadline')
})

test('driver calls - a call that answers in time resolves with its answer; the deadline covers the call limit', async () => {
  const clock = new ManualClock()
  const deadline = new PollDeadline(clock)
  const calls = new DriverCalls(1000, deadline, () => assert.fail('no call outlived its limit'))
  const read = pending<number>()
  const answer = calls.call(() => read.promise)
  assert.equal(deadline.dueBy(), clock.now() + 1000)
  read.settle(7)
  assert.equal(await answer, 7)
  assert.equal(calls.stillRunning, null)
  clock.advance(1000)
})

test('driver calls - a call past its limit fails as a timeout and is held until it returns, then the loop is told', async () => {
  const clock = new ManualClock()
  let returned = 0
  const calls = new DriverCalls(1000, new PollDeadline(clock), () => returned++)
  const read = pending<number>()
  const answer = calls.call(() => read.promise)
  clock.advance(999)
  assert.equal(calls.stillRunning, null)
  clock.advance(1)
  await assert.rejects(answer, (error) => error instanceof DriverError && error.kind === 'timeout' && error.message === 'driver did not answer within 1000 ms')
  const running = calls.stillRunning
  assert.ok(running !== null, 'the driver may still be inside the call')
  assert.equal(returned, 0)
  read.settle(7)
  await running
  assert.equal(calls.stillRunning, null)
  assert.equal(returned, 1)
})

test('driver calls - a call that fails in time fails with its own error, not a timeout', async () => {
  const clock = new ManualClock()
  const calls = new DriverCalls(1000, new PollDeadline(clock), () => assert.fail('no call outlived its limit'))
  await assert.rejects(
    calls.call(() => Promise.reject(new DriverError('connection', 'ECONNREFUSED'))),
    (error) => error instanceof DriverError && error.kind === 'connection',
  )
  clock.advance(1000)
  assert.equal(calls.stillRunning, null)
})
