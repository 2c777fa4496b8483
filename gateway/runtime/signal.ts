/** A wake-up flag for one waiting loop: `notify()` resolves the current or the next `wait()`. */
export class Signal {
  private pending = false
  private resolve: (() => void) | null = null

  notify(): void {
    if (this.resolve !== null) {
      const resolve = this.resolve
      this.resolve = null
      resolve()
    } else {
      this.pending = true
    }
  }

  /** Resolves on the next `notify()`, or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = null
        resolve()
      }, timeoutMs)
      this.resolve = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
