import type { Log, LogFields, LogWarning } from '../model/log.js'
import type { LogLevel } from '../config/types.js'
import { WarningRing } from './warning-ring.js'

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
// syslog priorities: journald reads a leading <N> as the line's level when stdout is the journal.
const syslog: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 }

// Control characters (C0, DEL, C1) and Unicode line separators: raw, they would end a line or
// start a forged one in the journal or a terminal, so they are written as escapes.
const unsafe = /[\0-\x1f\x7f-\x9f\u2028\u2029]/g
const shortEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escape(text: string): string {
  return text.replace(unsafe, (c) => shortEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function format(fields: LogFields): string {
  let out = ''
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    const text = String(value)
    const quote = text === '' || /[\s"=\\]/.test(text) || text.search(unsafe) >= 0
    out += ` ${escape(key)}=${quote ? `"${escape(text.replace(/[\\"]/g, '\\$&'))}"` : text}`
  }
  return out
}

/**
 * A logger writing one line per event to stdout (debug, info) or stderr (warn, error).
 * Under systemd (JOURNAL_STREAM set) lines carry a syslog priority prefix instead of a timestamp,
 * since journald adds its own.
 */
export function createLog(options: { level: LogLevel; journal?: boolean; fields?: LogFields; warnings?: WarningRing } = { level: 'info' }): Log {
  const journal = options.journal ?? Boolean(process.env.JOURNAL_STREAM)
  const min = rank[options.level]
  const base = options.fields ?? {}
  // One ring for a logger and all its children: the page shows the node's last warnings, whoever wrote them.
  const warnings = options.warnings ?? new WarningRing()

  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (level === 'warn' || level === 'error') {
      const { device, ...rest } = { ...base, ...fields }
      warnings.add({ at: Date.now(), level, message: escape(message) + format(rest), device: device === undefined || device === null ? null : String(device) })
    }
    if (rank[level] < min) return
    const text = escape(message) + format({ ...base, ...fields })
    const line = journal ? `<${syslog[level]}>${text}\n` : `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${text}\n`
    ;(rank[level] >= rank.warn ? process.stderr : process.stdout).write(line)
  }

  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLog({ level: options.level, journal, fields: { ...base, ...fields }, warnings }),
    recentWarnings: (): readonly LogWarning[] => warnings.list(),
  }
}

/** A logger that discards everything, for tests. */
export const silentLog: Log = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLog,
}
