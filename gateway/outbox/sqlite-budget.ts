/** What the size budget reads from, and deletes in, the buffer file. */
export interface FilePages {
  /** Pages the file has (SQLite's page_count). */
  used(): number
  /** Of those, pages free for reuse (SQLite's freelist_count). */
  free(): number
  /** Deletes up to `records` of the oldest records; returns how many it deleted. */
  dropOldest(records: number): number
}

export interface Room {
  /** Records deleted to make the room. */
  readonly removed: number
  /** Whether the row fits now. */
  readonly fits: boolean
}

const roomy: Room = { removed: 0, fits: true }

/**
 * The buffer file's size cap, counted in pages. The cap is `maxPages`, or the size the file had when
 * the disk filled up: the whenFull policy then reuses the pages the file has, and the file may try
 * to grow to the full cap again as soon as `roomOnDisk` says space was freed, or every `retryMs`. Pages known to be free are counted down without
 * asking SQLite again (a conservative estimate), since asking costs two queries per record.
 */
export class SizeBudget {
  private pages: number
  private fullAt = 0
  private headroom = 0

  constructor(
    readonly maxPages: number,
    private readonly pageSize: number,
    private readonly whenFull: 'drop-oldest' | 'drop-newest',
    private readonly retryMs: number,
    private readonly now: () => number,
    private readonly roomOnDisk: () => boolean,
  ) {
    this.pages = maxPages
  }

  /** True while a full disk holds the file below its cap. */
  get diskFull(): boolean {
    return this.pages < this.maxPages
  }

  /** Makes room for a row of `bytes` in a file of `records` records; says how many that deleted and whether it fits. */
  makeRoom(file: FilePages, bytes: number, records: number): Room {
    // A row may take its overflow pages plus a split of a table leaf and an index leaf.
    const need = Math.ceil(bytes / (this.pageSize - 64)) + 3
    if (this.headroom >= need) {
      this.headroom -= need
      return roomy
    }
    if (this.diskFull && (this.now() - this.fullAt >= this.retryMs || this.roomOnDisk())) this.pages = this.maxPages
    let removed = 0
    for (;;) {
      const room = this.pages - file.used() + file.free()
      if (room >= need) {
        this.headroom = room - need
        return { removed, fits: true }
      }
      const left = records - removed
      if (this.whenFull === 'drop-newest' || left === 0) return { removed, fits: false }
      // A hundredth of the backlog per step: whole leaf pages must empty before pages are freed.
      removed += file.dropOldest(Math.max(16, Math.ceil(left / 100)))
    }
  }

  /** The disk filled up with the file at `pages`: the file stays at that size for now. */
  filled(pages: number): void {
    this.pages = Math.min(this.maxPages, pages)
    this.fullAt = this.now()
  }

  /** A write failed or the file was replaced: what was known to be free is asked again. */
  forget(): void {
    this.headroom = 0
  }
}
