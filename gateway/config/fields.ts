/**
 * Reading user-written values with every problem collected, each at its path. parse.ts and
 * device.ts read their documents through one `Fields` so that one pass reports all errors.
 * A reader returns undefined when the key is absent (callers apply defaults) or wrong (reported).
 */
import type { ConfigError, ConfigPath } from '../model/result.js'
import { didYouMean } from './suggest.js'
import { durationHint, parseDuration, parseSize, sizeHint } from '../base/units.js'

/** A map the reader has checked, with where it sits in its document. */
export interface Section {
  /** The map's entries as written. */
  readonly value: Readonly<Record<string, unknown>>
  /** Where the map sits in its document. */
  readonly path: ConfigPath
}

/** A value found under a key, with its path. */
interface Found {
  readonly value: unknown
  readonly path: ConfigPath
}

interface Required {
  readonly required?: boolean
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)

export class Fields {
  readonly errors: ConfigError[] = []
  /** What loads but has no effect as written (a key the chosen mode or driver ignores). */
  readonly warnings: ConfigError[] = []

  error(path: ConfigPath, message: string): undefined {
    this.errors.push({ path, message })
    return undefined
  }

  warn(path: ConfigPath, message: string): void {
    this.warnings.push({ path, message })
  }

  /** Whether `key` is written in `parent` (null counts as absent, as in `get`). */
  has(parent: Section | undefined, key: string): boolean {
    return parent !== undefined && parent.value[key] !== undefined && parent.value[key] !== null
  }

  /** The document root, which must be a map of `allowed` keys. */
  root(value: unknown, allowed: readonly string[]): Section | undefined {
    return this.map(value, [], allowed)
  }

  /** `value`, found at `path`, must be a map of `allowed` keys; unknown keys get the closest allowed key. */
  map(value: unknown, path: ConfigPath, allowed: readonly string[], what = 'a map of keys (key: value)'): Section | undefined {
    if (!isMap(value)) return this.error(path, `expected ${what}`)
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.error([...path, key], `unknown key '${key}'${didYouMean(key, allowed)}`)
    }
    return { value, path }
  }

  /** A map under `key`; unknown keys are reported with the closest allowed key. */
  section(parent: Section | undefined, key: string | number, allowed: readonly string[], options: Required = {}): Section | undefined {
    const found = this.get(parent, key, options)
    if (found === undefined) return undefined
    return this.map(found.value, found.path, allowed, `a map with keys ${allowed.join(', ')}`)
  }

  /** The raw value under `key`; null counts as absent, as an empty `key:` line means "not set". */
  get(parent: Section | undefined, key: string | number, options: Required = {}): Found | undefined {
    if (parent === undefined) return undefined
    const value = parent.value[key]
    const path = [...parent.path, key]
    if (value === undefined || value === null) {
      return options.required ? this.error(path, 'required key is missing') : undefined
    }
    return { value, path }
  }

  string(parent: Section | undefined, key: string, options: Required = {}): string | undefined {
    const found = this.get(parent, key, options)
    if (found === undefined) return undefined
    // Numbers are accepted as text: `units: 1`, `name: 100` mean what they say.
    if (typeof found.value === 'number') return String(found.value)
    if (typeof found.value !== 'string' || found.value === '') return this.error(found.path, 'expected a non-empty string')
    return found.value
  }

  number(parent: Section | undefined, key: string, options: Required & { min?: number; integer?: boolean } = {}): number | undefined {
    const found = this.get(parent, key, options)
    if (found === undefined) return undefined
    const what = options.integer ? 'a whole number' : 'a number'
    const bound = options.min === undefined ? '' : ` >= ${options.min}`
    const value = found.value
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!options.integer || Number.isInteger(value)) &&
      (options.min === undefined || value >= options.min)
    return valid ? value : this.error(found.path, `expected ${what}${bound}`)
  }

  boolean(parent: Section | undefined, key: string): boolean | undefined {
    const found = this.get(parent, key)
    if (found === undefined) return undefined
    if (typeof found.value !== 'boolean') return this.error(found.path, 'expected true or false')
    return found.value
  }

  oneOf<T extends string>(parent: Section | undefined, key: string, options: readonly T[]): T | undefined {
    const found = this.get(parent, key)
    if (found === undefined) return undefined
    const value = found.value
    if (typeof value === 'string' && (options as readonly string[]).includes(value)) return value as T
    const hint = typeof value === 'string' ? didYouMean(value, options) : ''
    return this.error(found.path, `expected one of ${options.join(', ')}${hint}`)
  }

  /** Milliseconds; `positive` refuses 0 (a scan period of 0 would spin). */
  duration(parent: Section | undefined, key: string, options: { positive?: boolean } = {}): number | undefined {
    const found = this.get(parent, key)
    if (found === undefined) return undefined
    const ms = parseDuration(found.value)
    if (ms === undefined) return this.error(found.path, durationHint)
    if (options.positive && ms === 0) return this.error(found.path, 'expected a duration above 0')
    return ms
  }

  /** Bytes. */
  size(parent: Section | undefined, key: string): number | undefined {
    const found = this.get(parent, key)
    if (found === undefined) return undefined
    const bytes = parseSize(found.value)
    return bytes === undefined ? this.error(found.path, sizeHint) : bytes
  }

  /** A list; a single item written without brackets is accepted when `single` is set. */
  list(parent: Section | undefined, key: string, options: Required & { single?: boolean } = {}): Found[] | undefined {
    const found = this.get(parent, key, options)
    if (found === undefined) return undefined
    if (Array.isArray(found.value)) return found.value.map((value, i) => ({ value, path: [...found.path, i] }))
    if (options.single && typeof found.value !== 'object') return [found]
    return this.error(found.path, 'expected a list')
  }

  /**
   * A Sparkplug id (group, edge node, device, primary host): it becomes an MQTT topic level, so
   * it must be non-empty and free of the topic separators and wildcards `/`, `+` and `#`.
   */
  id(parent: Section | undefined, key: string, options: Required = {}): string | undefined {
    const value = this.string(parent, key, options)
    if (value === undefined || parent === undefined) return undefined
    const unprintable = unprintableIn(value)
    if (unprintable !== undefined) return this.error([...parent.path, key], `${unprintable}; Sparkplug ids must be printable text`)
    const bad = [...value].find((c) => c === '/' || c === '+' || c === '#')
    if (bad !== undefined) return this.error([...parent.path, key], `'${value}' contains '${bad}'; Sparkplug ids may not contain /, + or #`)
    return value
  }

  /** A Sparkplug metric name: printable text, as it is shown in hosts, logs and /metrics. */
  name(parent: Section | undefined, key: string, options: Required = {}): string | undefined {
    const value = this.string(parent, key, options)
    if (value === undefined || parent === undefined) return undefined
    const unprintable = unprintableIn(value)
    return unprintable === undefined ? value : this.error([...parent.path, key], `${unprintable}; metric names must be printable text`)
  }
}

const characterNames: Readonly<Record<string, string>> = {
  '\0': 'a NUL', '\t': 'a tab', '\n': 'a line feed', '\r': 'a carriage return', '\x1b': 'an escape',
  '\x7f': 'a DEL', '\u0085': 'a next-line', '\u2028': 'a line separator', '\u2029': 'a paragraph separator',
}

/**
 * What makes `text` unfit for an id or name, in words, or undefined. Control characters (C0, DEL,
 * C1) and the Unicode line separators split log lines and topic levels; a lone surrogate is not
 * valid UTF-8, which MQTT requires of topics (the broker drops the connection).
 */
export function unprintableIn(text: string): string | undefined {
  const at = text.search(/[\0-\x1f\x7f-\x9f\u2028\u2029]/)
  if (at >= 0) {
    const c = text[at]!
    const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    return `contains ${characterNames[c] ?? 'a control character'} (${code}) at character ${at + 1}`
  }
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)
  return lone ? 'contains a lone UTF-16 surrogate (not valid Unicode)' : undefined
}
