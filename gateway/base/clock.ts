import { delay } from './backoff.js'

/** Time as the pump sees it: injected, so that tests can drive windows, heartbeats and backoff. */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = { now: () => Date.now(), sleep: delay }
