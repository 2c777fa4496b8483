import { systemClock, type Clock } from './clock.js'

/** A wake-up flag for one waiting loop: `notify()` resolves the current or the next `wait()`. */
export class Signal {
  private pending = false
  private wakeUp: (() => void) | null = null

  constructor(private readonly clock: Clock = systemClock) {}

  notify(): void {
    const wakeUp = this.wakeUp
    if (wakeUp === null) {
      this.pending = true
      return
    }
    this.wakeUp = null
    wakeUp()
  }

  /** Resolves on the next `notify()`, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const sleeping = new AbortController()
      const finish = (): void => {
        if (this.wakeUp === finish) this.wakeUp = null
        sleeping.abort()
        resolve()
      }
      this.wakeUp = finish
      void this.clock.sleep(timeoutMs, sleeping.signal).then(finish)
    })
  }
}
