import type { Outbox, OutboxEntry } from '../outbox/outbox.js'

/** Records per read at most: small records (a few metrics each) come many at a time. */
const PEEK = 200
/** The first read of a lane, before it knows how large its records are. */
const FIRST_PEEK = 16
/**
 * Metrics a block holds at about most: decoded, a metric costs some 150 bytes of heap, so a block of
 * 200 records of a 1,000-tag device would be 30 MB, read exactly when the gateway is behind.
 */
export const PEEK_METRICS = 20_000

/**
 * A read position in the outbox. Entries are peeked in blocks and served one by one, so each
 * record is read (and decoded) once however many payloads it takes to send the block. A block is
 * sized by the metrics of the last one, so large records do not fill the heap while a backlog drains.
 */
export class Lane {
  private block: OutboxEntry[] = []
  private at = 0
  private limit = FIRST_PEEK

  constructor(
    private readonly outbox: Outbox,
    private cursor: number,
    /** Entries from this id on belong to another lane. */
    private readonly below = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * The next entry to send: of a born device, not already sent. Skips (and passes) the others;
   * returns null at the end of the lane.
   */
  peek(born: ReadonlySet<string | null>, sent: ReadonlySet<number>): OutboxEntry | null {
    while (true) {
      if (this.at >= this.block.length) {
        this.block = this.outbox.peek(this.limit, { devices: born, afterId: this.cursor })
        this.at = 0
        if (this.block.length === 0) return null
        this.limit = nextLimit(this.block)
      }
      const entry = this.block[this.at]!
      if (entry.id >= this.below) return null
      if (!sent.has(entry.id) && born.has(entry.deviceId)) return entry
      this.take()
    }
  }

  /** Moves past the entry `peek` returned. */
  take(): void {
    this.cursor = this.block[this.at++]!.id
  }

  /** Starts again from `cursor`, forgetting the block (devices were born: their records are due). */
  reset(cursor: number): void {
    this.block = []
    this.at = 0
    this.cursor = cursor
  }
}

/** Records for the next block: about `PEEK_METRICS` metrics at the size of the records of `block`. */
function nextLimit(block: readonly OutboxEntry[]): number {
  let metrics = 0
  for (const entry of block) metrics += entry.metrics.length
  return Math.max(1, Math.min(PEEK, Math.floor((PEEK_METRICS * block.length) / Math.max(metrics, 1))))
}
