import type { Reading } from '../../drivers/driver.js'
import type { Metric, SparkplugType, Value } from '../model/value.js'
import { toEngineering } from './convert.js'
import type { Deadband } from './deadband.js'
import type { DerivedTags } from './derived.js'
import type { TagDef } from './tag-def.js'

/**
 * Readings of one scan -> the metrics worth reporting: scaled to engineering units, typed for
 * Sparkplug, filtered by deadband. A failed reading becomes a null value (bad quality); an
 * uncertain one keeps its value and its doubt. Derived tags that read any of these tags are
 * evaluated after them, from every reading (inside the deadband or not), and filtered alike.
 */
export function normalise(readings: readonly Reading[], tags: ReadonlyMap<string, TagDef>, deadband: Deadband, derived?: DerivedTags): Metric[] {
  const out: Metric[] = []
  for (const reading of readings) {
    const tag = tags.get(reading.point)
    if (tag === undefined) continue
    const value = 'error' in reading ? null : toEngineering(tag, reading.value)
    const uncertain = !('error' in reading) && reading.quality === 'uncertain'
    derived?.input(tag.name, value, reading.at, uncertain)
    report(out, deadband, tag.name, tag.type, value, reading.at, uncertain, tag.deadband)
  }
  if (derived === undefined) return out
  for (const d of derived.evaluate()) report(out, deadband, d.name, d.type, d.value, d.at, d.uncertain, d.deadband)
  return out
}

function report(out: Metric[], deadband: Deadband, name: string, type: SparkplugType, value: Value | null, at: number, uncertain: boolean, band: number): void {
  // A change of quality alone (good to uncertain and back) is news, whatever the deadband says.
  if (deadband.qualityChanged(name, uncertain)) deadband.forget(name)
  if (!deadband.accept(name, value, band)) return
  out.push(uncertain ? { name, type, value, at, uncertain } : { name, type, value, at })
}
