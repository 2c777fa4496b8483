/**
 * A copy of `record` with all its fields inside the object, when every value is plain JSON
 * (strings, finite numbers, booleans, null); `record` itself otherwise. V8 gives an object built a
 * property at a time (a structured clone, Object.assign onto {}) room for four fields and spills the
 * rest into a property array of its own, about 40 bytes more per object; JSON.parse allocates each
 * object with room for exactly its fields. The copy shares the strings of `record`. For objects
 * held for as long as the gateway runs, one per tag.
 */
export function laidOut<T extends object>(record: T): T {
  const fields = record as Record<string, unknown>
  if (Object.getPrototypeOf(record) !== Object.prototype || Object.hasOwn(record, '__proto__') || !Object.values(fields).every(isJsonPrimitive)) return record
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>
  for (const key in copy) if (typeof copy[key] === 'string') copy[key] = fields[key]
  return copy as T
}

// -0 would come back as 0; undefined, NaN and the infinities would not come back at all.
function isJsonPrimitive(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  return typeof value === 'string' || typeof value === 'boolean' || value === null
}
