import type { Outbox, OutboxEntry } from '../outbox/outbox.js'

const PEEK = 200

/**
 * A read position in the outbox. Entries are peeked in blocks and served one by one, so each
 * record is read (and decoded) once however many payloads it takes to send the block.
 */
export class Lane {
  private block: OutboxEntry[] = []
  private at = 0

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
        this.block = this.outbox.peek(PEEK, { devices: born, afterId: this.cursor })
        this.at = 0
        if (this.block.length === 0) return null
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
