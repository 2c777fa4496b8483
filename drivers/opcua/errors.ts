/**
 * node-opcua errors and status codes -> DriverError, decided once here. At this edge node-opcua
 * throws plain Errors whose message carries the status code name (BadTimeout, BadSessionIdInvalid)
 * or a socket errno (ECONNREFUSED).
 */
import { DriverError } from '../driver.js'

/** A status code as node-opcua's StatusCode object or a number, for messages: `BadTypeMismatch (0x80740000)`. */
export function describeStatus(status: { readonly name?: string; readonly value: number } | number): string {
  const value = typeof status === 'number' ? status : status.value
  const name = typeof status === 'number' ? undefined : status.name
  return `${name ?? 'status'} (0x${(value >>> 0).toString(16).padStart(8, '0')})`
}

export function toDriverError(err: unknown, what: string): DriverError {
  if (err instanceof DriverError) return err
  const message = (err as Error | null)?.message ?? String(err)
  if (/BadTimeout|timeout|timed out|ETIMEDOUT/i.test(message)) return new DriverError('timeout', `${what}: no answer within the timeout`, { cause: err })
  if (/BadTooManyOperations|BadTooManySessions|BadServerHalted|BadResourceUnavailable|BadTooManySubscriptions/.test(message)) {
    return new DriverError('busy', `${what}: the server is busy (${firstLine(message)})`, { cause: err })
  }
  return new DriverError('connection', `${what}: ${firstLine(message)}`, { cause: err })
}

/** node-opcua messages can run to many lines of diagnostics; a log line takes the first. */
function firstLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? message
}
