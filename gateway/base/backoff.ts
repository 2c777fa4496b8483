/**
 * A growing delay with random jitter, so that many gateways (or many devices on one bus)
 * do not retry in lockstep after a shared outage.
 */
export class Backoff {
  private attempt = 0

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt: doubles from minMs up to maxMs, ±20 % jitter, never above maxMs. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30))
    this.attempt++
    // maxMs is documented to users as the longest delay, so jitter may only shorten it there.
    return Math.min(this.maxMs, Math.round(base * (0.8 + 0.4 * this.random())))
  }

  reset(): void {
    this.attempt = 0
  }
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
