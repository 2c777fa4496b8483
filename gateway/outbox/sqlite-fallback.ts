import { createMemoryOutbox } from './memory-outbox.js'
import type { Outbox } from './outbox.js'
import { createSqliteOutbox, type SqliteOutboxOptions } from './sqlite-outbox.js'

/** Whether the buffer file takes writes, for /status and /metrics. */
export interface BufferFileStatus {
  readonly path: string
  readonly writable: boolean
  /** Why not, while `writable` is false. */
  readonly error: string | null
}

/**
 * The SQLite buffer, or, when its file cannot be opened (read-only or full state directory), a
 * buffer in memory: live data keeps flowing and a short outage is still bridged, instead of the
 * gateway exiting and restart-looping. Restarting the gateway tries the file again.
 */
export function openBuffer(options: SqliteOutboxOptions): { outbox: Outbox; status(): BufferFileStatus } {
  const { path, log } = options
  try {
    const outbox = createSqliteOutbox(options)
    return { outbox, status: () => ({ path, writable: outbox.writeError() === null, error: outbox.writeError() }) }
  } catch (err) {
    if (err instanceof RangeError) throw err
    const error = err instanceof Error ? err.message : String(err)
    log.error('buffering in memory until restart: the buffer file cannot be opened (records are lost on restart)', { path, reason: error })
    const outbox = createMemoryOutbox({ whenFull: options.whenFull })
    return { outbox, status: () => ({ path, writable: false, error }) }
  }
}
