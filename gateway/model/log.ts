/** Fields attached to a log line: short, flat, printable. */
export type LogFields = Readonly<Record<string, string | number | boolean | bigint | null | undefined>>

/** A leveled logger. One call is one line on stdout; the implementation lives in runtime/log.ts. */
export interface Log {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger whose lines all carry `fields` (e.g. `{ device: 'Boiler1' }`). */
  child(fields: LogFields): Log
  /** The last warn and error lines of this logger and all its children, oldest first; absent where none are kept. */
  recentWarnings?(): readonly LogWarning[]
}

/** One warn or error line of the log, as /status and the page show it. */
export interface LogWarning {
  /** ms since the epoch. */
  readonly at: number
  readonly level: 'warn' | 'error'
  /** The message and its fields (all but `device`), as the log line reads; at most 300 characters. */
  readonly message: string
  readonly device: string | null
  /** How many times this line came since start: a repeated line keeps one place, at its newest time. */
  readonly repeated: number
}
