import type { Log } from '../model/log.js'
import { Backoff } from '../base/backoff.js'
import type { Clock } from '../base/clock.js'
import type { UndeliverableError } from '../upstream/upstream.js'

/** After the first line for a reason, further drops for it make one summary line per this interval at most. */
export const DROPPED_SUMMARY_INTERVAL_MS = 60_000
/** Reasons tracked apart; they are few (a size limit, an ACL), but each is the server's words. */
const MAX_REASONS = 32

interface DropReason {
  lastLineAt: number
  /** Messages and rows dropped for this reason since its last line. */
  messages: number
  rows: number
  lastTopic: string
  lastBytes: number
}

/**
 * The server refusing publishes while the session stays up. For now (a JetStream stream at its
 * limit, an MQTT 5 PUBACK with a passing error reason): a new session would be refused the same
 * way and only show hosts a new bdSeq, so what was refused stays in the buffer and is sent again
 * in this session after a growing pause; logged once when refusals start and once when the server
 * takes messages again, each retry at debug. For good (too large for the server, not allowed on
 * its topic): data leaves the buffer counted as dropped, so the rows behind it flow, logged once
 * per reason and then summarised; a birth cannot be dropped (the host needs it), so births are
 * retried with their own backoff, which only that birth being taken resets.
 */
export class Refusals {
  private refusing = false
  private pending = false
  private rebirth = false
  private readonly backoff: Backoff
  /** Births and deaths refused for good, by topic, until the server takes one on that topic. */
  private readonly blocked = new Set<string>()
  private readonly birthBackoff: Backoff
  private readonly dropReasons = new Map<string, DropReason>()

  constructor(
    private readonly log: Log,
    private readonly clock: Clock,
    reconnect: { readonly minMs: number; readonly maxMs: number },
    random?: () => number,
  ) {
    this.backoff = new Backoff(reconnect.minMs, reconnect.maxMs, random)
    this.birthBackoff = new Backoff(reconnect.minMs, reconnect.maxMs, random)
  }

  /** A publish was refused for now; `birthOrDeath` when it was a birth or death, which the host must then get again. */
  refused(error: Error, birthOrDeath: boolean): void {
    this.pending = true
    if (birthOrDeath) this.rebirth = true
    if (this.refusing) return
    this.refusing = true
    this.log.warn('server refused a message; it stays in the buffer and is retried in this session with backoff', { reason: error.message })
  }

  /** A birth or death on `topic` was refused for good: retried with the births, and said once what to change. */
  birthRefused(error: UndeliverableError, topic: string): void {
    this.pending = true
    this.rebirth = true
    if (this.blocked.has(topic)) return
    this.blocked.add(topic)
    this.log.error('the server refuses a birth for good; a birth cannot be dropped (the host needs it), so the births are sent again with backoff until the server takes it: change what the reason says', { topic, reason: error.message })
  }

  /** Data the server refuses for good left the buffer (`rows` records; 0 for a heartbeat). */
  dropped(error: UndeliverableError, topic: string, bytes: number, rows: number): void {
    const now = this.clock.now()
    const key = this.dropReasons.has(error.reason) || this.dropReasons.size < MAX_REASONS ? error.reason : 'other'
    const seen = this.dropReasons.get(key)
    if (seen === undefined) {
      this.dropReasons.set(key, { lastLineAt: now, messages: 0, rows: 0, lastTopic: topic, lastBytes: bytes })
      this.log.warn('the server refuses this message for good; its rows leave the buffer counted as dropped (Gateway/Buffer/Dropped) and the rows behind it go on', { topic, bytes, rows, reason: error.message })
      return
    }
    seen.messages++
    seen.rows += rows
    seen.lastTopic = topic
    seen.lastBytes = bytes
    if (now - seen.lastLineAt >= DROPPED_SUMMARY_INTERVAL_MS) this.summarise(key, seen, now)
  }

  /** Writes the drops not yet in the log (at the end of a session), so the log accounts for every one. */
  flush(): void {
    const now = this.clock.now()
    for (const [reason, seen] of this.dropReasons) this.summarise(reason, seen, now)
  }

  /** A publish on `topic` was accepted. */
  accepted(topic: string): void {
    if (this.blocked.delete(topic)) {
      this.log.info('the server takes the refused birth now', { topic })
      if (this.blocked.size === 0) this.birthBackoff.reset()
    }
    if (!this.refusing) return
    this.refusing = false
    this.backoff.reset()
    this.log.info('the server accepts messages again')
  }

  /** Null when nothing was refused since the last call; else the pause before retrying, and whether to send the births again. */
  take(): { readonly waitMs: number; readonly rebirth: boolean } | null {
    if (!this.pending) return null
    this.pending = false
    const rebirth = this.rebirth
    this.rebirth = false
    // Data taken between births must not shorten the pause of a birth refused for good: hosts would see a birth storm.
    const waitMs = this.blocked.size > 0 ? this.birthBackoff.next() : this.backoff.next()
    this.log.debug('retrying refused messages', { inMs: waitMs, rebirth })
    return { waitMs, rebirth }
  }

  private summarise(reason: string, seen: DropReason, now: number): void {
    if (seen.messages === 0) return
    this.log.warn('more messages refused for good and dropped', { reason, messages: seen.messages, rows: seen.rows, lastTopic: seen.lastTopic, lastBytes: seen.lastBytes })
    seen.lastLineAt = now
    seen.messages = 0
    seen.rows = 0
  }
}
