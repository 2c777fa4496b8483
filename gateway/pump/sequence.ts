/**
 * The edge node's message sequence number: one counter shared by NBIRTH, every DBIRTH, NDATA,
 * DDATA and DDEATH; 0 on every NBIRTH, +1 per message, 255 wraps to 0 (tck-id payloads-sequence-num-*).
 * A number is used only once its message is encoded, so a message that fails to encode leaves no gap.
 */
export class Sequence {
  private next = 0

  /** The seq the next message gets: 0 for an NBIRTH. */
  peek(kind: 'NBIRTH' | 'other'): number {
    return kind === 'NBIRTH' ? 0 : this.next
  }

  /** Marks `seq` used. */
  commit(seq: number): void {
    this.next = (seq + 1) % 256
  }
}
