/** The span the replay rate is taken over: long enough to smooth replay batches, short enough to show a replay ending. */
export const REPLAY_RATE_WINDOW_MS = 30_000

/**
 * Metrics replayed from the buffer per second over the last 30 s, from samples of the running
 * total. The one computation behind /status, /metrics and the node's Replay Rate metric; the
 * caller gives the time, so a test drives it without waiting.
 */
export class ReplayRate {
  private readonly samples: { readonly at: number; readonly total: number }[] = []
  private rate = 0

  /** Metrics per second, one decimal; 0 until two samples span some time. */
  get current(): number {
    return this.rate
  }

  /** Samples kept: those in the window and the one just before it. */
  get samplesHeld(): number {
    return this.samples.length
  }

  /** Takes the running total at `at` (ms); returns the new rate. */
  sample(total: number, at: number): number {
    this.samples.push({ at, total })
    while (this.samples.length > 2 && this.samples[1]!.at <= at - REPLAY_RATE_WINDOW_MS) this.samples.shift()
    const first = this.samples[0]!
    const span = at - first.at
    this.rate = span <= 0 ? 0 : Math.round((Math.max(0, total - first.total) * 10_000) / span) / 10
    return this.rate
  }
}
