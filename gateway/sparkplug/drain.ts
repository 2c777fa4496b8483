import type { Outbox, OutboxEntry } from '../outbox/outbox.js'

/** A device birth or death waiting to be published, ordered against data by outbox id. */
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

const PEEK = 200
const HISTORY_METRICS_PER_PAYLOAD = 500

/**
 * Decides what the pump sends next within one born session. Two lanes share the outbox:
 * live records (made after this session's births) and the backlog (everything older, sent as
 * history). A batch of live data goes before each batch of backlog, so a large backlog never
 * holds live values back. A device's records go out only while it is born; device births and
 * deaths are ordered after the data that preceded them.
 */
export class Drain {
  private liveCursor: number
  private backlogCursor = 0
  private readonly lane: StateChange[] = []
  /** Sent in this session, not yet acknowledged: never sent twice in one session. */
  readonly sent = new Set<number>()
  /** Per device, the last record id older than its birth: a birth carries newer values, so these go out as history. */
  private readonly bornAfter = new Map<string | null, number>()

  constructor(
    private readonly outbox: Outbox,
    /** First id of live data: records below it are the backlog. */
    readonly liveFromId: number,
  ) {
    this.liveCursor = liveFromId - 1
  }

  /** The node and the devices whose birth went out in this session. */
  readonly born = new Set<string | null>([null])

  /** A (re)birth is starting: births carry current state, so pending changes are moot; devices are re-born one by one. */
  rebirth(): void {
    this.lane.length = 0
    this.born.clear()
    this.bornAfter.clear()
    this.rescan()
  }

  /** The node (null) or a device was born with the values current when record `lastId` was the newest. */
  markBorn(deviceId: string | null, lastId: number): void {
    this.born.add(deviceId)
    this.bornAfter.set(deviceId, lastId)
  }

  queue(change: StateChange): void {
    this.lane.push(change)
  }

  /** The next thing to publish: live data, then a pending birth/death, then history; null when idle. */
  next(): Batch | StateChange | null {
    const head = this.lane[0]
    const live = this.nextLive(head)
    if (live !== null) return live
    if (head !== undefined) {
      this.lane.shift()
      if (head.online) {
        this.markBorn(head.deviceId, this.outbox.stats().nextId - 1)
        this.rescan()
      } else {
        this.born.delete(head.deviceId)
      }
      return head
    }
    return this.history()
  }

  private nextLive(head: StateChange | undefined): Batch | null {
    while (true) {
      const live = this.outbox.peek(PEEK, { devices: this.born, afterId: this.liveCursor })
      const first = live.find((e) => !this.sent.has(e.id))
      if (first === undefined) {
        if (live.length === 0) return null
        this.liveCursor = live[live.length - 1]!.id
        continue
      }
      if (head !== undefined && first.id > head.afterId) return null
      this.liveCursor = first.id
      return { deviceId: first.deviceId, records: [first], historical: first.id <= (this.bornAfter.get(first.deviceId) ?? 0) }
    }
  }

  private history(): Batch | null {
    while (true) {
      const entries = this.outbox.peek(PEEK, { devices: this.born, afterId: this.backlogCursor })
      const old = entries.filter((e) => e.id < this.liveFromId)
      if (old.length === 0) return null
      this.backlogCursor = old[old.length - 1]!.id
      const unsent = old.filter((e) => !this.sent.has(e.id))
      if (unsent.length === 0) continue
      const deviceId = unsent[0]!.deviceId
      const records: OutboxEntry[] = []
      let metrics = 0
      for (const entry of unsent) {
        if (entry.deviceId !== deviceId || (metrics > 0 && metrics + entry.metrics.length > HISTORY_METRICS_PER_PAYLOAD)) break
        records.push(entry)
        metrics += entry.metrics.length
      }
      this.backlogCursor = records[records.length - 1]!.id
      return { deviceId, records, historical: true }
    }
  }

  // A device just born may have backlog or live records the cursors already passed while it was dead.
  private rescan(): void {
    this.backlogCursor = 0
    this.liveCursor = this.liveFromId - 1
  }
}

export function isBatch(item: Batch | StateChange): item is Batch {
  return 'records' in item
}

