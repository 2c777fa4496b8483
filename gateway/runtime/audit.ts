import { createHash } from 'node:crypto'
import type { Log, LogFields } from '../model/log.js'
import { systemClock, type Clock } from '../base/clock.js'

/**
 * A text cut to `maxLength` characters for an audit line. A host may send a 10 MB string; the
 * line keeps its start, its full length and the first 12 hex digits of its sha256, so two long
 * values can still be told apart and matched against what the host says it sent.
 */
export function auditText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12)
  // Never end on half of a surrogate pair: the line stays valid UTF-8.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(maxLength - 1)) ? maxLength - 1 : maxLength
  return `${text.slice(0, end)}... (${text.length} characters, sha256 ${digest})`
}

// The topic and the reason are the gateway's own words (under this length), which may quote a
// device id or a value the host sent.
const OWN_WORDS = 400
const worded = new Set(['topic', 'reason'])

/**
 * Every text field of an audit line cut: values and metric names (a host may name an unknown
 * metric with megabytes) to `maxLength` characters; the topic and the reason keep their own words.
 */
export function auditFields(fields: LogFields, maxLength: number): LogFields {
  const out: Record<string, LogFields[string]> = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = typeof value === 'string' ? auditText(value, worded.has(key) ? maxLength + OWN_WORDS : maxLength) : value
  }
  return out
}

/**
 * Refused commands get a line each up to this many per interval; the rest of the interval is one
 * summary line. A host (or anyone who can publish on the node's command topics) can send
 * thousands a second, which would push everything else out of the journal.
 */
export const REFUSED_LINES_PER_INTERVAL = 10
export const REFUSED_SUMMARY_INTERVAL_MS = 1000

export interface CommandAuditOptions {
  /** Longest value or metric name an audit line carries (`commands.auditValueLength`). */
  readonly valueLength: number
  readonly clock?: Clock
}

/**
 * The audit trail of commands: every command is counted, every accepted one gets its line (who:
 * topic; what; old and new value), refused ones are rate limited (see REFUSED_LINES_PER_INTERVAL).
 */
export class CommandAudit {
  private accepted = 0
  private refused = 0
  private intervalStart = Number.NEGATIVE_INFINITY
  private linesThisInterval = 0
  private unlogged = 0
  private lastUnlogged: LogFields = {}
  private summaryDue: AbortController | null = null
  private readonly clock: Clock

  constructor(
    private readonly log: Log,
    private readonly o: CommandAuditOptions,
  ) {
    this.clock = o.clock ?? systemClock
  }

  counts(): { accepted: number; refused: number } {
    return { accepted: this.accepted, refused: this.refused }
  }

  onAccepted(fields: LogFields): void {
    this.accepted++
    this.log.info('command accepted', { ...auditFields(fields, this.o.valueLength), accepted: this.accepted })
  }

  onRefused(fields: LogFields): void {
    const now = this.clock.now()
    if (now - this.intervalStart >= REFUSED_SUMMARY_INTERVAL_MS) {
      // The summary of the interval that ended goes before the lines of the next one.
      this.flush()
      this.intervalStart = now
      this.linesThisInterval = 0
    }
    this.refused++
    if (this.linesThisInterval < REFUSED_LINES_PER_INTERVAL) {
      this.linesThisInterval++
      this.log.warn('command refused', { ...auditFields(fields, this.o.valueLength), refused: this.refused })
      return
    }
    this.unlogged++
    this.lastUnlogged = fields
    if (this.summaryDue !== null) return
    const due = new AbortController()
    this.summaryDue = due
    void this.clock.sleep(this.intervalStart + REFUSED_SUMMARY_INTERVAL_MS - now, due.signal).then(() => {
      if (this.summaryDue === due) this.summarise()
    })
  }

  /** Writes the summary still pending (at stop, or when the next interval opens), so the log accounts for every refusal. */
  flush(): void {
    this.summaryDue?.abort()
    this.summarise()
  }

  private summarise(): void {
    this.summaryDue = null
    if (this.unlogged === 0) return
    const last = auditFields(this.lastUnlogged, this.o.valueLength)
    this.log.warn('more commands refused', {
      more: this.unlogged,
      refused: this.refused,
      lastTopic: last.topic,
      lastMetric: last.metric,
      lastReason: last.reason,
    })
    this.unlogged = 0
    // The next refusal starts a new interval with its own lines.
    this.intervalStart = Number.NEGATIVE_INFINITY
  }
}
