import type { Metric, Value } from '../model/value.js'
import type { PayloadMetric } from '../sparkplug/payload.js'

/**
 * What one birth carried of each metric: its timestamp and value. Held for the whole session, one
 * entry per tag, so kept as a name index into a timestamp array and a value array rather than an
 * object (and a boxed timestamp) per metric.
 */
export class BirthCarried {
  private readonly index = new Map<string, number>()
  private readonly at: Float64Array
  private readonly values: (Value | null)[] = []

  constructor(metrics: readonly PayloadMetric[]) {
    this.at = new Float64Array(metrics.length)
    for (const m of metrics) {
      if (m.name === undefined || m.timestamp === undefined) continue
      const known = this.index.get(m.name)
      const i = known ?? this.values.length
      if (known === undefined) this.index.set(m.name, i)
      this.at[i] = m.timestamp
      this.values[i] = m.isNull === true ? null : ((m.value as Value | undefined) ?? null)
    }
  }

  /** The birth carried this metric with this timestamp and value. */
  has(metric: Metric): boolean {
    const i = this.index.get(metric.name)
    return i !== undefined && this.at[i] === metric.at && sameValue(this.values[i] ?? null, metric.value)
  }
}

// Arrays and bytes come back from the buffer as new objects: compared element by element.
function sameValue(a: Value | null, b: Value | null): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  const x = a as ArrayLike<unknown>
  const y = b as ArrayLike<unknown>
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}
