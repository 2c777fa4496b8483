import { statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { walSizes, type SqliteOutboxOptions } from './sqlite-options.js'

/** How often the file system is asked again; a full disk is not freed faster than this matters. */
const askEveryMs = 1000

/**
 * Whether the file system holding the buffer has `bytes` free for the gateway, asked at most once a
 * second. After a full disk it tells when space was freed, where the file growing (or failing to)
 * would only say so at the next retry of the size cap.
 */
export class DiskRoom {
  private askedAt = Number.NEGATIVE_INFINITY
  private room = false

  constructor(
    private readonly dir: string,
    private readonly bytes: number,
    private readonly now: () => number,
  ) {}

  has(): boolean {
    const now = this.now()
    if (now - this.askedAt < askEveryMs) return this.room
    this.askedAt = now
    try {
      const fs = statfsSync(this.dir)
      this.room = fs.bavail * fs.bsize >= this.bytes
    } catch {
      this.room = false
    }
    return this.room
  }
}

/**
 * Whether the buffer's file system has room again for the WAL up to its next checkpoint. The test
 * hook's full "disk" (SQLite's max_page_count) is no file system, so there it never does.
 */
export function roomOnDiskOf(options: SqliteOutboxOptions): () => boolean {
  if (options.maxPageCount !== undefined) return () => false
  const disk = new DiskRoom(dirname(options.path), walSizes(options.maxSizeBytes).checkpointBytes, Date.now)
  return () => disk.has()
}
