import type { Log } from '../model/log.js'

/**
 * The current episode of write failures of the buffer file (disk full, read-only, I/O errors),
 * logged once when it starts and once when it ends. After a full disk the episode ends only once
 * the file has grown past the size it had when the disk filled up, or the file system has room
 * again: before, the commit that succeeded may only have reused freed pages.
 */
export class WriteFailures {
  private episode: { kept: number; fullPages: number | null; reason: string } | null = null

  constructor(private readonly path: string, private readonly log: Log) {}

  /** Why writes fail at the moment, or null. */
  get reason(): string | null {
    return this.episode?.reason ?? null
  }

  get active(): boolean {
    return this.episode !== null
  }

  /**
   * A write failed with `code` (`fullPages`: the file's size when that is a full disk), and `kept`
   * records went to `keptIn` instead of the file.
   */
  failed(err: unknown, code: string, fullPages: number | null, kept: number, keptIn: string): void {
    const reason = err instanceof Error ? err.message : String(err)
    if (this.episode) {
      this.episode.kept += kept
      this.episode.reason = reason
      return
    }
    this.episode = { kept, fullPages, reason }
    const disk = code === 'SQLITE_FULL' ? 'disk full; the file keeps its current size, ' : ''
    this.log.error(`cannot write the buffer database (${disk}records wait in ${keptIn}, and live data keeps flowing)`, {
      path: this.path, code, reason, kept,
    })
  }

  /**
   * A commit succeeded with the file at `pages()`; true when that ends the episode. After a full
   * disk, also once `roomOnDisk()` says the file system has space again.
   */
  endsAfterCommit(pages: () => number, roomOnDisk: () => boolean): boolean {
    const episode = this.episode
    if (episode === null || (episode.fullPages !== null && pages() <= episode.fullPages && !roomOnDisk())) return false
    this.log.info('buffer writes succeed again; records kept meanwhile go back into the file', { path: this.path, kept: episode.kept })
    this.episode = null
    return true
  }
}
