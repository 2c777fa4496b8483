import type { Outbox, OutboxEntry } from '../outbox/outbox.js'
import { BirthCarried } from './birth-carried.js'
import { Lane } from './drain-lane.js'
import type { PayloadMetric } from '../sparkplug/payload.js'
import type { RecordOrder } from '../node/recorder.js'

/** A device birth or death waiting to be published, ordered against data by record id. */
export interface StateChange {
  readonly deviceId: string
  readonly online: boolean
  /** Data records up to this id go out before this change. */
  readonly afterId: number
}

/** One payload's worth of records of one device (or the node), and whether they are history. */
export interface Batch {
  readonly deviceId: string | null
  readonly records: readonly OutboxEntry[]
  readonly historical: boolean
}

const METRICS_PER_PAYLOAD = 500

/**
 * Decides what the pump sends next within one born session. Two lanes share the outbox:
 * live records (made after this session's births) and the backlog (everything older, sent as
 * history). Live data goes before each batch of backlog, so a large backlog never holds live
 * values back. A device's records go out only while it is born; device births and deaths are
 * ordered after the data that preceded them. Consecutive records of one device share a payload
 * (up to 500 metrics) when the pump is behind.
 */
export class Drain {
  private readonly live: Lane
  private readonly backlog: Lane
  private readonly lane: StateChange[] = []
  /** Sent in this session, not yet acknowledged: never sent twice in one session. */
  readonly sent = new Set<number>()
  /** The node and the devices whose birth went out in this session. */
  readonly born = new Set<string | null>([null])
  /** Per device, the last record id older than its birth: a birth carries newer values, so these go out as history. */
  private readonly bornAfter = new Map<string | null, number>()
  /** Rows that go in a payload of their own (see retryAlone). */
  private readonly alone = new Set<number>()
  /** Per device, each metric's timestamp and value as its birth in this session carried them. */
  private readonly carried = new Map<string | null, BirthCarried>()

  private readonly recordsPerBatch: number
  /** First id of live data: records below it are the backlog. */
  private readonly liveFromId: number

  constructor(
    outbox: Outbox,
    private readonly order: RecordOrder,
    /** `recordsPerBatch: 1` keeps one record per payload (an upstream that deduplicates by row id). */
    options: { readonly recordsPerBatch?: number } = {},
  ) {
    this.recordsPerBatch = options.recordsPerBatch ?? Number.POSITIVE_INFINITY
    const liveFromId = order.lastRecordId() + 1
    this.liveFromId = liveFromId
    this.live = new Lane(outbox, liveFromId - 1)
    this.backlog = new Lane(outbox, 0, liveFromId)
  }

  /** A (re)birth is starting: births carry current state, so pending changes are moot; devices are re-born one by one. */
  rebirth(): void {
    this.lane.length = 0
    this.born.clear()
    this.bornAfter.clear()
    this.carried.clear()
    this.rescan()
  }

  /** The node (null) or a device was born with the values current when record `lastId` was the newest. */
  markBorn(deviceId: string | null, lastId: number): void {
    this.born.add(deviceId)
    this.bornAfter.set(deviceId, lastId)
  }

  /**
   * The birth of the node (null) or a device carried these metrics. History repeating one of them
   * (same metric, timestamp and value) is not sent: the host already has it from the birth.
   */
  carry(deviceId: string | null, metrics: readonly PayloadMetric[]): void {
    this.carried.set(deviceId, new BirthCarried(metrics))
  }

  /** The server refused these rows: they are due again, in order with the rest. */
  retry(ids: readonly number[]): void {
    for (const id of ids) this.sent.delete(id)
    this.rescan()
  }

  /**
   * The server refused for good a payload these rows shared (too large, say): they are due again,
   * each in a payload of its own, which the server may take. Only a row refused alone is dropped.
   */
  retryAlone(ids: readonly number[]): void {
    for (const id of ids) this.alone.add(id)
    this.retry(ids)
  }

  /** These rows left the buffer. */
  forget(ids: readonly number[]): void {
    for (const id of ids) {
      this.sent.delete(id)
      this.alone.delete(id)
    }
  }

  queue(change: StateChange): void {
    this.lane.push(change)
  }

  /** The next thing to publish: live data, then a pending birth/death, then history; null when idle. */
  next(): Batch | StateChange | null {
    const head = this.lane[0]
    const live = this.batch(this.live, head?.afterId ?? Number.POSITIVE_INFINITY, (e) => e.id <= (this.bornAfter.get(e.deviceId) ?? 0))
    if (live !== null) return live
    if (head !== undefined) {
      this.lane.shift()
      if (head.online) {
        this.markBorn(head.deviceId, this.order.lastRecordId())
        this.rescan()
      } else {
        this.born.delete(head.deviceId)
      }
      return head
    }
    return this.batch(this.backlog, Number.POSITIVE_INFINITY, () => true)
  }

  private batch(lane: Lane, upTo: number, isHistory: (e: OutboxEntry) => boolean): Batch | null {
    const first = lane.peek(this.born, this.sent)
    if (first === null || first.id > upTo) return null
    lane.take()
    const historical = isHistory(first)
    const records = [first]
    let metrics = first.metrics.length
    for (let e = lane.peek(this.born, this.sent); e !== null; e = lane.peek(this.born, this.sent)) {
      if (e.id > upTo || e.deviceId !== first.deviceId || isHistory(e) !== historical || metrics + e.metrics.length > METRICS_PER_PAYLOAD) break
      if (records.length >= this.recordsPerBatch || this.alone.has(first.id) || this.alone.has(e.id)) break
      lane.take()
      records.push(e)
      metrics += e.metrics.length
    }
    return { deviceId: first.deviceId, records: historical ? records.map((r) => this.withoutCarried(r)) : records, historical }
  }

  private withoutCarried(record: OutboxEntry): OutboxEntry {
    const carried = this.carried.get(record.deviceId)
    if (carried === undefined) return record
    return record.metrics.some((m) => carried.has(m)) ? { ...record, metrics: record.metrics.filter((m) => !carried.has(m)) } : record
  }

  // A device just born may have backlog or live records the lanes already passed while it was dead.
  private rescan(): void {
    this.backlog.reset(0)
    this.live.reset(this.liveFromId - 1)
  }
}

export function isBatch(item: Batch | StateChange): item is Batch {
  return 'records' in item
}
