import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CommandAudit, REFUSED_LINES_PER_INTERVAL, REFUSED_SUMMARY_INTERVAL_MS } from '../../../gateway/runtime/audit.js'
import { recordingLog } from '../../helpers/fake-upstream.js'
import { ManualClock } from '../../helpers/manual-clock.js'

const T = 5_000

function rig() {
  const log = recordingLog()
  const clock = new ManualClock()
  const audit = new CommandAudit(log, { valueLength: 200, clock })
  const lines = (message: string) => log.lines.items.filter((l) => l.message === message)
  const summary = (count: number) => log.lines.waitForCount((l) => l.message === 'more commands refused', count, T)
  return { log, clock, audit, lines, summary }
}

const refusal = (i: number) => ({ topic: 'spBv1.0/Plant1/DCMD/Line3-GW/Boiler1', metric: 'Setpoint', reason: `bad value ${i}` })

test('audit - a flood of refused commands: the first lines of an interval, then one line saying how many more', async () => {
  const { clock, audit, lines, summary } = rig()
  for (let i = 0; i < 1000; i++) audit.onRefused(refusal(i))
  assert.equal(lines('command refused').length, REFUSED_LINES_PER_INTERVAL)
  assert.equal(audit.counts().refused, 1000, 'every refusal is counted')
  assert.equal(lines('more commands refused').length, 0)
  clock.advance(REFUSED_SUMMARY_INTERVAL_MS)
  const [line] = await summary(1)
  assert.equal(line!.level, 'warn')
  assert.equal(line!.fields.more, 1000 - REFUSED_LINES_PER_INTERVAL)
  assert.equal(line!.fields.refused, 1000)
  assert.equal(line!.fields.lastReason, 'bad value 999')
})

test('audit - a flood that goes on: per interval the first lines and one summary; lines and summaries add up to the count', async () => {
  const { clock, audit, log, lines, summary } = rig()
  for (let second = 0; second < 5; second++) {
    for (let i = 0; i < 300; i++) audit.onRefused(refusal(i))
    clock.advance(REFUSED_SUMMARY_INTERVAL_MS)
    await summary(second + 1)
  }
  assert.equal(lines('command refused').length, 5 * REFUSED_LINES_PER_INTERVAL)
  const more = lines('more commands refused').reduce((sum, l) => sum + Number(l.fields.more), 0)
  assert.equal(lines('command refused').length + more, 1500)
  assert.equal(log.lines.items.length, 5 * (REFUSED_LINES_PER_INTERVAL + 1))
})

test('audit - a refusal that opens the next interval comes after the summary of the last one', () => {
  const { clock, audit, log } = rig()
  for (let i = 0; i < 20; i++) audit.onRefused(refusal(i))
  clock.advance(REFUSED_SUMMARY_INTERVAL_MS)
  audit.onRefused(refusal(20))
  assert.deepEqual(log.lines.items.slice(-2).map((l) => [l.message, l.fields.refused]), [['more commands refused', 20], ['command refused', 21]])
})

test('audit - refusals below the rate each get their line and no summary', async () => {
  const { clock, audit, lines } = rig()
  for (let i = 0; i < 30; i++) {
    audit.onRefused(refusal(i))
    clock.advance(REFUSED_SUMMARY_INTERVAL_MS / REFUSED_LINES_PER_INTERVAL)
  }
  assert.equal(lines('command refused').length, 30)
  assert.equal(lines('command refused').at(-1)!.fields.refused, 30)
  assert.equal(lines('more commands refused').length, 0)
})

test('audit - every accepted command is logged, also in a flood', () => {
  const { audit, lines } = rig()
  for (let i = 0; i < 1000; i++) audit.onAccepted({ topic: 'spBv1.0/Plant1/NCMD/Line3-GW', metric: 'Node Control/Rebirth', value: true })
  assert.equal(lines('command accepted').length, 1000)
  assert.equal(lines('command accepted').at(-1)!.fields.accepted, 1000)
})

test('audit - at stop the refusals not yet summarised get their summary at once', () => {
  const { audit, lines } = rig()
  for (let i = 0; i < 25; i++) audit.onRefused(refusal(i))
  audit.flush()
  assert.deepEqual(lines('more commands refused').map((l) => l.fields.more), [25 - REFUSED_LINES_PER_INTERVAL])
})
