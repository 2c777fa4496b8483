import { laidOut } from '../base/laid-out.js'

/**
 * The configuration as it arrives from the loader thread, made compact for as long as it runs.
 * Structured cloning gives every object its properties one at a time (past the fourth they spill
 * into a separate property array) and every string a copy of its own (each tag's type, table and
 * byte order, each name again in every structure that holds it). An object whose values are all
 * plain JSON is laid out again with all its fields at once (see laidOut), and equal strings go
 * through one table, so a tag name is one string however many objects name it. Values, keys and
 * their order are unchanged.
 */
export function compactConfig<T>(config: T): T {
  return compact(config, new Map()) as T
}

function compact(value: unknown, strings: Map<string, string>): unknown {
  if (typeof value === 'string') return shared(strings, value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = compact(value[i], strings)
    return value
  }
  if (!isPlainObject(value)) return value
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) record[key] = compact(record[key], strings)
  return laidOut(record)
}

function shared(strings: Map<string, string>, text: string): string {
  const known = strings.get(text)
  if (known !== undefined) return known
  strings.set(text, text)
  return text
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}
