import { systemClock, type Clock } from '../base/clock.js'

/**
 * Whether the pipeline still turns, for the service manager's watchdog. The event loop needs no
 * check here: the watchdog ping is sent from a timer, so a blocked event loop sends none.
 */
export interface Liveness {
  /**
   * The part that has not made progress in time (`pump`, `device Boiler1`), or null. `graceMs`
   * is the slack past a promised time (timers fire late on a busy board).
   */
  stalled(now: number, graceMs: number): string | null
}

/**
 * The pump's clock, marked each time the pump reads the time or starts or ends a wait. While
 * connected, the pump reads its clock on every turn and never waits longer than a second (idle,
 * or for the primary host); a turn that does not come means an await that does not return, such
 * as a QoS 1 publish the broker never acknowledges while it still answers pings.
 */
export class PumpProgress {
  private lastTurnAt: number
  readonly clock: Clock

  constructor(base: Clock = systemClock) {
    this.lastTurnAt = base.now()
    const turned = () => (this.lastTurnAt = base.now())
    this.clock = {
      now: () => turned(),
      sleep: async (ms, signal) => {
        turned()
        await base.sleep(ms, signal)
        turned()
      },
    }
  }

  since(now: number): number {
    return now - this.lastTurnAt
  }
}

export interface LivenessParts {
  readonly pump: PumpProgress
  readonly pumpConnected: () => boolean
  /**
   * Longest a connected pump may go without a turn: a publish awaiting its acknowledgement is
   * normal until the upstream itself would notice a dead connection.
   */
  readonly pumpQuietMs: number
  /** Each device loop's promise of when it will have turned again. */
  readonly devices: () => Iterable<readonly [string, { dueBy(): number }]>
}

export function liveness(parts: LivenessParts): Liveness {
  return {
    stalled(now, graceMs) {
      if (parts.pumpConnected() && parts.pump.since(now) > parts.pumpQuietMs + graceMs) return 'pump'
      for (const [deviceId, loop] of parts.devices()) {
        if (now > loop.dueBy() + graceMs) return `device ${deviceId}`
      }
      return null
    },
  }
}
