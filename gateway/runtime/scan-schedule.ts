import type { TagDef } from '../normalise/tag-def.js'
import { Backoff } from '../base/backoff.js'

/** The longest the loop ever waits: the retry delay's ceiling, and the idle wait of a device whose points are all pushed. */
export const LONGEST_WAIT_MS = 30_000

/** Tags with the same period, read together. */
export interface ScanGroup {
  readonly periodMs: number
  readonly names: readonly string[]
  /** When the group is next read (0: at once). */
  due: number
}

/**
 * When each scan group of one device is next read, and how long to wait before trying again
 * after a failure. A scan-rate override from the host replaces every period until it is set to 0.
 */
export class ScanSchedule {
  private readonly groups: ScanGroup[]
  /** Every polled point: an offline device is read whole, so that one good scan brings all of it back. */
  readonly polledNames: readonly string[]
  private scanRateMs = 0
  private readonly backoff: Backoff

  /** `pushed` are the points the driver reports by itself: they are never scanned. */
  constructor(tags: readonly TagDef[], pushed: ReadonlySet<string>, devicePollMs: number, random: () => number = Math.random) {
    this.groups = scanGroups(tags.filter((t) => !pushed.has(t.name)))
    // With one group (the usual case) the same array: a driver plans once per array it is given.
    this.polledNames = this.groups.length === 1 ? this.groups[0]!.names : this.groups.flatMap((g) => g.names)
    this.backoff = new Backoff(Math.min(devicePollMs, 1000), LONGEST_WAIT_MS, random)
  }

  /** The group due soonest, or null when every point is pushed. */
  next(): ScanGroup | null {
    if (this.groups.length === 0) return null
    return this.groups.reduce((a, b) => (b.due < a.due ? b : a))
  }

  /**
   * The group is read now. Read on time (or late by less than a period) it keeps its grid: due one
   * period after it was due. Its first read, and a read a whole period or more late, are followed
   * by the next one period later: missed scans are skipped, never made up in a burst.
   */
  started(group: ScanGroup, now: number): void {
    const period = this.scanRateMs > 0 ? this.scanRateMs : group.periodMs
    const onGrid = group.due + period
    group.due = onGrid > now ? onGrid : now + period
  }

  /** Overrides every period (0 restores the configured ones); every group is read at once at the new rate. */
  setScanRate(ms: number): void {
    this.scanRateMs = ms
    for (const g of this.groups) g.due = 0
  }

  /** The wait before the next attempt after a failure: grows with each failure in a row. */
  retryDelay(): number {
    return this.backoff.next()
  }

  /** The device answered: the next failure waits the shortest delay again. */
  answered(): void {
    this.backoff.reset()
  }
}

function scanGroups(tags: readonly TagDef[]): ScanGroup[] {
  const byPeriod = new Map<number, string[]>()
  for (const tag of tags) {
    const names = byPeriod.get(tag.pollMs) ?? []
    names.push(tag.name)
    byPeriod.set(tag.pollMs, names)
  }
  return [...byPeriod].map(([periodMs, names]) => ({ periodMs, names, due: 0 }))
}
