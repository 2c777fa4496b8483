import type { Value } from '../model/value.js'

/**
 * Report by exception: remembers the last value reported per metric and decides whether a new
 * reading is worth sending. A numeric change smaller than or equal to the deadband is not reported;
 * any change of a non-numeric value, and any change between readable and unreadable, is.
 */
export class Deadband {
  private readonly last = new Map<string, Value | null>()
  private readonly uncertain = new Set<string>()

  /** True when `name` turns uncertain or back to good with this reading; records the new state. */
  qualityChanged(name: string, uncertain: boolean): boolean {
    if (this.uncertain.has(name) === uncertain) return false
    if (uncertain) this.uncertain.add(name)
    else this.uncertain.delete(name)
    return true
  }

  /** True when `value` must be reported for `name`; records it as reported when so. */
  accept(name: string, value: Value | null, deadband: number): boolean {
    if (!this.last.has(name)) {
      this.last.set(name, value)
      return true
    }
    const previous = this.last.get(name)!
    if (!changed(previous, value, deadband)) return false
    this.last.set(name, value)
    return true
  }

  /** Forgets `name`, so that its next reading is reported whatever it is (after a write's read-back). */
  forget(name: string): void {
    this.last.delete(name)
  }
}

function changed(previous: Value | null, value: Value | null, deadband: number): boolean {
  if (previous === null || value === null) return previous !== value
  if (typeof previous === 'number' && typeof value === 'number') {
    if (Number.isNaN(previous) || Number.isNaN(value)) return !(Number.isNaN(previous) && Number.isNaN(value))
    return Math.abs(value - previous) > deadband || (deadband === 0 && value !== previous)
  }
  if (typeof previous === 'bigint' && typeof value === 'bigint') {
    const diff = value > previous ? value - previous : previous - value
    return diff > BigInt(Math.floor(deadband)) || (deadband === 0 && diff !== 0n)
  }
  return !sameValue(previous, value)
}

export function sameValue(a: Value, b: Value): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
