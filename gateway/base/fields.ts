/**
 * Reads typed values out of one raw config object, collecting an error (with its path) for every key
 * that is wrong instead of stopping at the first. Numbers may arrive as numeric strings (CSV cells).
 */
import type { ConfigError, ConfigPath } from '../model/result.js'
import { durationHint, parseDuration } from './units.js'

export class Fields {
  constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly at: ConfigPath,
    private readonly errors: ConfigError[],
  ) {}

  /** The raw value, with empty strings (blank CSV cells) treated as absent. */
  get(key: string): unknown {
    const value = this.raw[key]
    return value === '' || value === null ? undefined : value
  }

  fail(key: string, message: string): void {
    this.errors.push({ path: [...this.at, key], message })
  }

  string(key: string): string | undefined {
    const value = this.get(key)
    if (value === undefined) return undefined
    if (typeof value === 'string') return value.trim()
    this.fail(key, `expected a string, got ${JSON.stringify(value)}`)
    return undefined
  }

  requiredString(key: string, example: string): string {
    const value = this.string(key)
    if (value === undefined && this.get(key) === undefined) this.fail(key, `required: ${example}`)
    return value ?? ''
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.get(key)
    if (value === undefined) return fallback
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n
    this.fail(key, `expected an integer ${min}..${max}, got ${JSON.stringify(value)}`)
    return fallback
  }

  oneOf<T extends string | number>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.get(key)
    if (value === undefined) return fallback
    const match = allowed.find((a) => String(a).toLowerCase() === String(value).trim().toLowerCase())
    if (match !== undefined) return match
    this.fail(key, `expected one of ${allowed.join(' | ')}, got ${JSON.stringify(value)}`)
    return fallback
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.get(key)
    if (value === undefined) return fallback
    if (value === true || value === 'true') return true
    if (value === false || value === 'false') return false
    this.fail(key, `expected true or false, got ${JSON.stringify(value)}`)
    return fallback
  }

  duration(key: string, fallback: string): number {
    const value = this.get(key)
    const ms = parseDuration(value ?? fallback)
    if (ms !== undefined) return ms
    this.fail(key, `${durationHint}, got ${JSON.stringify(value)}`)
    return parseDuration(fallback) ?? 0
  }

  /** Keys present in the object that are not in `known`. */
  unknownKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!known.includes(key)) this.fail(key, `unknown key; expected one of ${known.join(', ')}`)
    }
  }
}

export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
