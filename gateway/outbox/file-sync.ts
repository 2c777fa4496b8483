import { closeSync, fsync, fsyncSync, openSync } from 'node:fs'

/**
 * fsync of one file in libuv's thread pool, so that a slow disk (an SD card, a flash wearing out)
 * delays how soon data is durable but never the event loop, and with it scans and commands. One
 * fsync runs at a time; the calls made while one runs share the next, so a disk slower than the
 * commit rate costs one fsync per round trip of the disk, not a queue.
 */
export class FileSync {
  private fd: number | null = null
  private running = false
  private closing = false
  private next: Array<(error: Error | null) => void> = []

  /** `path` may not exist yet (SQLite creates its WAL at the first write): it is opened on first use. */
  constructor(private readonly path: string) {}

  /**
   * Resolves once an fsync that started after this call has completed: everything written to the
   * file before the call is then on the disk. Resolves with the error of a failed fsync, never rejects.
   */
  sync(): Promise<Error | null> {
    return new Promise((resolve) => {
      this.next.push(resolve)
      if (!this.running) this.start()
    })
  }

  /** fsync on the calling thread, for the last write at stop when waiting is what is wanted. */
  syncNow(): void {
    const fd = this.open()
    if (fd !== null) fsyncSync(fd)
  }

  /** Releases the descriptor; an fsync still running keeps it until it completes. */
  close(): void {
    if (this.running) this.closing = true
    else if (this.fd !== null) closeSync(this.fd)
    if (!this.running) this.fd = null
  }

  private start(): void {
    const waiting = this.next
    this.next = []
    let fd: number | null
    try {
      fd = this.open()
    } catch (err) {
      for (const resolve of waiting) resolve(err as Error)
      return
    }
    if (fd === null) {
      for (const resolve of waiting) resolve(null)
      return
    }
    this.running = true
    fsync(fd, (err) => {
      this.running = false
      for (const resolve of waiting) resolve(err)
      if (this.closing) {
        this.closing = false
        this.close()
        for (const resolve of this.next.splice(0)) resolve(null)
      } else if (this.next.length > 0) this.start()
    })
  }

  private open(): number | null {
    if (this.fd !== null) return this.fd
    try {
      // fsync through a read-only descriptor flushes the writes SQLite made through its own.
      this.fd = openSync(this.path, 'r')
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return null
      throw err
    }
    return this.fd
  }
}
