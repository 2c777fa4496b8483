import type { Outbox } from './outbox.js'
import { createSqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js'
import type { BufferFileStatus } from '../base/status.js'

/**
 * The SQLite buffer, or, when its file cannot be opened (read-only or full state directory), the
 * buffer's spill alone (the runtime directory, else memory): live data keeps flowing and an outage
 * is still bridged, instead of the gateway exiting and restart-looping. Restarting the gateway
 * tries the file again and moves the spilled records into it.
 */
export function openBuffer(options: SqliteOutboxOptions): { outbox: Outbox; status(): BufferFileStatus } {
  const { path, log } = options
  try {
    const outbox = createSqliteOutbox(options)
    return { outbox, status: () => ({ path, writable: outbox.writeError() === null, error: outbox.writeError() }) }
  } catch (err) {
    if (err instanceof RangeError) throw err
    const error = err instanceof Error ? err.message : String(err)
    const outbox = createSqliteOutbox({ ...options, withoutFile: error })
    log.error(`buffering outside the buffer file until restart: it cannot be opened (records wait in ${outbox.keptIn()})`, { path, reason: error })
    return { outbox, status: () => ({ path, writable: false, error }) }
  }
}
