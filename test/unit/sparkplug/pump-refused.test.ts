import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodePayload } from '../../../gateway/sparkplug/codec.js'
import { UndeliverableError } from '../../../gateway/upstream/upstream.js'
import type { SeenMessage } from '../../helpers/fake-upstream.js'
import { onceBorn, pumpRig as rig, whileRunning } from '../../helpers/pump-rig.js'

const tooLarge = () => new UndeliverableError('over the broker limit', 'the broker refuses messages this large: raise its limit')
const counts = (m: SeenMessage) => decodePayload(m.payload).metrics.map((x) => Number(x.value))
/** A broker that takes anything but a DDATA carrying Count 666 or 667 (as if those were too large). */
const refuseBig = (m: SeenMessage) => (m.topic.includes('/DDATA/') && counts(m).some((v) => v >= 666) ? tooLarge() : undefined)

test('pump - a data row the server refuses for good leaves the buffer counted as dropped, once alone: rows that shared its payload and the rows behind it are delivered, one line per reason, one session', async () => {
  const { upstream, pump, add, outbox, log } = rig()
  upstream.refuse = refuseBig
  const alone = (value: number) => upstream.calls.waitFor((c) => c.kind === 'publish' && counts(c.message).join() === String(value), 5000)
  await onceBorn(pump, upstream, async () => {
    // Added at once, before the pump looks: one payload holds all four, and the server refuses it whole.
    for (const [i, value] of [1, 2, 666, 3].entries()) add(value, 1000 + i)
    await alone(3)
    add(667, 2000)
    add(4, 2001)
    await alone(4)
  })
  assert.ok(publishes(upstream).some((m) => counts(m).join() === '1,2,666,3'), 'the four shared a payload first')
  assert.equal(outbox.stats().records, 0, 'nothing is left in the buffer')
  assert.equal(outbox.stats().dropped, 2, 'the two rows refused alone are counted as dropped')
  const delivered = publishes(upstream).filter((m) => m.topic.includes('/DDATA/') && refuseBig(m) === undefined).flatMap(counts)
  assert.deepEqual(delivered.sort((a, b) => a - b), [1, 2, 3, 4], 'every row but the two refused alone, each once')
  const lines = log.lines.items.filter((l) => /refuses this message for good/.test(l.message))
  assert.equal(lines.length, 1, 'one line for the reason, not one per row')
  assert.equal(lines[0]!.fields.topic, 'spBv1.0/Plant/DDATA/Edge1/Boiler1')
  assert.ok(log.lines.items.some((l) => /more messages refused for good/.test(l.message) && l.fields.rows === 1), 'the later drop is in the summary written at the end of the session')
  assert.equal(upstream.connects().length, 1, 'the session stays')
})

test('pump - a birth the server refuses for good is not dropped: births are sent again with backoff in the same session, the error is logged once; once the server takes it, data flows', async () => {
  const { upstream, pump, add, log } = rig()
  let refusing = true
  upstream.refuse = (m) => (refusing && m.topic.includes('/DBIRTH/') ? tooLarge() : undefined)
  await whileRunning(pump, async () => {
    await upstream.waitForPublish('DBIRTH', 3)
    refusing = false
    await log.lines.waitFor((l) => /takes the refused birth now/.test(l.message), 5000)
    add(5, 1000)
    await upstream.waitForPublish('DDATA', 1)
  })
  const errors = log.lines.items.filter((l) => /refuses a birth for good/.test(l.message))
  assert.equal(errors.length, 1, 'said once, not at every retry')
  assert.equal(errors[0]!.level, 'error')
  assert.match(String(errors[0]!.fields.reason), /raise its limit/)
  assert.ok(upstream.published().filter((p) => p.type === 'NBIRTH').length >= 3, 'the births are sent again')
  assert.equal(upstream.connects().length, 1, 'in the same session: one bdSeq')
})

function publishes(upstream: ReturnType<typeof rig>['upstream']): SeenMessage[] {
  return upstream.calls.items.flatMap((c) => (c.kind === 'publish' ? [c.message] : []))
}
