/**
 * Problems found in configuration files, with the place they were written: `file:line:col`, and
 * the collector that gathers the problems of several files in the order the files were read.
 */
import type { ConfigError, ConfigPath } from '../model/result.js'
import type { Position } from './positions.js'

/** A problem with the place it was written. */
export interface LocatedError {
  /** Absolute path of the file. */
  readonly file: string
  /** 1-based line and column. */
  readonly line: number
  readonly col: number
  /** Where inside the document, as `upstream.mqtt.servers[1]`; empty for whole-file problems. */
  readonly path: string
  readonly message: string
}

export type Locator = (path: ConfigPath, offset?: number) => Position & { readonly file: string }

/** `file:line:col: path: message`, the form editors and CI logs link to. */
export function formatError(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`
}

/** `file:line:col: warning: path: message`, for what loads but should be fixed. */
export function formatWarning(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.col}: warning: ${e.path === '' ? '' : `${e.path}: `}${e.message}`
}

/** `['tags', 3, 'address']` -> `tags[3].address`. */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : text === '' ? step : `${text}.${step}`), '')
}

/** Errors of several files, deduplicated, sorted by the order the files were read, then position. */
export class Collector {
  private readonly errors: LocatedError[] = []
  private readonly seen = new Set<string>()
  private readonly files: string[] = []

  get count(): number {
    return this.errors.length
  }

  order(file: string): void {
    if (!this.files.includes(file)) this.files.push(file)
  }

  add(e: LocatedError): void {
    this.order(e.file)
    const key = `${e.file}:${e.line}:${e.col}:${e.path}:${e.message}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.errors.push(e)
  }

  addAll(list: readonly ConfigError[], locate: Locator): void {
    for (const e of list) {
      const at = e.file !== undefined && e.line !== undefined ? { file: e.file, line: e.line, col: e.col ?? 1 } : locate(e.path, e.offset)
      this.add({ ...at, path: formatPath(e.path), message: e.message })
    }
  }

  merge(list: readonly LocatedError[]): void {
    for (const e of list) this.add(e)
  }

  sorted(): LocatedError[] {
    const rank = (e: LocatedError) => this.files.indexOf(e.file)
    return [...this.errors].sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.col - b.col)
  }
}

/** Problems of one document at their places, in line order. */
export function located(list: readonly ConfigError[], locate: Locator): LocatedError[] {
  return list.map((e) => ({ ...locate(e.path, e.offset), path: formatPath(e.path), message: e.message })).sort((a, b) => a.line - b.line || a.col - b.col)
}
