import type { Reading } from '../../drivers/driver.js'
import type { Metric } from '../model/value.js'
import { toEngineering } from './convert.js'
import type { Deadband } from './deadband.js'
import type { TagDef } from './tag-def.js'

/**
 * Readings of one scan -> the metrics worth reporting: scaled to engineering units, typed for
 * Sparkplug, filtered by deadband. A failed reading becomes a null value (bad quality); an
 * uncertain one keeps its value and its doubt.
 */
export function normalise(readings: readonly Reading[], tags: ReadonlyMap<string, TagDef>, deadband: Deadband): Metric[] {
  const out: Metric[] = []
  for (const reading of readings) {
    const tag = tags.get(reading.point)
    if (tag === undefined) continue
    const value = 'error' in reading ? null : toEngineering(tag, reading.value)
    const uncertain = !('error' in reading) && reading.quality === 'uncertain'
    // A change of quality alone (good to uncertain and back) is news, whatever the deadband says.
    if (deadband.qualityChanged(tag.name, uncertain)) deadband.forget(tag.name)
    if (!deadband.accept(tag.name, value, tag.deadband)) continue
    out.push(uncertain ? { name: tag.name, type: tag.type, value, at: reading.at, uncertain } : { name: tag.name, type: tag.type, value, at: reading.at })
  }
  return out
}
