import type { Log } from '../model/log.js'
import type { RuntimeDir } from '../base/runtime-dir.js'

/**
 * How long an added record may wait in the open transaction before it is committed. 200 ms bounds
 * the loss on a `kill -9` to a fifth of a second of readings (less than one typical poll cycle),
 * and on a power cut to that plus one fsync of the disk, while capping commits, and so WAL fsyncs
 * on an SD card, at 5 per second however many readings arrive.
 */
export const defaultCommitIntervalMs = 200

/** The smallest `maxSizeBytes`: the schema, a WAL reserve and room for a few records. */
export const minSqliteOutboxBytes = 256 * 1024

/** How often a buffer file that could not be opened (at start, or replacing a corrupt one) is tried again. */
export const reopenEveryMs = 1000

/** After a full disk caps the buffer at its current size, how often to try growing it again. */
export const diskFullRetryMs = 60_000

/**
 * Records kept in memory while the file cannot take them and there is no runtime directory, and
 * while a checkpoint holds writes: a few minutes of a typical node's readings, a few MiB of RAM.
 */
export const spillRecords = 10_000

export interface SqliteOutboxOptions {
  /** The database file; its directory is created when missing. */
  readonly path: string
  /** Cap on the size on disk, main file plus WAL, in bytes; at least `minSqliteOutboxBytes`. */
  readonly maxSizeBytes: number
  /** At the cap: delete the oldest records, or refuse the new one. Either way they are counted. */
  readonly whenFull: 'drop-oldest' | 'drop-newest'
  /**
   * `power`: the WAL is fsynced after every commit (in the thread pool, never on the event loop).
   * `process`: survives a crash of the process; a power cut may lose recent records, never the file.
   */
  readonly durability: 'power' | 'process'
  /** Longest time a record waits before its commit; `defaultCommitIntervalMs` when absent. */
  readonly commitIntervalMs?: number
  /** Receives the warn and error lines (file moved aside, write failures). */
  readonly log: Log
  /** Test hook: SQLite's max_page_count, which makes writes fail with SQLITE_FULL as a full disk does. */
  readonly maxPageCount?: number
  /** Where records the file cannot take are kept across restarts; in memory without it. */
  readonly runtimeDir?: RuntimeDir
  /** Why the file could not be opened: the outbox then starts on the spill alone. */
  readonly withoutFile?: string
  /** Test hook: after a full disk, how long before the file may grow again (a minute). */
  readonly diskFullRetryMs?: number
  /** Test hook: how often a file that could not be opened is tried again (a second). */
  readonly reopenEveryMs?: number
}

/** The sizes the cap on disk is shared into. */
export interface WalSizes {
  /** Bytes the WAL may take of the cap. */
  readonly walLimit: number
  /** Bytes of new rows that make a batch commit before its interval is up. */
  readonly batchBytes: number
  /** WAL size at which a checkpoint copies it into the main file. */
  readonly checkpointBytes: number
}

/**
 * The WAL gets a quarter of the cap (128 KiB to 4 MiB). It is checkpointed at a quarter of that and
 * a batch commits early at a sixteenth of it: one transaction also rewrites index, interior and
 * freelist pages (more when it drops old records), and must fit in what is left.
 */
export function walSizes(maxSizeBytes: number): WalSizes {
  if (maxSizeBytes < minSqliteOutboxBytes) {
    throw new RangeError(`buffer.maxSize must be at least ${minSqliteOutboxBytes} bytes (256KiB), got ${maxSizeBytes}`)
  }
  const walLimit = Math.min(Math.max(Math.floor(maxSizeBytes / 4), 128 * 1024), 4 * 1024 * 1024)
  return { walLimit, batchBytes: Math.floor(walLimit / 16), checkpointBytes: Math.floor(walLimit / 4) }
}
