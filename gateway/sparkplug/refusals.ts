import type { Log } from '../model/log.js'
import { Backoff } from '../runtime/backoff.js'

/**
 * The server refusing publishes while the session stays up (a JetStream stream at its limit, an
 * MQTT 5 PUBACK with an error reason): a new session would be refused the same way and only show
 * hosts a new bdSeq, so what was refused stays in the buffer and is sent again in this session
 * after a growing pause. Logged once when refusals start and once when the server takes messages
 * again; each retry at debug.
 */
export class Refusals {
  private refusing = false
  private pending = false
  private rebirth = false
  private readonly backoff: Backoff

  constructor(
    private readonly log: Log,
    reconnect: { readonly minMs: number; readonly maxMs: number },
    random?: () => number,
  ) {
    this.backoff = new Backoff(reconnect.minMs, reconnect.maxMs, random)
  }

  /** A publish was refused; `birthOrDeath` when it was a birth or death, which the host must then get again. */
  refused(error: Error, birthOrDeath: boolean): void {
    this.pending = true
    if (birthOrDeath) this.rebirth = true
    if (this.refusing) return
    this.refusing = true
    this.log.warn('server refused a message; it stays in the buffer and is retried in this session with backoff', { reason: error.message })
  }

  /** A publish was accepted. */
  accepted(): void {
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
    const waitMs = this.backoff.next()
    this.log.debug('retrying refused messages', { inMs: waitMs, rebirth })
    return { waitMs, rebirth }
  }
}
