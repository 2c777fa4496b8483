/**
 * Rows an upstream without confirmation (MQTT QoS 0, core NATS) has written, across sessions, so
 * that each row is written at most twice however often the link drops: once (live, or as history
 * after an outage) and, when the session is lost within the replay window, once more as history.
 * A row whose second write is lost as well is let go rather than replayed at every reconnect.
 */
export class ReplayLedger {
  /** Rows written once to a session that was then lost inside their replay window. */
  private readonly writtenOnce = new Set<number>()

  /**
   * A session was lost with these rows written and inside their window. Returns the rows that
   * had been written before it as well: they have had their replay and leave the buffer. The
   * others are kept for one replay. Rows no longer in the buffer (`oldestId` and above remain)
   * are forgotten, so the ledger holds no more than the rows of one replay window.
   */
  lost(ids: readonly number[], oldestId: number): number[] {
    const twice: number[] = []
    for (const id of ids) {
      if (this.writtenOnce.has(id)) twice.push(id)
      else this.writtenOnce.add(id)
    }
    for (const id of this.writtenOnce) if (id < oldestId) this.writtenOnce.delete(id)
    this.forget(twice)
    return twice
  }

  /** Rows that left the buffer. */
  forget(ids: readonly number[]): void {
    if (this.writtenOnce.size === 0) return
    for (const id of ids) this.writtenOnce.delete(id)
  }
}
