/**
 * The behaviour every Outbox must have (STYLE §3.7): run by each implementation's test file.
 * `reopen` closes nothing itself: the suite closes the outbox first, then reopens the same store.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Outbox } from '../../gateway/outbox/outbox.js'
import type { DataRecord, Metric } from '../../gateway/model/value.js'

export interface OutboxUnderTest {
  readonly outbox: Outbox
  /** Opens the same store again after `outbox.close()`; absent for stores that do not persist. */
  readonly reopen?: () => Outbox
  /** Removes whatever the store left behind (files). */
  readonly cleanup?: () => void
}

const t0 = 1_700_000_000_000

/** A record of one metric, told apart by `n`. */
export function recordOf(n: number, deviceId: string | null = null): DataRecord {
  return { deviceId, at: t0 + n, metrics: [{ name: 'count', type: 'Int32', value: n, at: t0 + n }] }
}

/** One metric of every Value kind, with the edge values that break naive encodings. */
export const everyValueKind: readonly Metric[] = [
  { name: 'i8', type: 'Int8', value: -128, at: t0 },
  { name: 'u32', type: 'UInt32', value: 4_294_967_295, at: t0 - 5 },
  { name: 'i64 min', type: 'Int64', value: -(2n ** 63n), at: t0 + 7 },
  { name: 'u64 max', type: 'UInt64', value: 2n ** 64n - 1n, at: t0 },
  { name: 'datetime', type: 'DateTime', value: BigInt(t0), at: t0 },
  { name: 'float', type: 'Float', value: Math.fround(21.7), at: t0 },
  { name: 'double', type: 'Double', value: 0.1 + 0.2, at: t0 },
  { name: 'big double', type: 'Double', value: 2 ** 60 + 2 ** 10, at: t0 },
  { name: 'max safe', type: 'Double', value: Number.MAX_SAFE_INTEGER, at: t0 },
  { name: 'negative zero', type: 'Double', value: -0, at: t0 },
  { name: 'nan', type: 'Double', value: NaN, at: t0 },
  { name: 'infinity', type: 'Float', value: -Infinity, at: t0 },
  { name: 'tiny', type: 'Double', value: Number.MIN_VALUE, at: t0 },
  { name: 'on', type: 'Boolean', value: true, at: t0 },
  { name: 'off', type: 'Boolean', value: false, at: t0 },
  { name: 'text', type: 'String', value: 'Grüße, 温度 °C 🌡', at: t0 },
  { name: 'empty text', type: 'Text', value: '', at: t0 },
  { name: 'bytes', type: 'Bytes', value: new Uint8Array([0, 1, 254, 255]), at: t0 },
  { name: 'empty bytes', type: 'File', value: new Uint8Array(0), at: t0 },
  { name: 'ints', type: 'Int16Array', value: [-32768, 0, 32767], at: t0 },
  { name: 'doubles', type: 'DoubleArray', value: [1.5, -0, NaN, 1e300], at: t0 },
  { name: 'bigints', type: 'UInt64Array', value: [0n, 2n ** 64n - 1n], at: t0 },
  { name: 'bools', type: 'BooleanArray', value: [true, false, true], at: t0 },
  { name: 'strings', type: 'StringArray', value: ['a', '', 'ü'], at: t0 },
  { name: 'empty array', type: 'Int32Array', value: [], at: t0 },
  { name: 'unreadable', type: 'Int32', value: null, at: t0 - 1000 },
  { name: 'fractional time', type: 'Int32', value: 1, at: t0 + 0.5 },
  { name: 'u8', type: 'UInt8', value: 255, at: t0 },
]

export function outboxContract(name: string, build: () => OutboxUnderTest): void {
  const withOutbox = (title: string, body: (o: OutboxUnderTest) => void): void => {
    test(`${name} - ${title}`, () => {
      const under = build()
      try {
        body(under)
      } finally {
        under.outbox.close()
        under.cleanup?.()
      }
    })
  }

  withOutbox('peek returns records oldest first with increasing ids', ({ outbox }) => {
    for (let n = 0; n < 5; n++) outbox.add(recordOf(n))
    const entries = outbox.peek(10)
    assert.deepEqual(entries.map((e) => e.metrics[0].value), [0, 1, 2, 3, 4])
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i].id > entries[i - 1].id)
  })

  withOutbox('peek honours its limit and removes nothing', ({ outbox }) => {
    for (let n = 0; n < 5; n++) outbox.add(recordOf(n))
    assert.equal(outbox.peek(2).length, 2)
    assert.deepEqual(outbox.peek(2), outbox.peek(2))
    assert.equal(outbox.peek(10).length, 5)
    assert.deepEqual(outbox.peek(0), [])
  })

  withOutbox('ack removes exactly the given ids, also out of order', ({ outbox }) => {
    for (let n = 0; n < 6; n++) outbox.add(recordOf(n))
    const ids = outbox.peek(10).map((e) => e.id)
    outbox.ack([ids[0], ids[3]])
    assert.deepEqual(outbox.peek(10).map((e) => e.metrics[0].value), [1, 2, 4, 5])
    outbox.ack([ids[5], 999_999, ids[1]])
    assert.deepEqual(outbox.peek(10).map((e) => e.metrics[0].value), [2, 4])
    assert.equal(outbox.stats().records, 2)
  })

  withOutbox('afterId skips records already handed out', ({ outbox }) => {
    for (let n = 0; n < 5; n++) outbox.add(recordOf(n))
    const [first, second] = outbox.peek(2)
    assert.deepEqual(outbox.peek(10, { afterId: second.id }).map((e) => e.metrics[0].value), [2, 3, 4])
    assert.deepEqual(outbox.peek(1, { afterId: first.id }).map((e) => e.metrics[0].value), [1])
  })

  withOutbox('devices filter keeps order and includes the node as null', ({ outbox }) => {
    const devices = [null, 'A', 'B', 'A', null, 'C', 'B']
    devices.forEach((d, n) => outbox.add(recordOf(n, d)))
    const pick = (set: (string | null)[], limit = 10, afterId?: number): number[] =>
      outbox.peek(limit, { devices: new Set(set), afterId }).map((e) => e.metrics[0].value as number)
    assert.deepEqual(pick(['A']), [1, 3])
    assert.deepEqual(pick([null, 'B']), [0, 2, 4, 6])
    assert.deepEqual(pick([null, 'B'], 3), [0, 2, 4])
    assert.deepEqual(pick(['A', 'B', 'C', null]), [0, 1, 2, 3, 4, 5, 6])
    assert.deepEqual(pick(['unknown']), [])
    assert.deepEqual(pick([]), [])
    const third = outbox.peek(3)[2]
    assert.deepEqual(pick(['B', 'C'], 10, third.id), [5, 6])
    assert.deepEqual(outbox.peek(10).map((e) => e.deviceId), devices)
  })

  withOutbox('stats follow adds and acks', ({ outbox }) => {
    const empty = outbox.stats()
    assert.equal(empty.records, 0)
    assert.equal(empty.oldestAt, null)
    assert.equal(empty.dropped, 0)
    for (let n = 0; n < 3; n++) assert.equal(outbox.add(recordOf(n)), 0)
    const entries = outbox.peek(10)
    const full = outbox.stats()
    assert.equal(full.records, 3)
    assert.equal(full.oldestAt, recordOf(0).at)
    assert.ok(full.bytes > 0)
    assert.equal(full.nextId, entries[2].id + 1)
    outbox.ack([entries[0].id])
    assert.equal(outbox.stats().oldestAt, recordOf(1).at)
    outbox.add(recordOf(9))
    assert.equal(outbox.peek(10)[2].id, full.nextId)
    assert.equal(outbox.stats().nextId, full.nextId + 1)
  })

  withOutbox('every value kind, null and metric times round-trip exactly', ({ outbox }) => {
    const record: DataRecord = { deviceId: 'Boiler1', at: t0, metrics: everyValueKind }
    outbox.add(record)
    outbox.add({ deviceId: null, at: t0 + 0.25, metrics: [] })
    const [entry, emptyRecord] = outbox.peek(2)
    assert.deepEqual({ deviceId: entry.deviceId, at: entry.at, metrics: entry.metrics }, record)
    assert.ok(Object.is(entry.metrics[9].value, -0))
    assert.deepEqual(emptyRecord.metrics, [])
    assert.equal(emptyRecord.at, t0 + 0.25)
  })

  withOutbox('close is idempotent: a second close neither throws nor loses or repeats a record', (under) => {
    under.outbox.add(recordOf(1))
    assert.doesNotThrow(() => under.outbox.close())
    assert.doesNotThrow(() => under.outbox.close())
    if (!under.reopen) return
    const again = under.reopen()
    try {
      assert.deepEqual(again.peek(10).map((e) => e.metrics[0].value), [1])
    } finally {
      again.close()
    }
  })

  test(`${name} - drop removes records that cannot be sent and counts them as dropped`, () => {
    const under = build()
    try {
      for (let n = 0; n < 5; n++) under.outbox.add(recordOf(n))
      const entries = under.outbox.peek(10)
      under.outbox.drop([entries[1].id, entries[3].id])
      assert.deepEqual(under.outbox.peek(10).map((e) => e.metrics[0].value), [0, 2, 4])
      assert.deepEqual({ records: under.outbox.stats().records, dropped: under.outbox.stats().dropped }, { records: 3, dropped: 2 })
    } finally {
      under.outbox.close()
      under.cleanup?.()
    }
  })

  test(`${name} - records and ids survive close and reopen`, (t) => {
    const under = build()
    if (!under.reopen) {
      under.outbox.close()
      t.skip('this outbox does not persist')
      return
    }
    let outbox = under.outbox
    try {
      for (let n = 0; n < 4; n++) outbox.add(recordOf(n, n % 2 ? 'A' : null))
      const before = outbox.peek(10)
      outbox.ack([before[3].id])
      outbox.close()
      outbox = under.reopen()
      assert.deepEqual(outbox.peek(10), before.slice(0, 3))
      outbox.add(recordOf(7, 'B'))
      const after = outbox.peek(10)
      assert.equal(after.length, 4)
      // Acknowledged ids are never reused, even the largest one.
      assert.ok(after[3].id > before[3].id)
      assert.equal(outbox.stats().nextId, after[3].id + 1)
    } finally {
      outbox.close()
      under.cleanup?.()
    }
  })
}
