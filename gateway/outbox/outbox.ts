/**
 * The outbox: the durable FIFO of DATA records between the recorder and the upstream
 * (store-and-forward). Births and deaths never enter it; they are rebuilt from the node's state.
 * Synchronous, because better-sqlite3 is: `add` hands the record to the file's open batch (or to
 * memory while a checkpoint goes to disk) and never waits on the disk itself.
 */
import type { DataRecord } from '../model/value.js'
import type { OutboxStats } from '../base/status.js'

export interface Outbox {
  /**
   * Appends a record; it survives a crash once `add` returns (for the SQLite outbox: within the
   * documented commit interval). Returns how many records were dropped to stay under the size cap
   * by this call; `stats().dropped` also counts those dropped later, when records the SQLite outbox
   * held in memory during a checkpoint are written.
   */
  add(record: DataRecord): number
  /**
   * Up to `limit` oldest records, without removing them. With `devices`, only records whose
   * `deviceId` is in the set (the pump holds back the backlog of devices that are not born).
   * `afterId` skips records already handed to the upstream but not yet acknowledged.
   */
  peek(limit: number, options?: { devices?: ReadonlySet<string | null>; afterId?: number }): OutboxEntry[]
  /** Removes records the upstream has taken (QoS 0 written, PUBACK, JetStream PubAck). */
  ack(ids: readonly number[]): void
  /** Removes records that cannot be sent (nothing in them is declared any more, or the server refuses them for good), counting them in `stats().dropped`. */
  drop(ids: readonly number[]): void
  /** Depth and size, for metrics and /status. */
  stats(): OutboxStats
  /** Flushes and releases. Idempotent. */
  close(): void
}

/** A record in the outbox. `id` increases with every `add`: it is the replay order. */
export type OutboxEntry = DataRecord & { readonly id: number }

