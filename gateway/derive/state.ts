/**
 * The functions that remember: each call in an expression owns one `Slot` of a few numbers, so a
 * derived tag's state is fixed in size however long the gateway runs. `at` is the time of the
 * newest input (UTC ms); an input that is bad (null) gives null and, where time matters, the gap
 * is not counted.
 */
export class Slot {
  prev = NaN
  prevAt = NaN
  acc = 0
  last: number | null = null
}

/** Change of `x` per `perMs` between this reading and the previous one; null until there are two. */
export function rate(slot: Slot, x: number | null, at: number, perMs: number): number | null {
  if (x === null) {
    slot.prev = NaN
    slot.last = null
    return null
  }
  if (Number.isNaN(slot.prev)) {
    slot.prev = x
    slot.prevAt = at
    slot.last = null
    return null
  }
  const dt = at - slot.prevAt
  // A newer value of the same instant replaces the last; a source clock that went back is ignored.
  if (dt === 0) slot.prev = x
  if (!(dt > 0)) return slot.last
  slot.last = ((x - slot.prev) / dt) * perMs
  slot.prev = x
  slot.prevAt = at
  return slot.last
}

/**
 * What a counter counted since its previous reading. A counter that went down rolled over at
 * `modulus` (a 16-bit counter: 65536) or, without one or when even that does not explain the
 * drop, was reset to zero and counted `x` since. The first reading counts 0. A bad reading leaves
 * the previous one in place, so the counts made meanwhile show up in the next good one.
 */
export function delta(slot: Slot, x: number | null, modulus: number | undefined): number | null {
  if (x === null) return null
  if (Number.isNaN(slot.prev)) {
    slot.prev = x
    return 0
  }
  let d = x - slot.prev
  if (d < 0 && modulus !== undefined) d += modulus
  if (d < 0) d = x
  slot.prev = x
  return d
}

/** Running integral of a rate given per `perMs` (trapezoids between readings); a bad stretch adds nothing. */
export function total(slot: Slot, x: number | null, at: number, perMs: number): number | null {
  if (x === null) {
    slot.prevAt = NaN
    return null
  }
  const dt = at - slot.prevAt
  if (dt > 0) slot.acc += (((slot.prev + x) / 2) * dt) / perMs
  if (Number.isNaN(slot.prevAt) || dt > 0) {
    slot.prev = x
    slot.prevAt = at
  }
  return slot.acc
}

/** `x` added up at every evaluation (a total of counter deltas). */
export function sum(slot: Slot, x: number | null): number | null {
  if (x === null) return null
  slot.acc += x
  return slot.acc
}

/** Seconds `condition` has been true: the time up to a reading counts when the reading before it was true. */
export function timeIn(slot: Slot, condition: boolean | null, at: number): number | null {
  if (condition === null) {
    slot.prevAt = NaN
    return null
  }
  const dt = at - slot.prevAt
  if (slot.prev === 1 && dt > 0) slot.acc += dt / 1000
  if (Number.isNaN(slot.prevAt) || dt > 0) {
    slot.prev = condition ? 1 : 0
    slot.prevAt = at
  }
  return slot.acc
}
