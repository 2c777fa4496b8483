import { createHash } from 'node:crypto'
import type { LogFields } from '../model/log.js'

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
