import type { Outbox } from './outbox.js'
import { createSqliteOutbox, type SqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js'
import type { BufferFileStatus } from '../base/status.js'

/**
 * The SQLite buffer, or, when its file cannot be opened (read-only or full state directory), the
 * buffer's spill alone (the runtime directory, else memory): live data keeps flowing and an outage
 * is still bridged, instead of the gateway exiting and restart-looping. The file is tried again
 * once a second while records arrive (and at each start); once it opens, the spilled records move into it.
 */
export function openBuffer(options: SqliteOutboxOptions): { outbox: Outbox; status(): BufferFileStatus } {
  const { path, log } = options
  let outbox: SqliteOutbox
  try {
    outbox = createSqliteOutbox(options)
  } catch (err) {
    if (err instanceof RangeError) throw err
    const error = err instanceof Error ? err.message : String(err)
    outbox = createSqliteOutbox({ ...options, withoutFile: error })
    log.error(`buffering outside the buffer file: it cannot be opened (records wait in ${outbox.keptIn()}; it is tried again once a second)`, { path, reason: error })
  }
  return { outbox, status: () => ({ path, writable: outbox.writeError() === null, error: outbox.writeError() }) }
}
