import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { defaults } from '../../../gateway/config/defaults.js'
import type { TagConfig } from '../../../gateway/config/types.js'
import { tagDefs } from '../../../gateway/normalise/tag-def.js'
import { auditFields, auditText } from '../../../gateway/runtime/audit.js'
import { receiveCommands, type CommandPolicy } from '../../../gateway/sparkplug/commands.js'
import { encodePayload } from '../../../gateway/sparkplug/codec.js'
import { nodeMetricDefs, REBIRTH, REBOOT, SCAN_RATE } from '../../../gateway/node/node-metrics.js'
import type { PayloadMetric } from '../../../gateway/sparkplug/payload.js'
import { NodeState } from '../../../gateway/node/node-state.js'

const tag: TagConfig = { name: 'Setpoint', pollMs: 1000, deadband: 0, writable: true, writeIntervalMs: 0 }
const session = new NodeState(nodeMetricDefs(1000), [{ deviceId: 'Boiler1', tags: tagDefs([tag], [{ name: 'Setpoint', type: 'Double' }]) }])
const bytes = (metrics: PayloadMetric[]) => encodePayload({ timestamp: 1, metrics }, { uint32Field: 'long_value' })
const policy = (changes: Partial<CommandPolicy> = {}): CommandPolicy => ({ ...defaults.commands, ...changes })
const ncmd = (metrics: PayloadMetric[], p = policy()) => receiveCommands(session, null, bytes(metrics), false, p)
const dcmd = (metrics: PayloadMetric[], p = policy()) => receiveCommands(session, 'Boiler1', bytes(metrics), false, p)

test('command limits - a payload over maxPayloadSize is refused whole, before decoding, with one refusal', () => {
  const big = bytes([{ name: 'Setpoint', datatype: 'Double', value: 5 }, { name: 'Setpoint', datatype: 'String', value: 'x'.repeat(70_000) }])
  const result = receiveCommands(session, 'Boiler1', big, false, policy())
  assert.deepEqual(result.commands, [])
  assert.equal(result.refused.length, 1)
  assert.match(result.refused[0]!.reason, /^payload of \d+ bytes is over the limit of 65536 bytes \(commands.maxPayloadSize\)/)
  // Bytes that are not even a payload get the size refusal: nothing was decoded.
  const garbage = receiveCommands(session, null, new Uint8Array(2000).fill(0xff), false, policy({ maxPayloadBytes: 1000 }))
  assert.match(garbage.refused[0]!.reason, /over the limit of 1000 bytes/)
})

test('command limits - more metrics than maxMetrics is refused whole, with one refusal', () => {
  const metrics = Array.from({ length: 101 }, (): PayloadMetric => ({ name: 'Setpoint', datatype: 'Double', value: 5 }))
  const result = dcmd(metrics)
  assert.deepEqual(result.commands, [])
  assert.deepEqual(result.refused, [{ metric: '*', reason: '101 metrics in one command, over the limit of 100 (commands.maxMetrics); nothing applied' }])
  assert.equal(dcmd(metrics.slice(0, 100)).commands.length, 100)
})

test('command limits - Scan Rate outside scanRateMin..scanRateMax is refused; 0 restores the periods', () => {
  for (const ms of [1, 99, 3_600_001]) {
    const result = ncmd([{ name: SCAN_RATE, datatype: 'Int64', value: BigInt(ms) }])
    assert.deepEqual(result.commands, [], String(ms))
    assert.match(result.refused[0]!.reason, /from 100 to 3600000 \(commands.scanRateMin, commands.scanRateMax\)/)
  }
  for (const ms of [0, 100, 3_600_000]) assert.deepEqual(ncmd([{ name: SCAN_RATE, datatype: 'Int64', value: BigInt(ms) }]).commands, [{ type: 'scan-rate', ms }])
  const tight = policy({ scanRateMinMs: 1000, scanRateMaxMs: 5000 })
  assert.equal(ncmd([{ name: SCAN_RATE, datatype: 'Int64', value: 500n }], tight).commands.length, 0)
  assert.deepEqual(ncmd([{ name: SCAN_RATE, datatype: 'Int64', value: 2000n }], tight).commands, [{ type: 'scan-rate', ms: 2000 }])
})

test('command limits - a read-only gateway refuses writes, Reboot and Scan Rate, naming the key that disables each', () => {
  const readOnly = policy({ writes: false, reboot: false, scanRate: false })
  assert.deepEqual(dcmd([{ name: 'Setpoint', datatype: 'Double', value: 5 }], readOnly).refused, [{ metric: '*', reason: 'writes are disabled by commands.writes: false in gateway.yaml' }])
  const node = ncmd([{ name: REBOOT, datatype: 'Boolean', value: true }, { name: SCAN_RATE, datatype: 'Int64', value: 1000n }, { name: REBIRTH, datatype: 'Boolean', value: true }], readOnly)
  assert.deepEqual(node.refused, [
    { metric: REBOOT, reason: 'Reboot is disabled by commands.reboot: false in gateway.yaml' },
    { metric: SCAN_RATE, reason: 'Scan Rate is disabled by commands.scanRate: false in gateway.yaml' },
  ])
  assert.deepEqual(node.commands, [{ type: 'rebirth' }], 'Rebirth stays: a host needs it to learn the node')
})

test('command limits - audit lines cut a long value, keeping its length and a digest', () => {
  const huge = 'A'.repeat(10 * 2 ** 20)
  const digest = createHash('sha256').update(huge).digest('hex').slice(0, 12)
  const cut = auditText(huge, 200)
  assert.equal(cut, `${'A'.repeat(200)}... (10485760 characters, sha256 ${digest})`)
  assert.equal(auditText('short', 200), 'short')
  assert.deepEqual(auditFields({ metric: 'Label', value: huge, accepted: 3 }, 200), { metric: 'Label', value: cut, accepted: 3 })
  // A reason keeps its own words and may quote the start of the value.
  const reason = `expected a number for Int16, got String ${JSON.stringify(huge)}`
  const fields = auditFields({ reason }, 200)
  assert.equal(fields.reason, auditText(reason, 600))
  assert.ok((fields.reason as string).startsWith('expected a number for Int16, got String "AAAA'))
})
