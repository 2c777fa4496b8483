import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Sequence } from '../../../gateway/pump/sequence.js'

// Publishes one message as the pump does: peek, then commit once the message is encoded.
function send(seq: Sequence, kind: 'NBIRTH' | 'other'): number {
  const n = seq.peek(kind)
  seq.commit(n)
  return n
}

test('sequence - NBIRTH gets 0 (tck-id topics-nbirth-seq-num)', () => {
  const seq = new Sequence()
  assert.equal(seq.peek('NBIRTH'), 0)
  for (let i = 0; i < 10; i++) send(seq, 'other')
  assert.equal(seq.peek('NBIRTH'), 0)
})

test('sequence - each message after NBIRTH counts up by one (tck-id payloads-sequence-num-incrementing)', () => {
  const seq = new Sequence()
  const got = [send(seq, 'NBIRTH'), send(seq, 'other'), send(seq, 'other'), send(seq, 'other')]
  assert.deepEqual(got, [0, 1, 2, 3])
})

test('sequence - 255 wraps to 0 (tck-id payloads-ddata-seq-inc)', () => {
  const seq = new Sequence()
  send(seq, 'NBIRTH')
  const got: number[] = []
  for (let i = 0; i < 300; i++) got.push(send(seq, 'other'))
  assert.equal(got[254], 255)
  assert.equal(got[255], 0)
  assert.equal(got[256], 1)
  assert.ok(got.every((n) => n >= 0 && n <= 255))
})

test('sequence - a rebirth restarts the count at 0 and continues from 1', () => {
  const seq = new Sequence()
  send(seq, 'NBIRTH')
  for (let i = 0; i < 41; i++) send(seq, 'other')
  assert.equal(send(seq, 'NBIRTH'), 0)
  assert.equal(send(seq, 'other'), 1)
})

test('sequence - a number peeked but not committed is given again, so a failed encode leaves no gap', () => {
  const seq = new Sequence()
  send(seq, 'NBIRTH')
  assert.equal(seq.peek('other'), 1)
  assert.equal(seq.peek('other'), 1)
  assert.equal(send(seq, 'other'), 1)
  assert.equal(seq.peek('other'), 2)
})
