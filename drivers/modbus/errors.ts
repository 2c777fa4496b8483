/**
 * modbus-serial errors -> DriverError, decided once here. modbus-serial is untyped at this edge:
 * errors carry `errno` ('ETIMEDOUT', 'ECONNREFUSED', ...) or `modbusCode` (the exception code).
 */
import { DriverError } from '../driver.js'

const exceptionNames: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
}

/** The Modbus exception code of an error, if the device answered with one. */
export function exceptionCode(err: unknown): number | undefined {
  const code = (err as { modbusCode?: unknown } | null)?.modbusCode
  return typeof code === 'number' ? code : undefined
}

/** Maps anything modbus-serial (or the socket/serial port under it) throws. `what` names the request, e.g. 'read HR100..HR124'. */
export function toDriverError(err: unknown, what: string): DriverError {
  if (err instanceof DriverError) return err
  const e = (err ?? {}) as { errno?: unknown; code?: unknown; message?: unknown }
  const message = typeof e.message === 'string' ? e.message : String(err)
  const code = exceptionCode(err)
  if (code !== undefined) {
    const name = exceptionNames[code] ?? 'unknown exception'
    // 6 = busy: leave the device alone and retry; 11 = a gateway's target did not answer, i.e. that unit timed out.
    const kind = code === 6 ? 'busy' : code === 11 ? 'timeout' : 'rejected'
    return new DriverError(kind, `${what}: device answered exception ${code} (${name})`, { cause: err })
  }
  if (e.errno === 'ETIMEDOUT' || /timed out/i.test(message)) {
    return new DriverError('timeout', `${what}: no reply within the timeout`, { cause: err })
  }
  if (/CRC|length error|Unexpected data|out of range|Data length|buffer/i.test(message)) {
    return new DriverError('decode', `${what}: garbled reply (${message})`, { cause: err })
  }
  // ECONNREFUSED, ECONNRESET, EPIPE, 'Port Not Open', a vanished serial device: the link itself.
  return new DriverError('connection', `${what}: ${message}`, { cause: err })
}
