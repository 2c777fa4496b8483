import type { Value } from '../model/value.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { Clock } from '../base/clock.js'

export type WriteOutcome =
  | { readonly ok: true; readonly old: Value | null | undefined; readonly now: Value | null }
  | { readonly ok: false; readonly reason: string }

export interface QueuedWrite {
  readonly tag: TagDef
  readonly value: Value
  done(outcome: WriteOutcome): void
}

/**
 * The writes waiting for one device, bounded, run one at a time between scans. When a scan is
 * due at most one write runs before it, so a command flood cannot stretch the scan periods. A
 * tag written less than its `writeIntervalMs` ago is refused, to protect actuators from floods.
 */
export class WriteQueue {
  private readonly waiting: QueuedWrite[] = []
  private readonly lastWrite = new Map<string, number>()
  private wroteSinceScan = false

  constructor(
    private readonly maxQueued: number,
    private readonly clock: Clock,
    /** A write joined the queue: the loop should look at it. */
    private readonly queued: () => void,
  ) {}

  /** Resolves when the write has run; refused at once when the queue is full. */
  offer(tag: TagDef, value: Value): Promise<WriteOutcome> {
    if (this.waiting.length >= this.maxQueued) {
      return Promise.resolve({ ok: false, reason: `${this.waiting.length} writes already wait for this device (commands.maxQueuedWrites)` })
    }
    return new Promise((done) => {
      this.waiting.push({ tag, value, done })
      this.queued()
    })
  }

  /** The write to run next, if any: none when a scan is due and a write already ran since the last scan. */
  take(scanDue: boolean): QueuedWrite | undefined {
    if (scanDue && this.wroteSinceScan) return undefined
    const write = this.waiting.shift()
    if (write !== undefined) this.wroteSinceScan = true
    return write
  }

  /** A scan starts: the next write may run before the scan after it. */
  scanning(): void {
    this.wroteSinceScan = false
  }

  /** Why the tag may not be written yet, or null. */
  tooSoon(tag: TagDef): string | null {
    const last = this.lastWrite.get(tag.name)
    if (last !== undefined && this.clock.now() - last < tag.writeIntervalMs) return `written less than ${tag.writeIntervalMs} ms ago`
    return null
  }

  /** The device took the write: the interval counts from now. */
  written(tag: TagDef): void {
    this.lastWrite.set(tag.name, this.clock.now())
  }

  /** Answers every waiting write with `reason` and empties the queue. */
  refuseAll(reason: string): void {
    for (const w of this.waiting.splice(0)) w.done({ ok: false, reason })
  }
}
