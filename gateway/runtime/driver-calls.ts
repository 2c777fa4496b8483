import { DriverError } from '../../drivers/driver.js'
import type { Clock } from '../base/clock.js'

const ignore = () => {}

/**
 * The time by which a device loop will have turned again, for the service manager's watchdog:
 * every await of the loop is a wait or a driver call, each with a bound, so the loop is due back
 * when the bound of the one it is in has passed. A loop past this time is stuck.
 */
export class PollDeadline {
  private due: number
  /** The loop's clock: each sleep on it moves the deadline to its end. */
  readonly clock: Clock

  constructor(base: Clock) {
    this.due = base.now()
    this.clock = {
      now: () => base.now(),
      sleep: (ms, signal) => {
        this.due = base.now() + ms
        return base.sleep(ms, signal)
      },
    }
  }

  dueBy(): number {
    return this.due
  }
}

/**
 * The one way a device loop calls its driver: each call limited in time. A call that outlived its
 * limit counts as a timeout, but the driver may still be inside it: until it returns,
 * `stillRunning` holds it, and the caller must not call the driver again.
 */
export class DriverCalls {
  private running: Promise<void> | null = null

  constructor(
    private readonly limitMs: number,
    private readonly deadline: PollDeadline,
    /** A call that had timed out has returned: the driver is free again. */
    private readonly returned: () => void,
  ) {}

  /** A call that timed out and has not returned yet, or null. */
  get stillRunning(): Promise<void> | null {
    return this.running
  }

  /** One driver call, limited in time; the caller makes sure no other call is running. */
  call<T>(action: () => Promise<T>): Promise<T> {
    const finished = new AbortController()
    // Started before the call, so that the deadline covers the call from its first moment.
    const limit = this.deadline.clock.sleep(this.limitMs, finished.signal)
    const running = action()
    const timeout = new Promise<never>((_, reject) => {
      void limit.then(() => {
        if (finished.signal.aborted) return
        this.outlived(running)
        reject(new DriverError('timeout', `driver did not answer within ${this.limitMs} ms`))
      })
    })
    return Promise.race([running, timeout]).finally(() => finished.abort())
  }

  private outlived(call: Promise<unknown>): void {
    const returned = call.then(ignore, ignore)
    this.running = returned
    void returned.then(() => {
      this.running = null
      this.returned()
    })
  }
}
