import type { OpenOptions } from './sqlite-open.js'
import { openStore, type Store } from './sqlite-store.js'

/** Ids the outbox holds outside the file: the lowest of them (null for none), and the next it gives. */
export interface HeldIds {
  readonly lowest: number | null
  readonly next: number
}

/**
 * Tries again, every `everyMs`, to open the buffer file that could not be opened (at start, or
 * replacing a corrupt one). Created just after a failed open, so the first try is `everyMs` later.
 */
export class LateOpen {
  private triedAt: number

  constructor(
    private readonly path: string,
    private readonly options: OpenOptions,
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {
    this.triedAt = now()
  }

  /** Opening failed just now elsewhere: the next try is `everyMs` later. */
  failed(): void {
    this.triedAt = this.now()
  }

  /** The file, opened now, or null while it cannot be or was tried less than `everyMs` ago. */
  attempt(held: () => HeldIds): Store | null {
    const now = this.now()
    if (now - this.triedAt < this.everyMs) return null
    this.triedAt = now
    return openLate(this.path, this.options, held)
  }
}

/**
 * Opens the buffer file that could not be opened before, or null while it still cannot. Rows it
 * already had may carry ids the outbox has given meanwhile to records kept outside it: they are
 * moved above those (in order), so no id names two records. Logged when it opens.
 */
function openLate(path: string, options: OpenOptions, held: () => HeldIds): Store | null {
  let store: Store
  try {
    store = openStore(path, options)
  } catch {
    return null
  }
  const { lowest, next } = held()
  const moved = lowest !== null && (store.sql.lastId.get() as number) >= lowest ? moveRowsAbove(store, next) : 0
  options.log.info('buffer file opened; records kept meanwhile go into it', { path, records: store.sql.count.get() as number, renumbered: moved })
  return store
}

/** Gives every row an id of at least `from`, keeping their order; returns how many rows moved. */
function moveRowsAbove(s: Store, from: number): number {
  const first = s.db.prepare('SELECT min(id) FROM records').pluck().get() as number | null
  const last = s.sql.lastId.get() as number
  if (first === null) return 0
  // Past the old range as a whole: no row is moved onto an id another row still has.
  const by = Math.max(from, last + 1) - first
  return s.db.prepare('UPDATE records SET id = id + ?').run(by).changes
}
