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
}
