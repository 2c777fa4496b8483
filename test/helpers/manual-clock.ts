import type { Clock } from '../../gateway/base/clock.js'

/** A clock that moves only when the test says: sleeps end when `advance` passes their due time. */
export class ManualClock implements Clock {
  private at: number
  private readonly sleepers = new Set<{ due: number; wake: () => void }>()
  /** Every sleep asked for, in order (backoff delays, idle waits). */
  readonly asked: number[] = []

  constructor(start = 1_700_000_000_000) {
    this.at = start
  }

  now(): number {
    return this.at
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.asked.push(ms)
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const sleeper = {
        due: this.at + ms,
        wake: () => {
          this.sleepers.delete(sleeper)
          signal?.removeEventListener('abort', sleeper.wake)
          resolve()
        },
      }
      this.sleepers.add(sleeper)
      signal?.addEventListener('abort', sleeper.wake, { once: true })
    })
  }

  /** Moves time forward and wakes every sleep now due. */
  advance(ms: number): void {
    this.at += ms
    for (const sleeper of [...this.sleepers]) if (sleeper.due <= this.at) sleeper.wake()
  }
}
