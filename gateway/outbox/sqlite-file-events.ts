import type { OutboxEntry } from './outbox.js'

/** What the buffer file tells the outbox around it, which holds records while the file cannot. */
export interface FileEvents {
  /** A commit started a checkpoint: new records and acknowledgements wait in memory. */
  holding(): void
  /** The checkpoint is on the disk: what waited may be written. */
  released(): void
  /** Writes succeed again after failing: the spill may go back into the file. */
  recovered(): void
  /** The corrupt file is being replaced: returns the records held for it, to keep in the spill. */
  replaced(): OutboxEntry[]
}
